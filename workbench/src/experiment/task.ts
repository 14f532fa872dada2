/**
 * One unit of work of an experiment: one simulated round of one setting, cleared by every
 * mechanism. A pure function of the task (no state), so it gives the same rows on any worker.
 */
import { validateRound } from '../../../engine/src/mechanism';
import type { WireRound, WireRoundParams } from '../../../engine/src/mechanism/types';
import { DAY_SLOTS, planDay, simulateDaySlot, slotTime } from '../../../engine/src/sim/day';
import { simulateRound } from '../../../engine/src/sim/simulate';
import type { Setting, SimProfile } from './config';
import { MECHANISMS, type MechanismName } from '../../../engine/src/mechanisms';

export interface Task {
  /** position in the experiment (setting-major), the order of the output */
  index: number;
  setting: Setting;
  round: number;
  /** the seed of the simulated round (flat) or day (day), see roundSeed */
  seed: number;
  profile: SimProfile;
  buyers: number;
  sellers: number;
  mechanisms: MechanismName[];
}

/** One line of rounds.csv: one round of one setting cleared by one mechanism. */
export interface RoundRow {
  setting: number;
  round: number;
  seed: number;
  /** "HHMM" of the day profile's slot, "" for flat rounds */
  slot: string;
  mechanism: MechanismName;
  status: string;
  /** "" when the mechanism has no uniform price (or did not trade) */
  price: string;
  energy: string;
  buyerWelfare: string;
  sellerWelfare: string;
  socialWelfare: string;
  maxSocialWelfare: string;
  efficiency: string;
  operatorBalance: string;
  irViolations: number;
}

/**
 * The seed of round (or day) `index` of an experiment seeded `seed`: both mixed by murmur3's 32-bit
 * finalizer, so neighbouring rounds get unrelated seeds and the seed does not depend on which
 * worker runs the round.
 */
export function roundSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The simulated round of a task and its slot label. */
function simulated(task: Task): { round: WireRound; slot: string } {
  const buyers = Number(task.setting.values.buyers ?? task.buyers);
  const sellers = Number(task.setting.values.sellers ?? task.sellers);
  if (task.profile === 'flat')
    return { round: simulateRound({ buyers, sellers, seed: task.seed }), slot: '' };
  const slot = task.round % DAY_SLOTS;
  return {
    round: simulateDaySlot(planDay({ buyers, sellers, seed: task.seed }), slot),
    slot: slotTime(slot),
  };
}

function overrides(setting: Setting): Partial<WireRoundParams> {
  const o: Partial<WireRoundParams> = {};
  if (setting.values.alpha !== undefined) o.alpha = setting.values.alpha;
  if (setting.values.fee !== undefined) o.serviceFee = setting.values.fee;
  if (setting.values['grid-step'] !== undefined) o.gridStep = setting.values['grid-step'];
  return o;
}

export function runTask(task: Task): RoundRow[] {
  const { round, slot } = simulated(task);
  const { params, bids } = validateRound(round, overrides(task.setting));
  return task.mechanisms.map((mechanism) => {
    const r = MECHANISMS[mechanism](params, bids);
    return {
      setting: task.setting.index,
      round: task.round,
      seed: task.seed,
      slot,
      mechanism,
      status: r.status,
      price: r.price ?? '',
      energy: r.totals.energy,
      buyerWelfare: r.metrics.buyerWelfare,
      sellerWelfare: r.metrics.sellerWelfare,
      socialWelfare: r.metrics.socialWelfare,
      maxSocialWelfare: r.metrics.maxSocialWelfare,
      efficiency: r.metrics.efficiency,
      operatorBalance: r.totals.operatorBalance,
      irViolations: r.irViolations,
    };
  });
}
