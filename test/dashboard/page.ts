/**
 * What the dashboard's browser tests do with a page, as a user would: launch Debian's chromium
 * headless through puppeteer-core, sign in, click a round, wait for text, pick a CSV file. Shared
 * by test/e2e/dashboard.browser.test.ts (the real network) and test/dashboard/ (in-memory market).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const ARTIFACTS = path.resolve(__dirname, '../../dist/test-artifacts/dashboard');
export const CHROMIUM = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

/** Headless chromium (scripts/ensure-chromium.sh installs it); artifacts folder created. */
export async function launchBrowser(): Promise<Browser> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`no browser at ${CHROMIUM}: run bash scripts/ensure-chromium.sh (or set CHROMIUM=)`);
  }
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

/** A page in its own browser context (own sessionStorage), 1100 x 900, adding the JS it loads to `jsBytes`. */
export async function newPage(browser: Browser, jsBytes: number[] = []): Promise<Page> {
  const ctx = await browser.createBrowserContext();
  const page = await ctx.newPage();
  await page.setViewport({ width: 1100, height: 900 });
  page.on('response', (r) => {
    if (r.url().endsWith('.js'))
      void r.buffer().then(
        (b) => jsBytes.push(b.length),
        () => undefined,
      );
  });
  return page;
}

/** Loads the page, signs in with `token`, waits for the rounds table; the load's duration (ms). */
export async function signIn(page: Page, base: string, token: string): Promise<number> {
  const t0 = Date.now();
  await page.goto(`${base}/dashboard/`, { waitUntil: 'load' });
  const loadMs = Date.now() - t0;
  await page.type('#token', token);
  await page.click('#signin-form button[type=submit]');
  await page.waitForSelector('#rounds table');
  return loadMs;
}

/** The text of the first element matching `selector`, null if none (evaluated in the page). */
export const textOf = (page: Page, selector: string): Promise<string | null> =>
  page.evaluate(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? null`) as Promise<
    string | null
  >;

/** Waits until the text of `selector` satisfies `ok` (`ms` at most, default 10 s). */
export async function waitText(
  page: Page,
  selector: string,
  ok: (text: string) => boolean,
  ms = 10_000,
): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const text = await textOf(page, selector);
    if (text !== null && ok(text)) return;
    if (Date.now() > until) throw new Error(`${selector}: ${JSON.stringify(text)} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Chooses a CSV file with `text` in the upload form (as a user picking a file). */
export async function uploadCsv(page: Page, name: string, text: string): Promise<void> {
  const file = path.join(ARTIFACTS, name);
  fs.writeFileSync(file, text);
  const input = await page.$('#bids-csv');
  if (!input) throw new Error('no CSV upload on the page');
  // the test's tsconfig has no DOM types, so not ElementHandle<HTMLInputElement>
  await (input as unknown as { uploadFile: (...paths: string[]) => Promise<void> }).uploadFile(file);
}

/**
 * Clicks the button of round `id` in the rounds table (waits for it to be listed). Found and clicked
 * in one step in the page: the live updates redraw the table, so a handle found first may be gone.
 */
export async function openRound(page: Page, id: string): Promise<void> {
  await waitText(page, '#rounds', (t) => t.includes(id));
  const clicked = (await page.evaluate(`(() => {
    const b = [...document.querySelectorAll('#rounds button.link')].find((x) => x.textContent === ${JSON.stringify(id)});
    b?.click();
    return b !== undefined;
  })()`)) as boolean;
  if (!clicked) throw new Error(`no round ${id} on the page`);
}

/** Fills the bid form of round `roundId` and submits it. */
export async function submitBidForm(
  page: Page,
  roundId: string,
  bid: { side: 'buy' | 'sell'; price: string; quantity: string },
): Promise<void> {
  const form = `form[aria-label="new bid in ${roundId}"]`;
  await page.waitForSelector(form);
  await page.select('#bid-side', bid.side);
  await page.click('#bid-price', { count: 3 });
  await page.type('#bid-price', bid.price);
  await page.click('#bid-quantity', { count: 3 });
  await page.type('#bid-quantity', bid.quantity);
  await page.click(`${form} button[type=submit]`);
}

/** A full-page screenshot in the artifacts folder. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
}

/** The statuses of `paths` fetched from inside the page with the page's own token (what a curious utility could try from its console). */
export async function statusesFromPage(page: Page, paths: string[]): Promise<number[]> {
  return (await page.evaluate(`(async () => {
    const h = { authorization: 'Bearer ' + sessionStorage.getItem('energy-auction.token') };
    const out = [];
    for (const p of ${JSON.stringify(paths)}) out.push((await fetch(p, { headers: h })).status);
    return out;
  })()`)) as number[];
}

/** Lets the page save downloads into `dir` (created; the browser's own download, as a user's click). */
export async function allowDownloads(page: Page, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const cdp = await page.createCDPSession();
  await cdp.send('Browser.setDownloadBehavior', {
    behavior: 'allow',
    downloadPath: dir,
    ...(page.browserContext().id ? { browserContextId: page.browserContext().id } : {}),
  });
}

/** The text of file `name` in `dir` once the browser has finished writing it (`ms` at most). */
export async function downloaded(dir: string, name: string, ms = 10_000): Promise<string> {
  const file = path.join(dir, name);
  const until = Date.now() + ms;
  while (!fs.existsSync(file)) {
    if (Date.now() > until) throw new Error(`no download ${name} in ${dir} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return fs.readFileSync(file, 'utf8');
}

/** The cells' text of each body row of the first table matching `selector`. */
export const tableRows = (page: Page, selector: string): Promise<string[][]> =>
  page.evaluate(
    `[...(document.querySelector(${JSON.stringify(selector)})?.tBodies[0]?.rows ?? [])].map((r) => [...r.cells].map((c) => c.textContent))`,
  ) as Promise<string[][]>;
