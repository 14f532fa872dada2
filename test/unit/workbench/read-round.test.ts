import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../../../workbench/src/errors';
import { detectFormat, readRound } from '../../../workbench/src/read-round';

let dir: string;
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'read-round-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refused(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return (e as Error).message;
  }
  throw new Error('expected the read to fail');
}

describe('detectFormat', () => {
  it('goes by extension unless forced', () => {
    expect(detectFormat('a/b.JSON')).toBe('json');
    expect(detectFormat('r.csv')).toBe('csv');
    expect(detectFormat('r.json', 'csv')).toBe('csv');
    expect(() => detectFormat('r.txt')).toThrow(/r\.txt.*--format/);
    expect(() => detectFormat('-')).toThrow(/standard input needs --format/);
  });

  it('calls a missing --format a usage error (exit code 2)', () => {
    for (const path of ['r.txt', '-']) {
      let caught: unknown;
      try {
        detectFormat(path);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(CliError);
      expect((caught as CliError).exitCode).toBe(2);
    }
  });
});

describe('readRound (the path)', () => {
  it('names a directory as a directory, whatever its name or --format', async () => {
    const sub = join(dir, 'a-dir.json');
    mkdirSync(sub);
    for (const format of [undefined, 'csv'] as const) {
      expect(await refused(readRound(sub, { format }))).toBe(`cannot read ${sub}: is a directory`);
    }
    expect(await refused(readRound(dir))).toMatch(/is a directory$/);
  });
});

describe('readRound (JSON)', () => {
  it('returns the document as a WireRound, untouched', async () => {
    const doc = {
      params: { profile: 'doan2021', alpha: '2' },
      bids: [{ id: 'b1', side: 'buy', price: '20', quantity: '3', alpha: '1.5' }],
    };
    const r = await readRound(file('ok.json', '\ufeff' + JSON.stringify(doc)));
    expect(r.format).toBe('json');
    expect(r.round).toEqual(doc);
    expect(r.locateBids).toBeUndefined();
  });

  it('leaves bid contents to the engine (numbers are passed through, not coerced)', async () => {
    const r = await readRound(
      file('num.json', '{"bids":[{"id":"b1","side":"buy","price":20,"quantity":"3"}]}'),
    );
    expect(r.round.bids[0]?.price).toBe(20);
  });

  it('refuses a bad outline', async () => {
    expect(await refused(readRound(file('arr.json', '[]')))).toMatch(/top level must be an object/);
    expect(await refused(readRound(file('nobids.json', '{"params":{}}')))).toMatch(/"bids" must be an array/);
    expect(await refused(readRound(file('params.json', '{"params":3,"bids":[]}')))).toMatch(
      /"params" must be an object/,
    );
    expect(await refused(readRound(file('extra.json', '{"bids":[],"bid":[]}')))).toMatch(
      /unexpected top-level field\(s\): bid/,
    );
  });

  it('names the line and column of a syntax error', async () => {
    const msg = await refused(readRound(file('syntax.json', '{\n  "bids": [\n    {"id": "b1",}\n  ]\n}')));
    expect(msg).toMatch(/syntax\.json: invalid JSON at line 3, column 17/);
  });

  it('names a missing file with the OS reason', async () => {
    const msg = await refused(readRound(join(dir, 'nope.json')));
    expect(msg).toBe(`cannot read ${join(dir, 'nope.json')}: no such file or directory (ENOENT)`);
  });
});

describe('readRound (CSV)', () => {
  it('reads bids with the header in any order, optional alpha, blank lines and a BOM', async () => {
    const p = file('ok.csv', '\ufeffside,id,quantity,price,alpha\r\nbuy,b1,3,20,1.5\n\n sell , s1 ,2,8,\n');
    const r = await readRound(p);
    expect(r.format).toBe('csv');
    expect(r.round).toEqual({
      bids: [
        { id: 'b1', side: 'buy', price: '20', quantity: '3', alpha: '1.5' },
        { id: 's1', side: 'sell', price: '8', quantity: '2' },
      ],
    });
    expect(await r.locateBids?.([0, 1])).toEqual(
      new Map([
        [0, 2],
        [1, 4],
      ]),
    );
  });

  it('reads many rows', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `b${i},buy,${i % 30}.5,1.25`);
    const r = await readRound(file('many.csv', ['id,side,price,quantity', ...rows].join('\n')));
    expect(r.round.bids).toHaveLength(5000);
    expect(r.round.bids[4999]).toEqual({ id: 'b4999', side: 'buy', price: '19.5', quantity: '1.25' });
    expect(await r.locateBids?.([4999, 7])).toEqual(
      new Map([
        [7, 9],
        [4999, 5001],
      ]),
    );
  });

  it('names missing, unknown and duplicate columns', async () => {
    expect(await refused(readRound(file('m.csv', 'id,side,price\n')))).toMatch(
      /line 1: .*missing column "quantity"/,
    );
    expect(await refused(readRound(file('u.csv', 'id,side,price,quantity,note\n')))).toMatch(
      /unexpected column "note"/,
    );
    expect(await refused(readRound(file('d.csv', 'id,side,price,quantity,price\n')))).toMatch(
      /duplicate column "price"/,
    );
    expect(await refused(readRound(file('e.csv', '')))).toMatch(/empty CSV file/);
  });

  it('names the line of a record with the wrong number of fields or bad quoting', async () => {
    expect(
      await refused(readRound(file('n.csv', 'id,side,price,quantity\nb1,buy,20,3\nb2,buy,18,2,9\n'))),
    ).toMatch(/n\.csv: line 3: expected 4 fields \(id,side,price,quantity\), got 5/);
    expect(await refused(readRound(file('q.csv', 'id,side,price,quantity\nb1,buy,"20,3\n')))).toMatch(
      /q\.csv: invalid CSV: .*line 2/,
    );
  });
});
