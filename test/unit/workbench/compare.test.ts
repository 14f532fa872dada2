/**
 * `energy-auction compare` with the mechanisms of docs/mechanisms.md (the built CLI): one row per
 * mechanism, the same figures as --csv and --json, the default two-profile run, and the flag's
 * checks. The numbers are docs/mechanisms.md's example A (docs/mechanism.md §9 vector A).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMechanism, type MechanismResult } from '../../../engine/src/mechanisms';
import type { WireRound } from '../../../engine/src/mechanism/types';
import { COMPARE_CSV_HEADER, formatMechanismCsv, priceText } from '../../../workbench/src/compare-format';
import { parseMechanisms } from '../../../workbench/src/commands/compare';
import { buy, sell, VECTOR_A } from '../engine/mechanism/helpers';
import { FIXTURES, requireBuild, runCli, type CliRun } from './run-cli';

jest.setTimeout(60_000);

const VECTOR_A_FILE = join(FIXTURES, 'vector-a.json');
let dir: string;

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'energy-auction-compare-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function ok(r: CliRun): string {
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** The table's row of a mechanism, split on runs of 2+ spaces. */
function row(out: string, mechanism: string): string[] {
  const line = out.split('\n').find((l) => l.startsWith(`${mechanism} `));
  if (line === undefined) throw new Error(`no row for ${mechanism} in\n${out}`);
  return line.split(/ {2,}/);
}

describe('compare --mechanisms (docs/mechanisms.md example A)', () => {
  it('prints one row per mechanism with price(s), kWh, welfare, efficiency, balance, winners, IR', () => {
    const out = ok(runCli(['compare', VECTOR_A_FILE, '--mechanisms', 'all']));
    expect(out.split('\n')[0]).toMatch(/^mechanism\s+valuation\s+status\s+price\s+traded kWh\s+supply %/);
    expect(row(out, 'uniform')).toEqual([
      'uniform', 'step', 'cleared', '14', '7', '58.33',
      '28.0000000', '26.0000000', '54.0000000', '54.0000000', '1.000000', '0.0000000', '3/3', '0',
    ]); // prettier-ignore
    expect(row(out, 'mcafee')).toEqual([
      'mcafee', 'step', 'cleared', '15 / 13', '5', '41.67',
      '21.0000000', '19.0000000', '50.0000000', '54.0000000', '0.925926', '10.0000000', '2/2', '0',
    ]); // prettier-ignore
    expect(row(out, 'vcg')).toContain('-7.0000000');
    expect(row(out, 'pay-as-bid').slice(3, 4)).toEqual(['18 / 10.2857']);
    expect(row(out, 'default').slice(0, 5)).toEqual(['default', 'quadratic', 'cleared', '14.1', '2.45']);
    expect(
      out.split('\n').filter((l) => /^(default|doan2021|uniform|pay-as-bid|mcafee|vcg) /.test(l)),
    ).toHaveLength(6);
  });

  it('keeps the order given and each name once', () => {
    const out = ok(runCli(['compare', VECTOR_A_FILE, '--mechanisms', 'vcg, uniform,vcg']));
    const names = out
      .split('\n')
      .slice(1)
      .map((l) => l.split(' ')[0])
      .filter((n) => n === 'vcg' || n === 'uniform');
    expect(names).toEqual(['vcg', 'uniform']);
    expect(parseMechanisms('mcafee,all')).toEqual([
      'mcafee',
      'default',
      'doan2021',
      'uniform',
      'pay-as-bid',
      'vcg',
    ]);
  });

  it('--json gives every result in full, equal to the engine; --csv the same figures', () => {
    const round = { bids: VECTOR_A } as WireRound;
    const json = JSON.parse(
      ok(runCli(['compare', VECTOR_A_FILE, '--mechanisms', 'uniform,vcg,doan2021', '--json'])),
    ) as object;
    expect(Object.keys(json)).toEqual(['uniform', 'vcg', 'doan2021']);
    const expected = {
      uniform: runMechanism('uniform', round),
      vcg: runMechanism('vcg', round),
      doan2021: runMechanism('doan2021', round),
    };
    expect(json).toEqual(JSON.parse(JSON.stringify(expected)));

    const csv = ok(runCli(['compare', VECTOR_A_FILE, '--mechanisms', 'uniform,vcg,doan2021', '--csv']));
    expect(csv).toBe(formatMechanismCsv(expected));
    const [header, ...lines] = csv.trimEnd().split('\n');
    expect(header).toBe(COMPARE_CSV_HEADER);
    const cols = (header ?? '').split(',');
    const records = lines.map(
      (l): Record<string, string> => Object.fromEntries(l.split(',').map((v, i) => [cols[i] ?? '', v])),
    );
    for (const rec of records) {
      const r = expected[rec.mechanism as 'uniform' | 'vcg' | 'doan2021'];
      expect(rec).toMatchObject({
        price: r.price ?? '',
        traded_kwh: r.metrics.tradedEnergy,
        social_welfare: r.metrics.socialWelfare,
        efficiency: r.metrics.efficiency,
        operator_balance: r.totals.operatorBalance,
        winning_buyers: String(r.winners.buyers),
        ir_violations: String(r.irViolations),
      });
    }
    expect(records.find((r) => r.mechanism === 'vcg')).toMatchObject({
      price: '',
      buyer_price: '14.1429',
      seller_price: '15.1429',
      operator_balance: '-7.0000000',
    });
  });

  it('reports doan2021 paying a seller below its ask as an IR violation (docs/mechanisms.md example D)', () => {
    const file = join(dir, 'example-d.json');
    const round: WireRound = {
      params: { gridStep: '4' },
      bids: [buy('b1', '13', '100'), sell('s1', '0', '1'), sell('s2', '10', '1'), sell('s3', '12', '1')],
    };
    writeFileSync(file, JSON.stringify(round));
    const out = ok(runCli(['compare', file, '--mechanisms', 'default,doan2021']));
    expect(row(out, 'doan2021').at(-1)).toBe('1');
    expect(row(out, 'default').at(-1)).toBe('0');
    // and in the default side-by-side run
    expect(ok(runCli(['compare', file]))).toMatch(/IR violations\s+0\s+1\n/);
  });
});

describe('compare without --mechanisms: the two profiles side by side, as before', () => {
  it('prints the former rows and three more', () => {
    const out = ok(runCli(['compare', VECTOR_A_FILE]));
    expect(out).toMatch(/^\s+default\s+doan2021\n/);
    expect(out).toMatch(/price range\s+10 \.\. 15\s+10 \.\. 15\n/);
    expect(out).toMatch(/operator balance\s+0\.0000000\s+0\.0000000\n/);
    expect(out).toMatch(/winners \(b\/s\)\s+2\/2\s+2\/2\n/);
    expect(out).toMatch(/IR violations\s+0\s+0\n$/);
  });

  it('--fee 0.5: the fees are the operator balance', () => {
    const r = JSON.parse(ok(runCli(['compare', VECTOR_A_FILE, '--fee', '0.5', '--json']))) as Record<
      string,
      MechanismResult
    >;
    expect(r.default?.totals.fees).toBe('1.2250000');
    expect(r.default?.totals.operatorBalance).toBe('1.2250000');
    expect(r.default?.priceRange).toEqual({ min: '10', max: '15' });
  });
});

describe('compare --plot', () => {
  it('writes welfare and efficiency per mechanism as SVG, and still prints the table', () => {
    const svg = join(dir, 'compare.svg');
    const out = ok(runCli(['compare', VECTOR_A_FILE, '--mechanisms', 'uniform,mcafee,vcg', '--plot', svg]));
    expect(row(out, 'mcafee')[3]).toBe('15 / 13');
    const text = readFileSync(svg, 'utf8');
    expect(text).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    for (const name of ['uniform', 'mcafee', 'vcg', 'Welfare per mechanism', 'Efficiency per mechanism']) {
      expect(text).toContain(name);
    }
    const png = runCli(['compare', VECTOR_A_FILE, '--plot', join(dir, 'x.png')]);
    expect(png.status).toBe(2);
    expect(png.stderr).toMatch(/--plot <file\.svg>/);
  });
});

describe('compare flag checks (exit 2, naming the flag, the value and what is accepted)', () => {
  it('an unknown mechanism', () => {
    const r = runCli(['compare', VECTOR_A_FILE, '--mechanisms', 'uniform,vickrey']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/option '--mechanisms <list>' argument 'uniform,vickrey' is invalid/);
    expect(r.stderr).toMatch(/unknown mechanism "vickrey"/);
    expect(r.stderr).toMatch(/default, doan2021, uniform, pay-as-bid, mcafee, vcg, or all/);
    // refused before the file is read
    expect(runCli(['compare', join(dir, 'nowhere.json'), '--mechanisms', '']).status).toBe(2);
  });

  it('--csv with --json', () => {
    const r = runCli(['compare', VECTOR_A_FILE, '--csv', '--json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/'--csv' cannot be used with option '--json'/);
  });
});

it('priceText: the one price, else the two averages, else "-"', () => {
  const base = runMechanism('mcafee', { bids: VECTOR_A });
  expect(priceText(base)).toBe('15 / 13');
  expect(priceText({ ...base, price: '14' })).toBe('14');
  expect(priceText({ ...base, price: null, averagePrice: null })).toBe('-');
  expect(priceText({ ...base, price: null, averagePrice: { buyers: '3', sellers: '3' } })).toBe('3');
});
