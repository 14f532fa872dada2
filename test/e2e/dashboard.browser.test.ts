/**
 * The dashboard (issue #16) in a real headless browser, Debian's chromium through puppeteer-core,
 * against the real Fabric network: the API and the operator's auctioneer (manual mode: it closes
 * and clears the rounds the test opens) run in-process as in api.test.ts. One round, opened for
 * ~40 s with bids of both utilities through the API:
 *  - the operator's page shows it OPEN, then CLEARED without a reload (live), with the chart and
 *    the metrics;
 *  - a utility submits a bid through the form and two through a CSV file and sees them, and sees a
 *    bad CSV row named by its number;
 *  - a utility is refused the other's bids and curves in the calls its page can make, and the
 *    other's bids never appear in its page.
 * Screenshots: dist/test-artifacts/dashboard/e2e-*.png. Chromium: scripts/ensure-chromium.sh (run by
 * `npm test`), CHROMIUM= to point elsewhere. Run: `npx jest test/e2e/dashboard --selectProjects e2e --runInBand`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { startAuctioneer, type AuctioneerHandle } from '../../auctioneer/src/service/service';
import { DEMO_TOKENS, loadConfig } from '../../gateway/src/api/config';
import { startApi, type ApiHandle } from '../../gateway/src/api/server';
import { ApiClient, instant } from '../../gateway/src/rest-client';
import { systemTargets } from '../../launcher/src/system-targets';
import { up } from '../../network/src/network';
import {
  launchBrowser,
  newPage,
  openRound,
  screenshot,
  signIn,
  statusesFromPage,
  submitBidForm,
  textOf,
  uploadCsv,
  waitText,
} from '../dashboard/page';

const MINUTE = 60_000;
const log = (line: string): void => void process.stdout.write(line + '\n');

/** `n` bids of one side, prices spread so that the curves cross. */
const bidsOf = (prefix: string, side: 'buy' | 'sell', n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    side,
    price: side === 'sell' ? `${8 + i}` : `${20 - i}`,
    quantity: `${1 + (i % 4)}`,
  }));

describe('dashboard in chromium on the Fabric network', () => {
  let api: ApiHandle | undefined;
  let auctioneer: AuctioneerHandle | undefined;
  let browser: Browser | undefined;
  let tmp: string;
  let base: string;
  let roundId: string;
  let operatorPage: Page;
  let clearedAt = 0;
  const jsBytes: number[] = [];

  beforeAll(async () => {
    await up({ log });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dashboard-e2e-'));
    auctioneer = await startAuctioneer(
      {
        mode: 'manual',
        http: { port: 0 },
        checkpointFile: path.join(tmp, 'checkpoint.json'),
        reconcileIntervalMs: 5_000,
        logLevel: 'warn',
      },
      { onCleared: (c) => void (c.roundId === roundId && (clearedAt = Date.now())) },
    );
    await auctioneer.ready;
    api = await startApi({
      config: loadConfig({}, { port: 0, logLevel: 'warn', batch: { maxWaitMs: 20 } }),
      system: systemTargets(auctioneer),
    });
    browser = await launchBrowser();
    base = api.url;

    const now = Date.now();
    roundId = `dash-${now}`;
    const operator = new ApiClient(base, DEMO_TOKENS.operator);
    await operator.openRound({
      id: roundId,
      slot: instant(Math.ceil((now + MINUTE) / 900_000) * 900_000),
      closesAt: instant(now + 40_000),
    });
    await Promise.all([
      new ApiClient(base, DEMO_TOKENS.utility1).submitBids(roundId, bidsOf('api-s', 'sell', 12)),
      new ApiClient(base, DEMO_TOKENS.utility2).submitBids(roundId, bidsOf('secret-u2-', 'buy', 12)),
    ]);
  }, 10 * MINUTE);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await auctioneer?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('signs the operator in and shows the open round', async () => {
    operatorPage = await newPage(browser!, jsBytes);
    const loadMs = await signIn(operatorPage, base, DEMO_TOKENS.operator);
    expect(await textOf(operatorPage, '#who')).toContain('OperatorMSP (operator)');
    await openRound(operatorPage, roundId);
    await waitText(operatorPage, '#round h2', (t) => t.includes('OPEN'));
    await operatorPage.waitForSelector('.chart canvas'); // the bids so far
    await operatorPage.evaluate('window.notReloaded = true');
    await screenshot(operatorPage, 'e2e-operator-open.png');
    // the system panel: every node up with a block height, chaincode servers, the auctioneer
    await waitText(operatorPage, '#system', (t) => t.includes('peer0.utility2'));
    const system = (await operatorPage.evaluate(`(async () => {
      const h = { authorization: 'Bearer ' + sessionStorage.getItem('energy-auction.token') };
      return (await fetch('/v1/system', { headers: h })).json();
    })()`)) as {
      nodes: { name: string; status: string; height: number | null }[];
      chaincodeServers: { status: string }[];
      auctioneer: { state: string } | null;
    };
    log(`dashboard: system ${JSON.stringify(system.nodes)}`);
    expect(system.nodes.map((n) => n.status)).toEqual(Array(6).fill('up'));
    for (const n of system.nodes) expect(n.height).toBeGreaterThan(0);
    expect(system.chaincodeServers.map((c) => c.status)).toEqual(['up', 'up', 'up']);
    expect(system.auctioneer?.state).toBe('ready');
    await screenshot(operatorPage, 'e2e-operator-system.png');
    const total = jsBytes.reduce((a, b) => a + b, 0);
    log(`dashboard: first load ${loadMs} ms; JavaScript ${total} bytes in ${jsBytes.length} files`);
  });

  it('lets a utility submit bids through the form and a CSV file and see them', async () => {
    const page = await newPage(browser!);
    await signIn(page, base, DEMO_TOKENS.utility1);
    await openRound(page, roundId);
    await waitText(page, '#bids tbody', (t) => t.includes('api-s0'));
    await submitBidForm(page, roundId, { side: 'sell', price: '12.5', quantity: '3' });
    await waitText(page, '.form-status', (t) => t.startsWith('committed'), 20_000);
    await waitText(page, '#bids tbody', (t) => t.includes('12.5'));

    await uploadCsv(page, 'e2e-good.csv', 'id,side,price,quantity\ncsv-1,sell,9.5,2\ncsv-2,sell,10,1.5\n');
    await waitText(page, '.csv-status', (t) => t.startsWith('committed: 2 bid(s)'), 20_000);
    await waitText(page, '#bids tbody', (t) => t.includes('csv-2'));
    await uploadCsv(page, 'e2e-bad.csv', 'id,side,price,quantity\ncsv-3,sell,9,1\ncsv-4,sell,9,0\n');
    await waitText(page, '.csv-status', (t) => t.includes('INVALID_BIDS'));
    expect(await textOf(page, '.csv-status tbody')).toContain('2csv-4');
    expect(await textOf(page, '#bids tbody')).not.toContain('csv-3');
    await screenshot(page, 'e2e-utility-bids.png');
  });

  it("refuses a utility the other utility's data", async () => {
    const page = await newPage(browser!);
    await signIn(page, base, DEMO_TOKENS.utility1);
    await openRound(page, roundId);
    await waitText(page, '#bids tbody', (t) => t.includes('api-s0'));
    expect(await page.content()).not.toContain('secret-u2');
    const r = encodeURIComponent(roundId);
    expect(
      await statusesFromPage(page, [
        `/v1/rounds/${r}/bids?utility=Utility2MSP`,
        `/v1/rounds/${r}/curves?utility=Utility2MSP`,
        `/v1/rounds/${r}/settlement?utility=Utility2MSP`,
        '/v1/system',
      ]),
    ).toEqual([403, 403, 403, 403]);
  });

  it(
    "shows the round's clearing live, then its chart and metrics",
    async () => {
      await waitText(operatorPage, '#round h2', (t) => t.includes('CLEARED'), 2 * MINUTE);
      // from the chaincode event, not the 30 s fallback poll nor the page's 60 s reload (the page
      // may even be first: the auctioneer hears of the commit after the peers have it)
      const shownAt = Date.now();
      for (let i = 0; i < 300 && clearedAt === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(clearedAt).toBeGreaterThan(0);
      const lagMs = shownAt - clearedAt;
      log(`dashboard: the clearing on screen ${lagMs} ms after the auctioneer's commit returned`);
      expect(lagMs).toBeLessThan(10_000);
      await operatorPage.waitForSelector('dl.metrics');
      await operatorPage.waitForSelector('.chart canvas');
      expect(await operatorPage.evaluate('window.notReloaded')).toBe(true);
      expect(await textOf(operatorPage, '#live')).toMatch(/^live/);
      const metrics = await textOf(operatorPage, 'dl.metrics');
      expect(metrics).toContain('clearing price');
      expect(metrics).toContain('efficiency');
      expect(
        await operatorPage.evaluate(
          `[...document.querySelectorAll('table caption')].map((c) => c.textContent)`,
        ),
      ).toContain('Net positions');
      await screenshot(operatorPage, 'e2e-operator-cleared.png');
    },
    3 * MINUTE,
  );
});
