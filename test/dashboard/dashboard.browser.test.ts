/**
 * The dashboard in headless chromium against the API on the in-memory market (the unit tests'
 * FakeLedger: the real chaincode logic, no Fabric): sign-in, the operator's chart and metrics, a
 * utility's bid form and its errors, and a utility refused another's data. Screenshots go to
 * dist/test-artifacts/dashboard/. Run: `npm run test:dashboard` (CHROMIUM=/path to override). The
 * same on the real network: test/e2e/dashboard.browser.test.ts (in `npm test`); this one is quick,
 * needs no network, and also checks a field's 422 error next to it and the phone width.
 */
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'puppeteer-core';
import { buildApp } from '../../gateway/src/api/app';
import { bid, fakeClients, FakeLedger, OP, testConfig, TOKENS, U1, U2 } from '../unit/gateway/fake-market';
import { closeAndClear } from '../unit/gateway/dashboard/seed';
import {
  launchBrowser,
  newPage as pageIn,
  openRound,
  screenshot,
  signIn,
  statusesFromPage,
  textOf,
  uploadCsv,
  waitText,
} from './page';

const instant = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A cleared round of 200 bids from both utilities and an open round closing in 10 minutes. */
async function seed(l: FakeLedger): Promise<string> {
  await l.addRound('r-cleared');
  const sells = Array.from({ length: 100 }, (_, i) =>
    bid(`s${i}`, { side: 'sell', price: `${8 + (i % 40) / 5}`, quantity: `${1 + (i % 7)}` }),
  );
  const buys = Array.from({ length: 100 }, (_, i) =>
    bid(`b${i}`, { price: `${20 - (i % 50) / 5}`, quantity: `${1 + (i % 5)}` }),
  );
  await l.seedBatch(U1, 'r-cleared', sells, '1'.repeat(32));
  await l.seedBatch(U2, 'r-cleared', buys, '2'.repeat(32));
  await closeAndClear(l, 'r-cleared');
  const now = Date.now();
  await l
    .client(OP)
    .openRound({ id: 'r-open', slot: instant(now + 3_600_000), closesAt: instant(now + 600_000) });
  await l.seedBatch(U2, 'r-open', [bid('secret-u2', { price: '17.77' })], '3'.repeat(32));
  return instant(now + 600_000);
}

describe('dashboard in chromium', () => {
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;
  let ledger: FakeLedger;
  let closesAt: string;
  const jsBytes: number[] = [];

  beforeAll(async () => {
    ledger = new FakeLedger();
    closesAt = await seed(ledger);
    ({ app } = await buildApp({ config: testConfig(), clients: fakeClients(ledger) }));
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
    await app.close();
  });

  const newPage = (): Promise<Page> => pageIn(browser, jsBytes);

  it("signs the operator in and shows a cleared round's chart and metrics", async () => {
    const page = await newPage();
    const loadMs = await signIn(page, base, TOKENS.op);
    expect(await textOf(page, '#who')).toContain('OperatorMSP (operator)');
    await openRound(page, 'r-cleared');
    await page.waitForSelector('.chart canvas');
    await page.waitForSelector('dl.metrics');
    const metrics = await textOf(page, 'dl.metrics');
    expect(metrics).toContain('clearing price');
    expect(metrics).toContain('efficiency');
    expect(
      await page.evaluate(`[...document.querySelectorAll('table caption')].map((c) => c.textContent)`),
    ).toContain('Net positions');
    await screenshot(page, 'operator-round.png');
    const total = jsBytes.reduce((a, b) => a + b, 0);
    console.log(`first load ${loadMs} ms; JavaScript ${total} bytes in ${jsBytes.length} files`);
  });

  it('lets a utility submit bids through the form and a CSV file, see them, and see bad fields and rows named', async () => {
    const page = await newPage();
    await signIn(page, base, TOKENS.u1);
    await openRound(page, 'r-open');
    await page.waitForSelector('form[aria-label="new bid in r-open"]');
    await page.select('#bid-side', 'sell');
    await page.type('#bid-price', '12.5');
    await page.type('#bid-quantity', '3');
    await page.click('form[aria-label="new bid in r-open"] button[type=submit]');
    await waitText(page, '.form-status', (t) => t.startsWith('committed'));
    await waitText(page, '#bids tbody', (t) => t.includes('12.5'));
    expect(await page.content()).not.toContain('secret-u2');
    // a zero quantity: the API's 422 names the field, the page shows it next to it
    await page.click('#bid-quantity', { count: 3 });
    await page.type('#bid-quantity', '0');
    await page.click('form[aria-label="new bid in r-open"] button[type=submit]');
    await waitText(page, '#bid-quantity-error', (t) => t !== '');
    expect(await textOf(page, '#bid-quantity-error')).toMatch(/greater than 0/);
    await screenshot(page, 'utility-round.png');

    // a CSV file: both rows committed in one request; then one with a bad row, named by its number
    await uploadCsv(page, 'good.csv', 'id,side,price,quantity\ncsv-1,sell,9.5,2\ncsv-2,sell,10,1.5\n');
    await waitText(page, '.csv-status', (t) => t.startsWith('committed: 2 bid(s)'));
    await waitText(page, '#bids tbody', (t) => t.includes('csv-2'));
    await uploadCsv(page, 'bad.csv', 'id,side,price,quantity\ncsv-3,sell,9,1\ncsv-4,sell,9,0\n');
    await waitText(page, '.csv-status', (t) => t.includes('INVALID_BIDS'));
    const refused = await textOf(page, '.csv-status tbody');
    expect(refused).toContain('2csv-4');
    expect(refused).toContain('quantity');
    expect(await textOf(page, '#bids tbody')).not.toContain('csv-3');
    await screenshot(page, 'utility-csv.png');
    await page.setViewport({ width: 390, height: 844 }); // a phone's width (isMobile would reload)
    await screenshot(page, 'utility-phone.png');
  });

  it("refuses a utility another utility's data in the calls the page makes", async () => {
    const page = await newPage();
    await signIn(page, base, TOKENS.u1);
    const status = await statusesFromPage(page, [
      `/v1/rounds/r-open/bids?utility=${U2}`,
      `/v1/rounds/r-cleared/curves?utility=${U2}`,
    ]);
    expect(status).toEqual([403, 403]);
    await screenshot(page, 'utility-rounds.png');
  });

  it("shows a round's clearing live, without a reload", async () => {
    const page = await newPage();
    await signIn(page, base, TOKENS.op);
    await openRound(page, 'r-open');
    await waitText(page, '#round h2', (t) => t.includes('OPEN'));
    await page.evaluate('window.notReloaded = true');
    await closeAndClear(ledger, 'r-open', closesAt);
    await waitText(page, '#round h2', (t) => t.includes('CLEARED'));
    await page.waitForSelector('dl.metrics');
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    expect(await textOf(page, '#live')).toMatch(/^live/);
    await screenshot(page, 'operator-live-cleared.png');
  });
});
