import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WireAllocation, WireClearingResult } from '../../../engine/src/mechanism/types';
import { FIXTURES, requireBuild, runCli, type CliRun } from './run-cli';

jest.setTimeout(60_000);

let dir: string;
const tmp = (name: string): string => join(dir, name);
const write = (name: string, text: string): string => {
  writeFileSync(tmp(name), text);
  return tmp(name);
};

beforeAll(() => {
  requireBuild();
  dir = mkdtempSync(join(tmpdir(), 'energy-auction-cli-'));
  copyFileSync(join(FIXTURES, 'vector-a.json'), tmp('vector-a.json'));
  copyFileSync(join(FIXTURES, 'vector-a.csv'), tmp('vector-a.csv'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function ok(r: CliRun): string {
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function clearJson(file: string, ...flags: string[]): WireClearingResult {
  return JSON.parse(ok(runCli(['clear', file, '--json', ...flags]))) as WireClearingResult;
}

const quantities = (list: WireAllocation[]): Record<string, string> =>
  Object.fromEntries(list.map((a) => [a.id, a.quantity]));

/** exact decimal sum via scaled BigInt */
const sum = (values: string[], decimals: number): bigint =>
  values.reduce((acc, v) => {
    const [w, f = ''] = v.split('.');
    return acc + BigInt((w ?? '') + f.padEnd(decimals, '0'));
  }, 0n);

/** the CLI refused the input: non-zero exit, nothing on stdout, a message matching every pattern */
function expectRefused(r: CliRun, ...patterns: RegExp[]): void {
  expect(r.stdout).toBe('');
  expect(r.status).not.toBe(0);
  expect(r.status).not.toBeNull();
  for (const p of patterns) expect(r.stderr).toMatch(p);
}

describe('energy-auction clear (docs/mechanism.md §9 vector A)', () => {
  it('clears the JSON file with the default profile at 14.1', () => {
    const r = clearJson(tmp('vector-a.json'));
    expect(r.status).toBe('cleared');
    expect(r.profile).toBe('default');
    expect(r.price).toBe('14.1');
    expect(r.priceRange).toEqual({ min: '10', max: '15' });
    expect(r.breakEven).toEqual({ buyer: 2, seller: 2 });
    expect(quantities(r.buyers)).toEqual({ b1: '1.475', b2: '0.975', b3: '0', b4: '0' });
    expect(quantities(r.sellers)).toEqual({ s1: '0.98', s2: '1.47', s3: '0', s4: '0' });
    expect(r.buyers.find((a) => a.id === 'b1')?.payment).toBe('20.7975000');
    expect(r.totals.energy).toBe('2.45');
    expect(r.metrics.tradedEnergy).toBe('2.45');
  });

  it('clears with --profile doan2021 at 14', () => {
    const r = clearJson(tmp('vector-a.json'), '--profile', 'doan2021');
    expect(r.profile).toBe('doan2021');
    expect(r.price).toBe('14');
    expect(quantities(r.buyers)).toEqual({ b1: '1.5', b2: '1', b3: '0', b4: '0' });
    expect(quantities(r.sellers)).toEqual({ s1: '1', s2: '1.5', s3: '0', s4: '0' });
  });

  it('--json prints one JSON document with every field of the result', () => {
    const out = ok(runCli(['clear', tmp('vector-a.json'), '--json']));
    const r = JSON.parse(out) as Record<string, unknown>;
    for (const k of [
      'status',
      'profile',
      'price',
      'priceRange',
      'breakEven',
      'buyers',
      'sellers',
      'totals',
      'metrics',
    ]) {
      expect(r).toHaveProperty(k);
    }
    for (const k of ['energy', 'buyerPayments', 'sellerReceipts', 'fees'])
      expect(r).toHaveProperty(['totals', k]);
    for (const k of [
      'tradedEnergy',
      'supplyTradedPercent',
      'buyerWelfare',
      'sellerWelfare',
      'socialWelfare',
      'maxSocialWelfare',
      'efficiency',
    ]) {
      expect(r).toHaveProperty(['metrics', k]);
    }
    const res = r as unknown as WireClearingResult;
    // money is conserved: buyers pay what sellers receive plus fees
    expect(sum([res.totals.buyerPayments], 7)).toBe(sum([res.totals.sellerReceipts, res.totals.fees], 7));
    expect(
      sum(
        res.buyers.map((a) => a.quantity),
        3,
      ),
    ).toBe(
      sum(
        res.sellers.map((a) => a.quantity),
        3,
      ),
    );
  });

  it('gives the same result for the CSV file as for the JSON file', () => {
    for (const profile of ['default', 'doan2021']) {
      const fromJson = ok(runCli(['clear', tmp('vector-a.json'), '--json', '--profile', profile]));
      const fromCsv = ok(runCli(['clear', tmp('vector-a.csv'), '--json', '--profile', profile]));
      expect(fromCsv).toBe(fromJson);
    }
  });

  it('--format forces the input format and "-" reads stdin', () => {
    const csv = readFileSync(tmp('vector-a.csv'), 'utf8');
    copyFileSync(tmp('vector-a.csv'), tmp('vector-a.txt'));
    const a = JSON.parse(
      ok(runCli(['clear', tmp('vector-a.txt'), '--format', 'csv', '--json'])),
    ) as WireClearingResult;
    const b = JSON.parse(
      ok(runCli(['clear', '-', '--format', 'csv', '--json'], { input: csv })),
    ) as WireClearingResult;
    expect(a.price).toBe('14.1');
    expect(b.price).toBe('14.1');
    expectRefused(runCli(['clear', tmp('vector-a.txt')]), /format/, /vector-a\.txt/);
  });

  it('--csv prints one line per bid with offered and allocated quantities and payments', () => {
    const lines = ok(runCli(['clear', tmp('vector-a.json'), '--csv']))
      .trimEnd()
      .split('\n');
    expect(lines[0]).toBe('id,side,price,quantity_offered,quantity_allocated,payment');
    expect(lines).toHaveLength(9);
    expect(lines).toContain('b1,buy,20,3,1.475,20.7975000');
    expect(lines).toContain('s4,sell,16,5,0,0.0000000');
    expect(lines.find((l) => l.startsWith('s1,'))).toMatch(/^s1,sell,8,2,0\.98,13\.8180000$/);
  });

  it('prints a readable table by default', () => {
    const out = ok(runCli(['clear', tmp('vector-a.json')]));
    expect(out).toMatch(/status\s+cleared/);
    expect(out).toMatch(/clearing price\s+14\.1 per kWh/);
    expect(out).toMatch(/price range\s+10 \.\. 15/);
    expect(out).toMatch(/efficiency/);
    expect(out).toMatch(/Winners: 2 buyer\(s\), 2 seller\(s\)/);
    // break-even (2, 2) of docs/mechanism.md §9 A: the third buyer and seller in sorted order
    expect(out).toMatch(/break-even\s+buyer b3 at 15, seller s3 at 13\n/);
    expect(out).toMatch(/buy\s+b1\s+20\s+3\s+1\.475/);
    // b3 (allocated 0) has no winner line; it is named above only as the break-even buyer
    expect(out).not.toMatch(/^\s+buy\s+b3\b/m);
  });

  it('names the break-even bids of a simulated round by id and price, as the JSON indexes them', () => {
    const file = tmp('be.json');
    ok(runCli(['simulate', '--buyers', '300', '--sellers', '200', '--seed', '9', '--out', file]));
    const r = clearJson(file);
    const round = JSON.parse(readFileSync(file, 'utf8')) as { bids: { id: string; price: string }[] };
    const price = (id: string | undefined): string | undefined => round.bids.find((b) => b.id === id)?.price;
    const buyer = r.buyers[r.breakEven.buyer]?.id;
    const seller = r.sellers[r.breakEven.seller]?.id;
    expect(buyer).toMatch(/^b\d{7}$/);
    expect(seller).toMatch(/^s\d{7}$/);
    const table = ok(runCli(['clear', file]));
    expect(table).toContain(
      `break-even       buyer ${buyer ?? ''} at ${price(buyer) ?? ''}, seller ${seller ?? ''} at ${price(seller) ?? ''}\n`,
    );
    const nb = r.buyers.filter((a) => a.quantity !== '0').length;
    const ns = r.sellers.filter((a) => a.quantity !== '0').length;
    expect(table).toContain(`Winners: ${nb} buyer(s), ${ns} seller(s)\n`);
  });

  it('applies --fee and --alpha overrides', () => {
    const r = clearJson(tmp('vector-a.csv'), '--fee', '1');
    expect(r.totals.fees).toBe('2.4500000');
    expect(sum([r.totals.buyerPayments], 7)).toBe(sum([r.totals.sellerReceipts, '2.45'], 7));
    const a8 = clearJson(tmp('vector-a.csv'), '--alpha', '8');
    expect(a8.totals.energy).not.toBe('2.45');
  });

  it('shows progress on stderr with --progress and keeps stdout clean', () => {
    const r = runCli(['clear', tmp('vector-a.json'), '--json', '--progress']);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as WireClearingResult).price).toBe('14.1');
    expect(r.stderr).toMatch(/clearing/);
    // and nothing on stderr without it (stderr is not a TTY here)
    expect(runCli(['clear', tmp('vector-a.json'), '--json']).stderr).toBe('');
  });
});

describe('energy-auction compare', () => {
  it('shows both profiles side by side', () => {
    const out = ok(runCli(['compare', tmp('vector-a.json')]));
    expect(out).toMatch(/default\s+doan2021/);
    expect(out).toMatch(/price\s+14\.1\s+14\n/);
    expect(out).toMatch(/traded kWh\s+2\.45\s+2\.5\n/);
    for (const label of [
      'buyer welfare',
      'seller welfare',
      'social welfare',
      'efficiency',
      'supply traded %',
    ]) {
      expect(out).toContain(label);
    }
  });

  it('--json prints both results', () => {
    const r = JSON.parse(ok(runCli(['compare', tmp('vector-a.csv'), '--json']))) as Record<
      string,
      WireClearingResult
    >;
    expect(Object.keys(r).sort()).toEqual(['default', 'doan2021']);
    expect(r.default?.price).toBe('14.1');
    expect(r.doan2021?.price).toBe('14');
    expect(r.doan2021?.metrics.tradedEnergy).toBe('2.5');
  });
});

describe('energy-auction simulate', () => {
  it('is reproducible: same seed, same bytes; other seed, other round', () => {
    const args = ['simulate', '--buyers', '40', '--sellers', '30', '--seed', '11'];
    const a = ok(runCli(args));
    expect(ok(runCli(args))).toBe(a);
    expect(ok(runCli(['simulate', '--buyers', '40', '--sellers', '30', '--seed', '12']))).not.toBe(a);
    ok(runCli([...args, '--out', tmp('sim.json')]));
    expect(readFileSync(tmp('sim.json'), 'utf8')).toBe(a);
    const round = JSON.parse(a) as { params: { alpha: string }; bids: { id: string; side: string }[] };
    expect(round.params.alpha).toBe('4');
    expect(round.bids.filter((b) => b.side === 'buy')).toHaveLength(40);
    expect(round.bids.filter((b) => b.side === 'sell')).toHaveLength(30);
    expect(round.bids[0]?.id).toBe('b0000001');
    expect(round.bids[40]?.id).toBe('s0000001');
  });

  it('round-trips through clear, JSON and CSV alike', () => {
    const base = ['simulate', '--buyers', '200', '--sellers', '150', '--seed', '5'];
    ok(runCli([...base, '--out', tmp('rt.json')]));
    ok(runCli([...base, '--out', tmp('rt.csv')]));
    expect(readFileSync(tmp('rt.csv'), 'utf8').split('\n')[0]).toBe('id,side,price,quantity');
    const fromJson = ok(runCli(['clear', tmp('rt.json'), '--json']));
    expect(ok(runCli(['clear', tmp('rt.csv'), '--json']))).toBe(fromJson);
    const r = JSON.parse(fromJson) as WireClearingResult;
    expect(r.status).toBe('cleared');
    expect(r.buyers).toHaveLength(200);
    expect(r.sellers).toHaveLength(150);
    expect(
      sum(
        r.buyers.map((a) => a.quantity),
        3,
      ),
    ).toBe(
      sum(
        r.sellers.map((a) => a.quantity),
        3,
      ),
    );
  });

  it('honours range options and refuses bad ones', () => {
    const out = ok(
      runCli([
        'simulate',
        '--buyers',
        '30',
        '--sellers',
        '0',
        '--seed',
        '1',
        '--buy-price',
        '30:31',
        '--format',
        'csv',
      ]),
    );
    const rows = out.trimEnd().split('\n').slice(1);
    expect(rows).toHaveLength(30);
    for (const row of rows) expect(row).toMatch(/^b\d{7},buy,(30(\.\d)?|31),\d+(\.\d{1,3})?$/);
    expectRefused(
      runCli(['simulate', '--buyers', '1', '--sellers', '1', '--seed', '1', '--buy-price', '5:4']),
      /--buy-price/,
      /min 5 is greater than max 4/,
    );
    expectRefused(runCli(['simulate', '--buyers', 'x', '--sellers', '1', '--seed', '1']), /--buyers/);
    expectRefused(runCli(['simulate', '--buyers', '1', '--sellers', '1']), /--seed/);
  });
});

describe('energy-auction refuses bad input', () => {
  it('names a missing file and the OS reason', () => {
    const missing = tmp('does-not-exist.json');
    expectRefused(
      runCli(['clear', missing]),
      new RegExp(missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
      /no such file/i,
    );
  });

  it('names the position of bad JSON', () => {
    const f = write(
      'bad.json',
      '{"bids": [\n  {"id": "b1", "side": "buy", "price": "20", "quantity": "3"},\n  {"id": "b2" "side": "buy"}\n]}\n',
    );
    expectRefused(runCli(['clear', f]), /bad\.json/, /invalid JSON/, /line 3, column 15/);
  });

  it('names a missing or extra CSV column', () => {
    expectRefused(
      runCli(['clear', write('missing.csv', 'id,side,price\nb1,buy,20\n')]),
      /missing column "quantity"/,
    );
    expectRefused(
      runCli(['clear', write('extra.csv', 'id,side,price,quantity,colour\nb1,buy,20,3,red\n')]),
      /unexpected column "colour"/,
    );
  });

  it('names the line of a bad CSV record', () => {
    expectRefused(
      runCli(['clear', write('short.csv', 'id,side,price,quantity\nb1,buy,20,3\nb2,buy,18\n')]),
      /line 3/,
      /expected 4 fields/,
    );
    expectRefused(
      runCli(['clear', write('quote.csv', 'id,side,price,quantity\nb1,buy,20,3\nb2,buy,"18,2\n')]),
      /invalid CSV/,
      /line 3/,
    );
  });

  it('names every bad bid with index, id, field and reason', () => {
    const f = write(
      'badbid.json',
      JSON.stringify({
        bids: [
          { id: 'b1', side: 'buy', price: '20', quantity: '3' },
          { id: 'b2', side: 'buy', price: '-5', quantity: '2' },
          { id: 's1', side: 'sell', price: '8', quantity: 2 },
        ],
      }),
    );
    expectRefused(
      runCli(['clear', f]),
      /bids\[1\] \(id b2\)[^\n]*price: \S/,
      /bids\[2\] \(id s1\)[^\n]*quantity: \S/,
    );
    const csv = write('badbid.csv', 'id,side,price,quantity\nb1,buy,20,3\nb2,buy,abc,2\n');
    expectRefused(runCli(['clear', csv]), /bids\[1\] \(id b2\) at line 3, price: \S/);
  });

  it('names duplicate ids', () => {
    const f = write('dup.csv', 'id,side,price,quantity\nb1,buy,20,3\ns1,sell,8,2\nb1,buy,18,2\n');
    const r = runCli(['clear', f]);
    expectRefused(r, /bids\[[02]\] \(id b1\)[^\n]*, id: \S/);
    expect(r.stderr).toMatch(/duplicate/i);
  });

  it('refuses bad command lines with one line and exit 2', () => {
    const r = runCli(['clear', tmp('vector-a.json'), '--bogus']);
    expectRefused(r, /unknown option '--bogus'/);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expectRefused(runCli(['clear', tmp('vector-a.json'), '--json', '--csv']), /cannot be used with/);
    expectRefused(
      runCli(['clear', tmp('vector-a.json'), '--profile', 'nope']),
      /nope/,
      /default, doan2021|"default", "doan2021"/,
    );
  });
});

describe('energy-auction checks flags as flags (exit 2, before any file is read)', () => {
  /** a bad command line: exit 2, nothing on stdout, one line on stderr matching every pattern */
  function expectUsage(r: CliRun, ...patterns: RegExp[]): void {
    expectRefused(r, ...patterns);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }
  const sim = ['simulate', '--buyers', '2', '--sellers', '2', '--seed', '1'];

  it('clear - needs --format', () => {
    const csv = readFileSync(tmp('vector-a.csv'), 'utf8');
    expectUsage(
      runCli(['clear', '-'], { input: csv }),
      /^energy-auction: reading standard input needs --format json\|csv$/m,
    );
    expectUsage(runCli(['compare', '-'], { input: csv }), /standard input needs --format/);
    copyFileSync(tmp('vector-a.csv'), tmp('vector-a.dat'));
    expectUsage(
      runCli(['clear', tmp('vector-a.dat')]),
      /vector-a\.dat from its extension: use --format json\|csv/,
    );
  });

  it('--fee -1 names the flag and what it accepts, not the file', () => {
    const r = runCli(['clear', tmp('vector-a.json'), '--fee', '-1']);
    expectUsage(r, /option '--fee <fee>' argument '-1' is invalid/, /expected a number in \[0, 1000000\]/);
    expect(r.stderr).not.toMatch(/vector-a|invalid round|serviceFee/);
    // the flag is refused before the file is opened: a missing file is not even looked at
    expectUsage(runCli(['clear', tmp('nowhere.json'), '--fee', '-1']), /--fee/);
    expectUsage(runCli(['compare', tmp('vector-a.csv'), '--fee', '2000000']), /--fee/, /got 2000000/);
  });

  it('--alpha abc and a bad --grid-step name the flag and what it accepts', () => {
    const r = runCli(['clear', tmp('vector-a.json'), '--alpha', 'abc']);
    expectUsage(r, /option '--alpha <alpha>' argument 'abc' is invalid/, /expected a number greater than 0/);
    expect(r.stderr).not.toMatch(/vector-a|invalid round/);
    expectUsage(runCli(['clear', tmp('vector-a.json'), '--alpha', '0']), /--alpha/, /greater than 0/);
    expectUsage(
      runCli(['compare', tmp('vector-a.json'), '--grid-step', '0.00001']),
      /option '--grid-step <step>' argument '0\.00001' is invalid/,
      /at most 4 decimal/,
    );
  });

  it('simulate --buy-price 30:20 names the flag and the reason', () => {
    const out = tmp('never-written.json');
    expectUsage(
      runCli([...sim, '--buy-price', '30:20', '--out', out]),
      /option '--buy-price <min:max>' argument '30:20' is invalid/,
      /min 30 is greater than max 20/,
      /expected MIN:MAX per kWh/,
    );
    expect(() => readFileSync(out)).toThrow(/ENOENT/);
    expectUsage(runCli([...sim, '--buy-price', '30-20']), /--buy-price/, /must be MIN:MAX/);
    expectUsage(runCli([...sim, '--quantity', '0:0']), /--quantity/, /MAX > 0/);
  });

  it('simulate checks --seed, --price-decimals and --alpha as flags too', () => {
    expectUsage(
      runCli(['simulate', '--buyers', '1', '--sellers', '1', '--seed', '4294967296']),
      /option '--seed <n>' argument '4294967296' is invalid/,
      /\[0, 4294967295\]/,
    );
    expectUsage(runCli([...sim, '--price-decimals', '5']), /--price-decimals/, /\[0, 4\]/);
    expectUsage(runCli([...sim, '--alpha', '0']), /--alpha/, /greater than 0/);
  });

  it('simulate names the flags of a bad combination, and of an --out without a format', () => {
    expectUsage(
      runCli([...sim, '--buy-price', '14.05:14.07', '--price-decimals', '0']),
      /^energy-auction: simulate: --buy-price: no valid value with 0 decimal\(s\)/m,
    );
    expect(ok(runCli([...sim, '--buy-price', '14.05:14.07', '--price-decimals', '2']))).toMatch(
      /"14\.0[5-7]"/,
    );
    expectUsage(runCli([...sim, '--out', tmp('round.txt')]), /round\.txt/, /--format/);
  });

  it('clear <directory> says it is a directory (exit 1: the input, not the command line)', () => {
    for (const args of [[dir], [dir, '--format', 'json']]) {
      const r = runCli(['clear', ...args]);
      expectRefused(r, /is a directory/);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`energy-auction: cannot read ${dir}: is a directory\n`);
    }
  });
});

describe('energy-auction --help', () => {
  it('documents every command with examples', () => {
    expect(ok(runCli(['--help']))).toMatch(/clear[\s\S]*simulate[\s\S]*compare[\s\S]*Examples:/);
    for (const cmd of ['clear', 'simulate', 'compare']) {
      const out = ok(runCli([cmd, '--help']));
      expect(out).toMatch(new RegExp(`Usage: energy-auction ${cmd}`));
      expect(out).toMatch(/Examples:\n\s+\$ energy-auction/);
    }
  });

  it('exits quietly when the reader of the help goes away (--help | true)', () => {
    const bin = join(__dirname, '..', '..', '..', 'bin', 'energy-auction.js');
    const r = spawnSync(
      'bash',
      ['-c', '"$0" "$1" --help | true; echo "exit ${PIPESTATUS[0]}"', process.execPath, bin],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(r.stdout).toBe('exit 0\n');
  });

  it('points at the spec in the repo, docs/mechanism.md', () => {
    for (const args of [['--help'], ['clear', '--help'], ['compare', '--help'], ['simulate', '--help']]) {
      const out = ok(runCli(args));
      expect(out).not.toMatch(/MECHANISM|shared\//);
      if (args[0] !== 'simulate') expect(out.replace(/\s+/g, ' ')).toContain('docs/mechanism.md');
    }
  });
});
