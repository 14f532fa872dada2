/**
 * A minimal YAML writer for the configuration files this project generates (cryptogen and
 * configtxgen input): plain objects, arrays, strings, numbers and booleans. Strings are always
 * double-quoted (JSON escaping is valid YAML), so nothing is misread as a number or boolean.
 */
export type YamlValue = string | number | boolean | YamlValue[] | { [key: string]: YamlValue };

function scalar(v: string | number | boolean): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function isScalar(v: YamlValue): v is string | number | boolean {
  return typeof v !== 'object';
}

function lines(v: YamlValue, indent: string): string[] {
  if (isScalar(v)) return [indent + scalar(v)];
  return Array.isArray(v) ? arrayLines(v, indent) : objectLines(v, indent);
}

function arrayLines(v: YamlValue[], indent: string): string[] {
  if (v.length === 0) return [indent + '[]'];
  const out: string[] = [];
  for (const item of v) {
    if (isScalar(item)) {
      out.push(`${indent}- ${scalar(item)}`);
    } else {
      // A nested collection always has a first line: it goes on the dash's line.
      const [first = '', ...rest] = lines(item, indent + '  ');
      out.push(`${indent}- ${first.trimStart()}`, ...rest);
    }
  }
  return out;
}

function objectLines(v: { [key: string]: YamlValue }, indent: string): string[] {
  const entries = Object.entries(v);
  if (entries.length === 0) return [indent + '{}'];
  const out: string[] = [];
  for (const [key, value] of entries) {
    if (isScalar(value)) {
      out.push(`${indent}${key}: ${scalar(value)}`);
    } else if (Array.isArray(value) && value.length === 0) {
      out.push(`${indent}${key}: []`);
    } else {
      out.push(`${indent}${key}:`, ...lines(value, indent + '  '));
    }
  }
  return out;
}

/** YAML text for `value`, preceded by `comment` lines (each prefixed with `# `). */
export function toYaml(value: YamlValue, comment: string[] = []): string {
  return [...comment.map((c) => (c ? `# ${c}` : '#')), ...lines(value, '')].join('\n') + '\n';
}
