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

  it('refuses a property named twice, naming the bid, the property and where', async () => {
    const text =
      '{"bids": [\n  {"id": "b0", "side": "buy", "price": "1", "quantity": "1"},\n  {"id": "b1", "side": "buy", "price": "20", "price": "99", "quantity": "2"}\n]}';
    const msg = await refused(readRound(file('dup.json', text)));
    expect(msg).toBe(
      `${join(dir, 'dup.json')}: bids[1] (id b1): property "price" appears twice (again at line 3, column 46); ` +
        'each name may appear once in an object (JSON.parse would silently keep the last)',
    );
    // in params, at the top level, and an escaped spelling of the same name
    expect(
      await refused(readRound(file('dupp.json', '{"params": {"alpha": "4", "alpha": "2"}, "bids": []}'))),
    ).toMatch(/dupp\.json: params: property "alpha" appears twice \(again at line 1, column 27\)/);
    expect(await refused(readRound(file('dupt.json', '{"bids": [], "bids": []}')))).toMatch(
      /dupt\.json: the top level: property "bids" appears twice/,
    );
    expect(
      await refused(
        readRound(file('dupe.json', '{"bids": [{"id": "x", "s\\u0069de": "buy", "side": "sell"}]}')),
      ),
    ).toMatch(/bids\[0\] \(id x\): property "side" appears twice/);
  });

  it('names a missing file with the OS reason', async () => {
    const msg = await refused(readRound(join(dir, 'nope.json')));
    expect(msg).toBe(`cannot read ${join(dir, 'nope.json')}: no such file or directory (ENOENT)`);
  });
});

describe('readRound (CSV)', () => {
  it('reads bids with the header in any order, optional alpha, blank lines and a BOM', async () => {
    const p = file('ok.csv', '\ufeffside,id,quantity,price,alpha\r\nbuy,b1,3,20,1.5\n\nsell,"s1",2,8,\n');
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

  it('refuses padded fields as JSON refuses padded strings, naming line, column, value and the fix', async () => {
    const msg = await refused(
      readRound(file('pad.csv', 'id,side,price,quantity\nb0,buy,1,1\nb1, buy, 20, 2\n')),
    );
    expect(msg).toBe(
      `${join(dir, 'pad.csv')}: line 3, column "side": " buy" has leading or trailing whitespace; ` +
        'fields are taken as they are, as in JSON round files: write "buy"',
    );
    // quoted spaces too, a trailing tab, and a padded alpha
    expect(await refused(readRound(file('padq.csv', 'id,side,price,quantity\n" b1",buy,20,2\n')))).toMatch(
      /line 2, column "id": " b1" has leading or trailing whitespace; .* write "b1"$/,
    );
    expect(await refused(readRound(file('padt.csv', 'price,id,side,quantity\n20\t,b1,buy,2\n')))).toMatch(
      /line 2, column "price": "20\\t" has leading/,
    );
    expect(
      await refused(readRound(file('pada.csv', 'id,side,price,quantity,alpha\n\nb1,buy,20,2, 4\n'))),
    ).toMatch(/line 3, column "alpha": " 4"/);
  });

  it('takes header names as JSON takes property names: exactly, lower case, unpadded', async () => {
    expect(await refused(readRound(file('hp.csv', 'id, side,price,quantity\n')))).toMatch(
      /line 1: bad CSV header \(unexpected column " side" \(no spaces around a column name: "side"\)/,
    );
    expect(await refused(readRound(file('hc.csv', 'ID,side,price,quantity\n')))).toMatch(
      /unexpected column "ID" \(column names are lower case: "id"\)/,
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
