/**
 * The dashboard in headless chromium against the API on the in-memory market (the unit tests'
 * FakeLedger: the real chaincode logic, no Fabric): sign-in, the operator's chart and metrics, a
 * utility's bid form and its errors, and a utility refused another's data. Screenshots go to
 * dist/test-artifacts/dashboard/. Run: `npm run test:dashboard` (CHROMIUM=/path to override). The
 * same on the real network: test/e2e/dashboard.browser.test.ts (in `npm test`); this one is quick,
 * needs no network, and also checks a field's 422 error next to it and the phone width.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'puppeteer-core';
import { buildApp } from '../../gateway/src/api/app';
import type { UtilityAccount } from '../../chaincode/src/model';
import {
  auth,
  bid,
  fakeClients,
  FakeLedger,
  OP,
  testConfig,
  TOKENS,
  U1,
  U2,
} from '../unit/gateway/fake-market';
import { closeAndClear, settleRound } from '../unit/gateway/dashboard/seed';
import {
  allowDownloads,
  ARTIFACTS,
  downloaded,
  launchBrowser,
  newPage as pageIn,
  openRound,
  screenshot,
  signIn,
  statusesFromPage,
  tableRows,
  textOf,
  uploadCsv,
  waitText,
} from './page';

const instant = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A settled round: Utility1 buys p1 (metered 1.9 of its 2 kWh) and sells p2 (no reading: missing),
 * Utility2 sells q1 (no reading). Readings before the slot's gate, settled after it (now).
 */
async function seedSettled(l: FakeLedger): Promise<void> {
  // the chaincode's default delivery parameters, given: the service settles only such rounds
  await l.addRound('r-settled', 'OPEN', {
    delivery: { shortPremium: '0.2', longDiscount: '0.2', slotSeconds: 900, gateClosureSeconds: 3600 },
  });
  const u1 = await l.seedBatch(
    U1,
    'r-settled',
    [bid('p1', { price: '20', quantity: '2' }), bid('p2', { side: 'sell', price: '8', quantity: '1' })],
    '4'.repeat(32),
  );
  await l.seedBatch(
    U2,
    'r-settled',
    [bid('q1', { side: 'sell', price: '10', quantity: '2' })],
    '5'.repeat(32),
  );
  await closeAndClear(l, 'r-settled');
  l.now = () => Date.parse('2026-01-01T12:30:00Z');
  await l
    .client(U1)
    .submitMeterReadings('r-settled', [{ batchId: u1.batchId, id: 'p1', side: 'buy', quantity: '1.9' }]);
  l.now = Date.now;
  await settleRound(l, 'r-settled');
}

/**
 * A cleared round of 200 bids from both utilities, a settled one (seedSettled) and an open round
 * closing in 10 minutes.
 */
async function seed(l: FakeLedger): Promise<string> {
  await seedSettled(l);
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
      `/v1/rounds/r-settled/statement?utility=${U2}`,
      `/v1/accounts/${U2}`,
      `/v1/accounts/${U2}/bills`,
      '/v1/accounts/operator',
    ]);
    expect(status).toEqual([403, 403, 403, 403, 403, 403]);
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
  it("shows a utility its settlement lines, a settled round's statement, its account and bills, and exports every table as CSV", async () => {
    const page = await newPage();
    const calls: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/v1/')) calls.push(u.pathname + u.search);
    });
    const downloads = path.join(ARTIFACTS, 'downloads-u1');
    fs.rmSync(downloads, { recursive: true, force: true });
    await signIn(page, base, TOKENS.u1);
    await allowDownloads(page, downloads);
    const u1 = ledger.client(U1);

    // a cleared round: its settlement lines, no statement yet
    await openRound(page, 'r-cleared');
    await page.waitForSelector('#settlement table');
    const settlement = await u1.getSettlement('r-cleared');
    expect(settlement.lines.length).toBeGreaterThan(0);
    expect(await tableRows(page, '#settlement table')).toEqual(
      settlement.lines.map((l) => [l.batchId, l.id, l.side, l.quantity, l.payment]),
    );
    expect(await page.$('#statement table')).toBeNull();

    // its 100 bids a page of 50 at a time from the API, and all of them as one download
    await waitText(page, '#bids nav', (t) => t.includes('page 1 of 2 (100 bids)'));
    const firstPage = await tableRows(page, '#bids table');
    await page.click('#bids nav button:last-child');
    await waitText(page, '#bids nav', (t) => t.includes('page 2 of 2'));
    const secondPage = await tableRows(page, '#bids table');
    expect([firstPage.length, secondPage.length]).toEqual([50, 50]);
    const listed = (
      await app.inject({ method: 'GET', url: '/v1/rounds/r-cleared/bids', headers: auth(TOKENS.u1) })
    ).json<{ batches: { batchId: string; bids: { id: string }[] }[] }>();
    const ids = listed.batches.flatMap((b) => b.bids.map((x) => `${b.batchId}/${x.id}`));
    expect([...firstPage, ...secondPage].map((r) => `${r[5]}/${r[0]}`)).toEqual(ids);
    expect(calls.some((c) => c.startsWith('/v1/rounds/r-cleared/bids?limit=50&cursor=50'))).toBe(true);
    await page.click('#bids button.download');
    const allBids = (await downloaded(downloads, 'bids-r-cleared.csv')).trim().split('\n');
    expect(allBids[0]).toBe('id,side,price,kWh,alpha,batch');
    expect(allBids.slice(1).map((l) => `${l.split(',')[5]}/${l.split(',')[0]}`)).toEqual(ids);

    // a settled round: the statement's lines, one reading metered and one missing
    await openRound(page, 'r-settled');
    await page.waitForSelector('#statement table');
    await page.waitForSelector('#settlement table');
    const statement = await u1.getStatement('r-settled');
    const statementRows = await tableRows(page, '#statement table');
    expect(statementRows).toEqual(
      statement.lines.map((l) => [
        l.id,
        l.side,
        l.allocated,
        l.metered,
        l.reading,
        l.trade,
        l.fee,
        l.imbalance,
        l.net,
      ]),
    );
    expect(statementRows.map((r) => r[4]).sort()).toEqual(['metered', 'missing']);
    expect(await textOf(page, '#statement dl.totals')).toContain(statement.statement.net);
    expect(await page.content()).not.toContain('q1');

    // the table's export: the browser downloads exactly the rows shown
    await page.click('#statement a.csv');
    const exported = (await downloaded(downloads, 'statement-r-settled.csv')).trim().split('\n');
    expect(exported[0]).toBe('bid,side,allocated kWh,metered kWh,reading,trade,fee,imbalance,net');
    expect(exported.slice(1)).toEqual(statementRows.map((r) => r.join(',')));
    await screenshot(page, 'utility-settled.png');

    // the account: one entry per settled round, its totals
    await page.waitForSelector('#account-entries table');
    const account = (await u1.getAccount('')) as UtilityAccount;
    const entries = await tableRows(page, '#account-entries table');
    expect(entries.map((r) => r[0])).toEqual(account.entries.map((e) => e.roundId));
    expect(entries.map((r) => r[0])).toContain('r-settled');
    expect(await textOf(page, '#account-entries dl.totals')).toContain(account.totals.net);

    // bills for 1 January 2026 (the rounds' slot day): the table, and the API's CSV downloaded
    await page.evaluate(`(() => {
      document.getElementById('bills-from').value = '2026-01-01';
      document.getElementById('bills-to').value = '2026-01-01';
    })()`);
    await page.click('form[aria-label="bills for a period"] button[type=submit]');
    await page.waitForSelector('#bills table');
    const period = 'from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z';
    const bills = (
      await app.inject({ method: 'GET', url: `/v1/accounts/${U1}/bills?${period}`, headers: auth(TOKENS.u1) })
    ).json<{ bills: Record<string, string | number>[] }>();
    expect(bills.bills.map((b) => b.prosumer)).toEqual(['p1', 'p2']);
    const billRows = await tableRows(page, '#bills table');
    expect(billRows.map((r) => r[0])).toEqual(['p1', 'p2']);
    expect(billRows.map((r) => r[10])).toEqual(bills.bills.map((b) => String(b['net'])));
    await page.click('form[aria-label="bills for a period"] button.download');
    const billsCsv = await downloaded(downloads, 'bills-2026-01-01-2026-01-01.csv');
    const apiCsv = await app.inject({
      method: 'GET',
      url: `/v1/accounts/${U1}/bills?${period}&format=csv`,
      headers: auth(TOKENS.u1),
    });
    expect(billsCsv).toBe(apiCsv.body);
    expect(billsCsv.split('\n').length).toBe(4); // header, p1, p2, ''

    // every table of the page has its export (the bills: the API's CSV above)
    const bare = await page.evaluate(
      `[...document.querySelectorAll('table')].filter((t) => !t.closest('.table-block') && !t.closest('#bills')).map((t) => t.caption?.textContent)`,
    );
    expect(bare).toEqual([]);
    await page.click('#rounds a.csv');
    const rounds = await downloaded(downloads, 'rounds.csv');
    for (const id of ['r-open', 'r-cleared', 'r-settled']) expect(rounds).toContain(`\n${id},`);
    await screenshot(page, 'utility-account.png');
    await page.setViewport({ width: 390, height: 844 });
    await screenshot(page, 'utility-account-phone.png');

    // the page asked only for its own data
    expect(calls.filter((c) => c.includes('Utility2') || c.includes('utility='))).toEqual([]);
    const accountCalls = calls.filter((c) => c.startsWith('/v1/accounts/'));
    expect(accountCalls.length).toBeGreaterThanOrEqual(3);
    for (const c of accountCalls) expect(c.startsWith(`/v1/accounts/${U1}`)).toBe(true);
  });

  it('shows the operator its fee and imbalance account, paged', async () => {
    // 20 more settled rounds of one trade each (no readings): 21 entries, a page holds 20
    for (let i = 0; i < 20; i++) {
      const id = `r-p${String(i).padStart(2, '0')}`;
      await ledger.addRound(id);
      await ledger.seedBatch(U1, id, [bid('x', { price: '20', quantity: '1' })], 'a'.repeat(32));
      await ledger.seedBatch(
        U2,
        id,
        [bid('y', { side: 'sell', price: '10', quantity: '1' })],
        'b'.repeat(32),
      );
      await closeAndClear(ledger, id);
      await settleRound(ledger, id);
    }
    const page = await newPage();
    await signIn(page, base, TOKENS.op);
    await page.waitForSelector('#account-entries table');
    const account = await ledger.client(OP).getAccount('operator');
    expect(account.kind).toBe('operator');
    expect(account.entries).toHaveLength(21);
    const ids = account.entries.map((e) => e.roundId);
    const shownIds = async (): Promise<string[]> =>
      (await tableRows(page, '#account-entries table')).map((r) => r[0] ?? '');
    expect(await shownIds()).toEqual(ids.slice(0, 20));
    expect(await textOf(page, '#account-entries nav')).toContain('rounds 1–20 of 21');
    expect(await textOf(page, '#account-entries dl.totals')).toContain(account.totals.net);
    expect(await page.$('#bills-from')).toBeNull();
    await screenshot(page, 'operator-account.png');
    await page.click('#account-entries nav button:last-child');
    await waitText(page, '#account-entries nav', (t) => t.includes('rounds 21–21 of 21'));
    expect(await shownIds()).toEqual(ids.slice(20));
    await page.click('#account-entries nav button:first-child');
    await waitText(page, '#account-entries nav', (t) => t.includes('rounds 1–20 of 21'));
    expect(await shownIds()).toEqual(ids.slice(0, 20));
  });

  it("shows the operator each round's meter readings gate, and a settled round's delivery record", async () => {
    // a cleared round whose readings are still open: slot in an hour, gate 15 min + 1 h after it
    const slotMs = Math.ceil(Date.now() / 1000) * 1000 + 3_600_000;
    await ledger.addRound('r-gate', 'OPEN', {
      slot: instant(slotMs),
      delivery: { slotSeconds: 900, gateClosureSeconds: 3600 },
    });
    await ledger.seedBatch(U1, 'r-gate', [bid('g1', { price: '20', quantity: '1' })], 'c'.repeat(32));
    await ledger.seedBatch(
      U2,
      'r-gate',
      [bid('h1', { side: 'sell', price: '10', quantity: '1' })],
      'd'.repeat(32),
    );
    await closeAndClear(ledger, 'r-gate');
    const gate = instant(slotMs + 4_500_000);

    const page = await newPage();
    await signIn(page, base, TOKENS.op);
    await waitText(page, '#rounds', (t) => t.includes('r-gate'));
    const rows = await tableRows(page, '#rounds table');
    const readings = new Map(rows.map((r) => [r[0], r[5]]));
    expect(readings.get('r-settled')).toBe('settled');
    expect(readings.get('r-cleared')).toBe('—'); // opened without delivery parameters
    expect(readings.get('r-gate')).toMatch(/^readings close in 2 h 1[45] min$/);

    await openRound(page, 'r-gate');
    await page.waitForSelector('#delivery');
    expect(await textOf(page, '#delivery')).toContain(`Meter readings until ${gate}`);
    // the round's parameters, as the ledger holds them
    await page.click('details.parameters summary');
    const params = await textOf(page, 'details.parameters dl');
    const record = await ledger.client(OP).getRound('r-gate');
    for (const v of [record.params.alpha, record.params.gridStep, record.mechanismVersion, gate, '900 s']) {
      expect(params).toContain(v);
    }

    await openRound(page, 'r-settled');
    await page.waitForSelector('#delivery table');
    // a settled round is still a cleared one: its chart and metrics stay (they were gone)
    expect(await textOf(page, 'dl.metrics')).toContain('clearing price');
    const summary = await ledger.client(OP).getDelivery('r-settled');
    expect(await tableRows(page, '#delivery table')).toEqual(
      summary.positions.map((p) => [p.utility, p.energyNet, p.moneyNet]),
    );
    const totals = await textOf(page, '#delivery dl.totals');
    for (const v of [
      summary.operator.net,
      summary.operator.imbalanceCharges,
      summary.imbalancePrices.short,
    ]) {
      expect(totals).toContain(v);
    }
    expect(totals).toContain(`${summary.readingCount} in ${summary.readingBatchCount} batches`);
    expect(await page.$('#delivery a.csv')).not.toBeNull();
    await screenshot(page, 'operator-delivery.png');
  });
});
