/**
 * The one place where the chaincode reads a clock of its own (DESIGN invariant 9): the proposal
 * timestamp is chosen by the client, so every transaction whose rules depend on time also checks it
 * against the endorser's clock. The guard only ever rejects: endorsers whose clocks disagree fail
 * the endorsement, they cannot write different state. Every write is endorsed by the operator's
 * peer (endorsement policy), so a utility cannot escape the guard by endorsing on its own peer.
 */
import { MarketError } from './errors';
import type { Ledger } from './ledger';
import { parseInstant } from './time';

/**
 * The endorser's own clock: the chaincode's one non-deterministic read (DESIGN invariant 9). Only
 * guardEndorsementClock uses it (through Ledger.endorserTimeMs), and only to refuse a proposal.
 */
export const readEndorserClockMs = (): number => Date.now();

export const MAX_CLOCK_SKEW_ENV = 'MARKET_MAX_CLOCK_SKEW_SECONDS';
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 5;
/** A bound past this would let a proposal's timestamp drift by a large part of a round. */
export const MAX_CLOCK_SKEW_LIMIT_SECONDS = 300;

/** The configured bound: `raw` (the env var's text) or the default; throws on anything else. */
export function parseMaxClockSkew(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_CLOCK_SKEW_SECONDS;
  const value = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(value > 0 && value <= MAX_CLOCK_SKEW_LIMIT_SECONDS)) {
    throw new MarketError(
      'INVALID_ARGUMENT',
      `${MAX_CLOCK_SKEW_ENV} must be a number of seconds in (0, ${MAX_CLOCK_SKEW_LIMIT_SECONDS}]`,
      { variable: MAX_CLOCK_SKEW_ENV, got: raw },
    );
  }
  return value;
}

/** Read once, when the chaincode server loads the contract: a bad value stops the server. */
export const MAX_CLOCK_SKEW_SECONDS = parseMaxClockSkew(process.env[MAX_CLOCK_SKEW_ENV]);

/** What the endorser's clock must also say about a round's close time. */
export interface CloseTimeRule {
  roundId: string;
  closesAt: string;
  /** SubmitBids: the endorser's clock is before closesAt; CloseRound: at or after it. */
  endorserClock: 'before-close' | 'at-or-after-close';
}

/** What the endorser's clock must also say about a round's gate closure (delivery-params.ts). */
export interface GateTimeRule {
  roundId: string;
  gateClosesAt: string;
  /** SubmitMeterReadings: the endorser's clock is before the gate closure; SettleDelivery: at or after it. */
  endorserClock: 'before-gate' | 'at-or-after-gate';
}

export type TimeRule = CloseTimeRule | GateTimeRule;

const iso = (ms: number): string => new Date(ms).toISOString();

/** A rule as one instant, the side of it the endorser's clock must be on, and the refusal. */
interface RuleCheck {
  field: 'closesAt' | 'gateClosesAt';
  instant: string;
  before: boolean;
  refusal: () => { code: 'BIDDING_CLOSED' | 'TOO_EARLY' | 'GATE_CLOSED'; text: string };
}

function checkOf(rule: TimeRule): RuleCheck {
  const id = rule.roundId;
  if ('gateClosesAt' in rule) {
    const before = rule.endorserClock === 'before-gate';
    const at = rule.gateClosesAt;
    return {
      field: 'gateClosesAt',
      instant: at,
      before,
      refusal: () =>
        before
          ? {
              code: 'GATE_CLOSED',
              text: `meter readings for round ${id} closed at ${at} by the endorser's clock`,
            }
          : { code: 'TOO_EARLY', text: `the gate of round ${id} closes at ${at} by the endorser's clock` },
    };
  }
  const before = rule.endorserClock === 'before-close';
  const at = rule.closesAt;
  return {
    field: 'closesAt',
    instant: at,
    before,
    refusal: () =>
      before
        ? { code: 'BIDDING_CLOSED', text: `bidding for round ${id} closed at ${at} by the endorser's clock` }
        : { code: 'TOO_EARLY', text: `round ${id} closes at ${at} by the endorser's clock` },
  };
}

/**
 * Refuses a proposal whose timestamp is more than `maxSkewSeconds` from this endorser's clock
 * (either way: CLOCK_SKEW), then, given a rule, one that this endorser's clock puts on the wrong
 * side of the round's close (BIDDING_CLOSED for a bid, TOO_EARLY for a close) or of its gate
 * closure (GATE_CLOSED for a reading, TOO_EARLY for a settlement). Returns nothing and writes
 * nothing.
 */
export function guardEndorsementClock(
  l: Ledger,
  rule?: TimeRule,
  maxSkewSeconds: number = MAX_CLOCK_SKEW_SECONDS,
): void {
  const endorserMs = l.endorserTimeMs();
  const skewMs = l.txTimeMs - endorserMs;
  if (!(Math.abs(skewMs) <= maxSkewSeconds * 1000)) {
    throw new MarketError(
      'CLOCK_SKEW',
      `the proposal timestamp is ${Math.abs(skewMs) / 1000} s ${skewMs < 0 ? 'behind' : 'ahead of'} the endorser's clock`,
      { txTime: iso(l.txTimeMs), endorserTime: iso(endorserMs), maxSkewSeconds },
    );
  }
  if (!rule) return;
  const check = checkOf(rule);
  const instantMs = parseInstant(check.field, check.instant) * 1000;
  if (check.before === endorserMs < instantMs) return;
  const { code, text } = check.refusal();
  throw new MarketError(code, text, {
    roundId: rule.roundId,
    [check.field]: check.instant,
    endorserTime: iso(endorserMs),
  });
}
