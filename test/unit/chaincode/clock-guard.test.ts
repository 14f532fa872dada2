import * as fs from 'node:fs';
import * as path from 'node:path';
import { submitBatch } from '../../../chaincode/src/bids';
import {
  DEFAULT_MAX_CLOCK_SKEW_SECONDS,
  guardEndorsementClock,
  parseMaxClockSkew,
} from '../../../chaincode/src/clock-guard';
import { MarketError } from '../../../chaincode/src/errors';
import { collectionOf } from '../../../chaincode/src/keys';
import type { Ledger } from '../../../chaincode/src/ledger';
import { closeRound, getRound, listCommitmentValues, openRound } from '../../../chaincode/src/rounds';
import { MemoryChannel, type TxOptions } from './memory-ledger';

const OP = 'OperatorMSP';
const U1 = 'Utility1MSP';
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0) / 1000;
const CLOSES = '2026-01-01T12:15:00Z';
const CLOSE_S = T0 + 15 * 60;
const BIDS = [{ id: 'b1', side: 'buy', price: '15', quantity: '1' }];

const newChannel = () => new MemoryChannel({ [collectionOf(U1)]: [U1, OP] });

async function codeOf(p: Promise<unknown>): Promise<MarketError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MarketError);
  return err as MarketError;
}

/** A transaction whose proposal says `time` while the endorser's clock says `endorserTime`. */
const at = (ch: MemoryChannel, msp: string, time: number, endorserTime: number, salt = 'a') => {
  const opts: TxOptions = {
    msp,
    time,
    endorserTime,
    transient: { batch: JSON.stringify({ salt: salt.repeat(32), bids: BIDS }) },
  };
  return <T>(body: (l: Ledger) => Promise<T>) => ch.run(opts, body);
};

async function openR1(ch: MemoryChannel): Promise<void> {
  await at(ch, OP, T0, T0)((l) => openRound(l, { id: 'r1', slot: '2026-01-01T13:00:00Z', closesAt: CLOSES }));
}

describe('MARKET_MAX_CLOCK_SKEW_SECONDS', () => {
  it('defaults to 5 s and accepts positive seconds up to 300', () => {
    expect(parseMaxClockSkew(undefined)).toBe(DEFAULT_MAX_CLOCK_SKEW_SECONDS);
    expect(parseMaxClockSkew('')).toBe(5);
    expect(parseMaxClockSkew('2.5')).toBe(2.5);
    expect(parseMaxClockSkew('300')).toBe(300);
  });

  it.each(['0', '-1', 'abc', '301', '1e3', '5s', 'NaN'])(
    'refuses %j, naming the variable and value',
    (raw) => {
      let err: unknown;
      try {
        parseMaxClockSkew(raw);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MarketError);
      expect((err as MarketError).code).toBe('INVALID_ARGUMENT');
      expect((err as MarketError).details).toEqual({ variable: 'MARKET_MAX_CLOCK_SKEW_SECONDS', got: raw });
    },
  );
});

describe('guardEndorsementClock', () => {
  const ledger = (txSeconds: number, endorserSeconds: number): Ledger =>
    ({ txTimeMs: txSeconds * 1000, endorserTimeMs: () => endorserSeconds * 1000 }) as Ledger;
  const refusal = (f: () => void): MarketError => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(MarketError);
      return e as MarketError;
    }
    throw new Error('the guard accepted');
  };

  it('accepts a timestamp within the skew either way, the bound included', () => {
    for (const d of [0, 4.999, -4.999, 5, -5])
      expect(() => guardEndorsementClock(ledger(T0 + d, T0))).not.toThrow();
  });

  it('refuses a backdated proposal with CLOCK_SKEW and both times', () => {
    const e = refusal(() => guardEndorsementClock(ledger(T0 - 60, T0)));
    expect(e.code).toBe('CLOCK_SKEW');
    expect(e.message).toContain('60 s behind');
    expect(e.details).toEqual({
      txTime: '2026-01-01T11:59:00.000Z',
      endorserTime: '2026-01-01T12:00:00.000Z',
      maxSkewSeconds: 5,
    });
  });

  it('refuses a future-dated proposal, just past the bound', () => {
    const e = refusal(() => guardEndorsementClock(ledger(T0 + 5.001, T0)));
    expect(e.code).toBe('CLOCK_SKEW');
    expect(e.message).toContain('ahead of');
  });

  it('takes the bound it is given', () => {
    expect(() => guardEndorsementClock(ledger(T0 - 8, T0), undefined, 10)).not.toThrow();
    expect(refusal(() => guardEndorsementClock(ledger(T0 - 8, T0), undefined, 1)).details).toMatchObject({
      maxSkewSeconds: 1,
    });
  });

  it('refuses a bid once the endorser clock reaches closesAt, a close before it', () => {
    const bid = { roundId: 'r1', closesAt: CLOSES, endorserClock: 'before-close' } as const;
    const close = { ...bid, endorserClock: 'at-or-after-close' } as const;
    expect(() => guardEndorsementClock(ledger(CLOSE_S - 1, CLOSE_S - 0.001), bid)).not.toThrow();
    const late = refusal(() => guardEndorsementClock(ledger(CLOSE_S - 1, CLOSE_S), bid));
    expect(late.code).toBe('BIDDING_CLOSED');
    expect(late.details).toEqual({
      roundId: 'r1',
      closesAt: CLOSES,
      endorserTime: '2026-01-01T12:15:00.000Z',
    });
    expect(() => guardEndorsementClock(ledger(CLOSE_S + 1, CLOSE_S), close)).not.toThrow();
    expect(refusal(() => guardEndorsementClock(ledger(CLOSE_S + 1, CLOSE_S - 0.5), close)).code).toBe(
      'TOO_EARLY',
    );
  });
});

describe('the time rules of SubmitBids, OpenRound and CloseRound use the guard', () => {
  it('a late bid backdated to before closesAt is refused and nothing is written', async () => {
    const ch = newChannel();
    await openR1(ch);
    const e = await codeOf(at(ch, U1, CLOSE_S - 60, CLOSE_S + 1)((l) => submitBatch(l, 'r1')));
    expect(e.code).toBe('CLOCK_SKEW');
    const none = await at(ch, OP, CLOSE_S + 2, CLOSE_S + 2)((l) => listCommitmentValues(l, 'r1'));
    expect(none).toEqual([]);
  });

  it('a late bid dated within the skew but before closesAt is refused by the endorser clock', async () => {
    const ch = newChannel();
    await openR1(ch);
    const e = await codeOf(at(ch, U1, CLOSE_S - 1, CLOSE_S + 1)((l) => submitBatch(l, 'r1')));
    expect(e.code).toBe('BIDDING_CLOSED');
    expect(e.details).toMatchObject({ endorserTime: '2026-01-01T12:15:01.000Z' });
  });

  it('a future-dated bid while open is refused; one within the skew is accepted', async () => {
    const ch = newChannel();
    await openR1(ch);
    expect((await codeOf(at(ch, U1, T0 + 120, T0 + 60)((l) => submitBatch(l, 'r1')))).code).toBe(
      'CLOCK_SKEW',
    );
    const ok = await at(ch, U1, T0 + 57, T0 + 60, 'b')((l) => submitBatch(l, 'r1'));
    expect(ok.bidCount).toBe(1);
  });

  it('a backdated OpenRound whose closesAt has passed by the endorser clock is refused', async () => {
    const ch = newChannel();
    const req = { id: 'r1', slot: '2026-01-01T13:00:00Z', closesAt: '2026-01-01T11:59:30Z' };
    expect((await codeOf(at(ch, OP, T0 - 60, T0)((l) => openRound(l, req)))).code).toBe('CLOCK_SKEW');
    expect((await codeOf(at(ch, OP, T0, T0)((l) => getRound(l, 'r1')))).code).toBe('NOT_FOUND');
  });

  it('CloseRound: backdated, future-dated before close and endorser-early closes are refused', async () => {
    const ch = newChannel();
    await openR1(ch);
    const close = (time: number, endorser: number) => at(ch, OP, time, endorser)((l) => closeRound(l, 'r1'));
    expect((await codeOf(close(CLOSE_S - 50, CLOSE_S + 10))).code).toBe('CLOCK_SKEW');
    expect((await codeOf(close(CLOSE_S + 60, T0 + 60))).code).toBe('CLOCK_SKEW');
    expect((await codeOf(close(CLOSE_S + 2, CLOSE_S - 2))).code).toBe('TOO_EARLY');
    expect((await close(CLOSE_S + 1, CLOSE_S + 1)).status).toBe('CLOSED');
  });
});

describe('determinism (DESIGN invariant 9)', () => {
  const dir = path.join(__dirname, '../../../chaincode/src');
  const sources = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: f, text: fs.readFileSync(path.join(dir, f), 'utf8') }));
  const filesWith = (re: RegExp) => sources.filter((s) => re.test(s.text)).map((s) => s.file);

  it('only the clock guard reads the endorser clock or the environment', () => {
    expect(filesWith(/\.endorserTimeMs\(/)).toEqual(['clock-guard.ts']);
    expect(filesWith(/process\.env/)).toEqual(['clock-guard.ts']);
  });

  it('only the clock guard module calls Date.now; nothing calls Math.random or new Date()', () => {
    expect(filesWith(/Date\.now\(/)).toEqual(['clock-guard.ts']);
    expect(filesWith(/Math\.random\(|new Date\(\)/)).toEqual([]);
  });
});
