import {
  formatInstant,
  parseInstantMs,
  plannedRound,
  roundIdForSlot,
  roundsToOpen,
  scheduleProblems,
  slotStartOf,
} from '../../../auctioneer/src/service/schedule';

const at = (iso: string): number => Date.parse(iso);
const cfg = { slotMinutes: 15, gateClosureSeconds: 300, openAheadSlots: 2, minBiddingMs: 60_000 };

describe('schedule math', () => {
  it('derives the round id from the slot start', () => {
    expect(roundIdForSlot(at('2026-01-01T13:00:00Z'))).toBe('slot-20260101T1300Z');
    expect(roundIdForSlot(at('2026-12-31T23:45:00Z'))).toBe('slot-20261231T2345Z');
  });

  it('finds the slot containing an instant', () => {
    expect(slotStartOf(at('2026-01-01T13:14:59.999Z'), 15)).toBe(at('2026-01-01T13:00:00Z'));
    expect(slotStartOf(at('2026-01-01T13:15:00Z'), 15)).toBe(at('2026-01-01T13:15:00Z'));
    expect(slotStartOf(at('2026-01-01T13:59:00Z'), 60)).toBe(at('2026-01-01T13:00:00Z'));
  });

  it('closes bidding gate-closure seconds before the slot, in the chaincode instant format', () => {
    const r = plannedRound(at('2026-01-01T13:00:00Z'), { gateClosureSeconds: 300 });
    expect(r).toEqual({
      id: 'slot-20260101T1300Z',
      slot: '2026-01-01T13:00:00Z',
      closesAt: '2026-01-01T12:55:00Z',
      closesAtMs: at('2026-01-01T12:55:00Z'),
    });
    expect(formatInstant(at('2026-01-01T12:55:00.900Z'))).toBe('2026-01-01T12:55:00Z');
    expect(parseInstantMs('2026-01-01T12:55:00Z')).toBe(at('2026-01-01T12:55:00Z'));
    expect(parseInstantMs('2026-01-01T12:55:00.000Z')).toBeNaN();
  });

  it('opens the next slots whose bidding is still open long enough', () => {
    // 12:50: slot 13:00 closes 12:55 (5 min left) -> open 13:00 and 13:15
    expect(roundsToOpen(at('2026-01-01T12:50:00Z'), cfg).map((r) => r.id)).toEqual([
      'slot-20260101T1300Z',
      'slot-20260101T1315Z',
    ]);
    // 12:54:30: slot 13:00 closes in 30 s < minBidding -> skipped
    expect(roundsToOpen(at('2026-01-01T12:54:30Z'), cfg).map((r) => r.id)).toEqual([
      'slot-20260101T1315Z',
      'slot-20260101T1330Z',
    ]);
    // deterministic: the same instant gives the same rounds (idempotent re-open after restart)
    expect(roundsToOpen(at('2026-01-01T12:50:00Z'), cfg)).toEqual(
      roundsToOpen(at('2026-01-01T12:50:00Z'), cfg),
    );
    // gate closure longer than a slot: the first slot is skipped
    expect(
      roundsToOpen(at('2026-01-01T12:50:00Z'), { ...cfg, gateClosureSeconds: 1200, openAheadSlots: 1 }).map(
        (r) => r.closesAt,
      ),
    ).toEqual(['2026-01-01T12:55:00Z']);
  });

  it('rejects impossible schedules', () => {
    expect(scheduleProblems(cfg)).toEqual([]);
    expect(scheduleProblems({ ...cfg, slotMinutes: 7 })).toHaveLength(1);
    expect(scheduleProblems({ ...cfg, openAheadSlots: 0 })).toHaveLength(1);
    expect(scheduleProblems({ ...cfg, gateClosureSeconds: -1 })).toHaveLength(1);
  });
});
