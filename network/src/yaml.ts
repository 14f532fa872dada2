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
  if (Array.isArray(v)) {
    if (v.length === 0) return [indent + '[]'];
    const out: string[] = [];
    for (const item of v) {
      if (isScalar(item)) {
        out.push(`${indent}- ${scalar(item)}`);
      } else {
        const inner = lines(item, indent + '  ');
        out.push(`${indent}- ${inner[0]!.trimStart()}`, ...inner.slice(1));
      }
    }
    return out;
  }
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
