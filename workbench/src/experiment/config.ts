/**
 * An experiment (issue #14): rounds per setting, sizes, seed, mechanisms and the parameters to
 * vary. From an experiment file (JSON or YAML) and/or flags (flags win). The settings are the
 * cartesian product of the varied values, the first varied parameter outermost.
 */
import { validateRound } from '../../../engine/src/mechanism';
import { RoundValidationError, type WireRoundParams } from '../../../engine/src/mechanism/types';
import { MECHANISM_NAMES, type MechanismName } from '../../../engine/src/mechanisms';

/** Parameters an experiment can vary: round params and the sizes of the simulated rounds. */
export const VARIABLES = ['alpha', 'fee', 'grid-step', 'buyers', 'sellers'] as const;
export type Variable = (typeof VARIABLES)[number];

export type SimProfile = 'flat' | 'day';

export interface ExperimentConfig {
  rounds: number;
  buyers: number;
  sellers: number;
  seed: number;
  profile: SimProfile;
  mechanisms: MechanismName[];
  /** in the order given; each with at least one value */
  vary: [Variable, string[]][];
}

/** One combination of the varied values, e.g. { alpha: '2', fee: '0.5' }. */
export interface Setting {
  index: number;
  label: string;
  values: Partial<Record<Variable, string>>;
}

export class ExperimentConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExperimentConfigError';
  }
}

export const CONFIG_DEFAULTS = {
  rounds: 20,
  buyers: 100,
  sellers: 100,
  seed: 1,
  profile: 'flat' as SimProfile,
  mechanisms: [...MECHANISM_NAMES] as MechanismName[],
};

const MAX_SEED = 0xffffffff;
const PARAM_FIELDS: Partial<Record<Variable, keyof WireRoundParams>> = {
  alpha: 'alpha',
  fee: 'serviceFee',
  'grid-step': 'gridStep',
};

function fail(message: string): never {
  throw new ExperimentConfigError(message);
}

export function checkCount(name: string, value: unknown, min = 0): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min) {
    fail(`${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}

function checkSeed(value: unknown): number {
  const n = checkCount('seed', value);
  if (n > MAX_SEED) fail(`seed must be an integer in [0, ${MAX_SEED}], got ${n}`);
  return n;
}

export function checkMechanism(value: unknown): MechanismName {
  const name = String(value);
  if (!(MECHANISM_NAMES as readonly string[]).includes(name)) {
    fail(`unknown mechanism ${JSON.stringify(value)}; expected one of ${MECHANISM_NAMES.join(', ')}`);
  }
  return name as MechanismName;
}

function checkProfile(value: unknown): SimProfile {
  if (value !== 'flat' && value !== 'day') fail(`profile must be flat or day, got ${JSON.stringify(value)}`);
  return value;
}

/** A varied value, checked by the engine's rules (round params) or as a count (sizes). */
export function checkVaried(variable: Variable, value: unknown): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') fail(`${variable}: ${JSON.stringify(value)} is not a value`);
  const field = PARAM_FIELDS[variable];
  if (field === undefined) return String(checkCount(variable, text));
  try {
    validateRound({ params: { [field]: text }, bids: [] });
  } catch (e) {
    if (e instanceof RoundValidationError) fail(`${variable}=${text}: ${e.issues[0]?.reason ?? 'invalid'}`);
    throw e;
  }
  return text;
}

export function checkVariable(name: string): Variable {
  if (!(VARIABLES as readonly string[]).includes(name)) {
    fail(`cannot vary ${JSON.stringify(name)}; expected one of ${VARIABLES.join(', ')}`);
  }
  return name as Variable;
}

/** "alpha=1,2,4" -> ['alpha', ['1', '2', '4']] */
export function parseVary(text: string): [Variable, string[]] {
  const m = /^([a-z-]+)=(.+)$/.exec(text.trim());
  if (!m) fail(`--vary must be NAME=V1,V2,... (e.g. alpha=1,2,4), got ${JSON.stringify(text)}`);
  const variable = checkVariable(m[1] ?? '');
  const values = (m[2] ?? '').split(',').map((v) => checkVaried(variable, v.trim()));
  return [variable, values];
}

function varyFromFile(value: unknown): [Variable, string[]][] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('vary must map parameter names to lists of values, e.g. {"alpha": [1, 2, 4]}');
  }
  return Object.entries(value).map(([name, values]): [Variable, string[]] => {
    const variable = checkVariable(name);
    const list: unknown[] = Array.isArray(values) ? values : [values];
    if (list.length === 0) fail(`vary.${name} has no values`);
    return [variable, list.map((v) => checkVaried(variable, v))];
  });
}

function mechanismList(value: unknown): MechanismName[] {
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || list.length === 0) fail('mechanisms must be a non-empty list of names');
  return list.map(checkMechanism);
}

/** The keys of an experiment file and the check of each value. */
const FILE_FIELDS: { [K in keyof ExperimentConfig]: (value: unknown) => ExperimentConfig[K] } = {
  rounds: (v) => checkCount('rounds', v, 1),
  buyers: (v) => checkCount('buyers', v),
  sellers: (v) => checkCount('sellers', v),
  seed: checkSeed,
  profile: checkProfile,
  mechanisms: mechanismList,
  vary: varyFromFile,
};
const FILE_KEYS = Object.keys(FILE_FIELDS) as (keyof ExperimentConfig)[];

/** An experiment file's document (already parsed from JSON or YAML) as a partial config. */
export function configFromDocument(doc: unknown): Partial<ExperimentConfig> {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('an experiment file is a mapping');
  const d = doc as Record<string, unknown>;
  const unknown = Object.keys(d).filter((k) => !(FILE_KEYS as string[]).includes(k));
  if (unknown.length > 0) fail(`unknown key(s) ${unknown.join(', ')}; expected ${FILE_KEYS.join(', ')}`);
  const out: Record<string, unknown> = {};
  for (const key of FILE_KEYS) {
    if (d[key] !== undefined) out[key] = FILE_FIELDS[key](d[key]);
  }
  return out as Partial<ExperimentConfig>;
}

/** The file's config overridden by the flags' (each a partial config), with defaults. */
export function mergeConfig(...parts: Partial<ExperimentConfig>[]): ExperimentConfig {
  const merged: ExperimentConfig = {
    ...CONFIG_DEFAULTS,
    mechanisms: [...CONFIG_DEFAULTS.mechanisms],
    vary: [],
  };
  for (const part of parts) {
    const { vary, ...rest } = part;
    Object.assign(merged, rest);
    // a flag varies one parameter: it replaces the file's values of that parameter only
    for (const [variable, values] of vary ?? []) {
      const at = merged.vary.findIndex(([v]) => v === variable);
      if (at >= 0) merged.vary[at] = [variable, values];
      else merged.vary.push([variable, values]);
    }
  }
  checkSeed(merged.seed);
  return merged;
}

/** The settings: every combination of the varied values (one setting when nothing varies). */
export function expandSettings(config: ExperimentConfig): Setting[] {
  let combos: Partial<Record<Variable, string>>[] = [{}];
  for (const [variable, values] of config.vary) {
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [variable]: v })));
  }
  return combos.map((values, index) => ({
    index,
    values,
    label: config.vary.map(([v]) => `${v}=${values[v] ?? ''}`).join(' ') || 'all',
  }));
}
