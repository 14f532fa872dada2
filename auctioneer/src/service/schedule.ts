/**
 * Round schedule: one round per delivery slot. Pure functions of the time (epoch milliseconds),
 * so the schedule is the same after any restart and re-opening a round is idempotent.
 */

export interface ScheduleConfig {
  /** delivery slot length in minutes (divides a day: 5, 15, 30, 60 …) */
  slotMinutes: number;
  /** gate closure: bidding for a slot closes this many seconds before the slot starts */
  gateClosureSeconds: number;
  /** how many upcoming slots to keep open for bidding */
  openAheadSlots: number;
  /** a round is only opened if its bidding stays open at least this long (ms) */
  minBiddingMs: number;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Start (epoch ms) of the slot containing `t`. */
export function slotStartOf(t: number, slotMinutes: number): number {
  const len = slotMinutes * 60_000;
  return Math.floor(t / len) * len;
}

/** Round id of a slot: `slot-YYYYMMDDTHHMMZ` (UTC). */
export function roundIdForSlot(slotStart: number): string {
  const d = new Date(slotStart);
  return (
    `slot-${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`
  );
}

/** RFC 3339 UTC with whole seconds (`YYYY-MM-DDTHH:MM:SSZ`), the chaincode's instant format. */
export function formatInstant(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Epoch ms of a `YYYY-MM-DDTHH:MM:SSZ` instant (NaN when it is not one). */
export function parseInstantMs(text: string): number {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(text) ? Date.parse(text) : NaN;
}

export interface PlannedRound {
  id: string;
  /** slot start, RFC 3339 UTC */
  slot: string;
  /** bidding closes, RFC 3339 UTC */
  closesAt: string;
  closesAtMs: number;
}

/** The round of the slot starting at `slotStart`. */
export function plannedRound(
  slotStart: number,
  cfg: Pick<ScheduleConfig, 'gateClosureSeconds'>,
): PlannedRound {
  const closesAtMs = slotStart - cfg.gateClosureSeconds * 1000;
  return {
    id: roundIdForSlot(slotStart),
    slot: formatInstant(slotStart),
    closesAt: formatInstant(closesAtMs),
    closesAtMs,
  };
}

/**
 * The rounds that should be open at `now`: the next `openAheadSlots` slots (starting with the
 * first slot that begins after `now`) whose bidding is still open for at least `minBiddingMs`.
 */
export function roundsToOpen(now: number, cfg: ScheduleConfig): PlannedRound[] {
  const len = cfg.slotMinutes * 60_000;
  const out: PlannedRound[] = [];
  const first = slotStartOf(now, cfg.slotMinutes) + len;
  // a slot whose gate is already (almost) closed is skipped; look at most a day ahead
  for (let s = first; out.length < cfg.openAheadSlots && s < first + 86_400_000 + len; s += len) {
    const r = plannedRound(s, cfg);
    if (r.closesAtMs - now >= cfg.minBiddingMs) out.push(r);
  }
  return out;
}

/** Validates a schedule; returns the problems (empty when fine). */
export function scheduleProblems(cfg: ScheduleConfig): string[] {
  const p: string[] = [];
  if (!Number.isInteger(cfg.slotMinutes) || cfg.slotMinutes < 1 || 1440 % cfg.slotMinutes !== 0) {
    p.push('slotMinutes must be a whole number of minutes that divides a day');
  }
  if (!Number.isInteger(cfg.gateClosureSeconds) || cfg.gateClosureSeconds < 0) {
    p.push('gateClosureSeconds must be a non-negative integer');
  }
  if (cfg.gateClosureSeconds >= cfg.slotMinutes * 60 * 24) {
    p.push('gateClosureSeconds must be shorter than a day of slots');
  }
  if (!Number.isInteger(cfg.openAheadSlots) || cfg.openAheadSlots < 1) {
    p.push('openAheadSlots must be a positive integer');
  }
  return p;
}
