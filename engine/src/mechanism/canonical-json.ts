/**
 * Canonical JSON (DESIGN invariant 9): the chaincode hashes and compares clearing results with it,
 * so the same value must always give the same bytes. Object keys are sorted recursively (by UTF-16
 * code units, JavaScript's default string order), there is no whitespace, and anything JSON cannot
 * represent faithfully is refused instead of silently dropped or converted: undefined (also as an
 * object property or array element), functions, symbols, bigint, NaN/±Infinity, and objects that
 * are not plain objects or arrays (Date, Map, class instances, ...). Cycles are refused too.
 */

export class CanonicalJsonError extends TypeError {
  readonly code = 'NOT_CANONICAL_JSON';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`canonicalJson: ${reason} at ${path}`);
    this.name = 'CanonicalJsonError';
  }
}

/** A plain object's prototype is null or a root prototype (Object.prototype of any realm). */
function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function write(value: unknown, path: string, out: string[], seen: Set<object>): void {
  if (typeof value === 'object' && value !== null) writeContainer(value, path, out, seen);
  else writeScalar(value, path, out);
}

/** Strings, booleans, finite numbers and null; anything else that is not an object is refused. */
function writeScalar(value: unknown, path: string, out: string[]): void {
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `non-finite number ${value}`);
      out.push(JSON.stringify(value));
      return;
    case 'object': // null: write() passes every other object to writeContainer
      out.push('null');
      return;
    default:
      throw new CanonicalJsonError(path, `${typeof value} is not representable`);
  }
}

/** An array or a plain object, refusing cycles (`seen`: the containers on the current path). */
function writeContainer(value: object, path: string, out: string[], seen: Set<object>): void {
  if (seen.has(value)) throw new CanonicalJsonError(path, 'cyclic reference');
  seen.add(value);
  if (Array.isArray(value)) writeArray(value, path, out, seen);
  else if (isPlainObject(value)) writeObject(value as Record<string, unknown>, path, out, seen);
  else throw new CanonicalJsonError(path, 'only plain objects and arrays are allowed');
  seen.delete(value);
}

function writeArray(value: readonly unknown[], path: string, out: string[], seen: Set<object>): void {
  out.push('[');
  for (let i = 0; i < value.length; i++) {
    if (i > 0) out.push(',');
    write(value[i], `${path}[${i}]`, out, seen);
  }
  out.push(']');
}

/** Keys sorted by UTF-16 code units (the default sort). */
function writeObject(record: Record<string, unknown>, path: string, out: string[], seen: Set<object>): void {
  const keys = Object.keys(record).sort();
  out.push('{');
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0) out.push(',');
    out.push(JSON.stringify(key), ':');
    write(record[key], `${path}.${key}`, out, seen);
  }
  out.push('}');
}

/** JSON with object keys sorted recursively and no whitespace; throws CanonicalJsonError. */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, '$', out, new Set());
  return out.join('');
}
