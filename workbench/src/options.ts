/** Option parsers shared by the commands; they throw commander's InvalidArgumentError. */
import { InvalidArgumentError, Option } from 'commander';
import type { WireRoundParams } from '../../engine/src/mechanism/types';
import type { DecimalRange } from '../../engine/src/sim/simulate';
import { ROUND_FORMATS, type RoundFormat } from './read-round';

export function parseCount(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('must be a non-negative integer.');
  }
  return Number(value);
}

/** "14:22" -> { min: "14", max: "22" } (the bounds are checked by the simulator). */
export function parseRange(value: string): DecimalRange {
  const m = /^\s*([^:\s]+)\s*:\s*([^:\s]+)\s*$/.exec(value);
  if (!m) throw new InvalidArgumentError('must be MIN:MAX, e.g. 14:22.');
  return { min: m[1] ?? '', max: m[2] ?? '' };
}

export const inputFormatOption = (): Option =>
  new Option('--format <format>', 'input format (default: from the file extension)').choices(
    ROUND_FORMATS as RoundFormat[],
  );

export const progressOption = (): Option =>
  new Option('--progress', 'show progress on stderr even when it is not a terminal');

/** --alpha, --fee, --grid-step: round parameters that override the file's. */
export function addParamOptions<T extends { addOption(o: Option): T }>(cmd: T): T {
  return cmd
    .addOption(new Option('--alpha <alpha>', "the round's default buyer alpha (currency/kWh², e.g. 4)"))
    .addOption(new Option('--fee <fee>', 'service fee per kWh paid by buyers (e.g. 0.5)'))
    .addOption(new Option('--grid-step <step>', 'price grid step of the doan2021 profile (e.g. 0.1)'));
}

interface ParamFlags {
  profile?: WireRoundParams['profile'];
  alpha?: string;
  fee?: string;
  gridStep?: string;
}

/** The flags as WireRoundParams overrides (only the ones given). */
export function paramOverrides(flags: ParamFlags): Partial<WireRoundParams> {
  const o: Partial<WireRoundParams> = {};
  if (flags.profile !== undefined) o.profile = flags.profile;
  if (flags.alpha !== undefined) o.alpha = flags.alpha;
  if (flags.fee !== undefined) o.serviceFee = flags.fee;
  if (flags.gridStep !== undefined) o.gridStep = flags.gridStep;
  return o;
}
