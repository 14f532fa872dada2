/** Reads a rendered chart as XML (fast-xml-parser): is it SVG, and which marks does it draw. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

interface XmlNode {
  [key: string]: XmlNode[] | string | undefined;
}

export interface SvgSummary {
  /** number of mark groups per Vega mark class, e.g. { 'mark-line role-mark': 2 } */
  groups: Map<string, number>;
  /** elements drawn inside each kind of role-mark group, e.g. { line: 3 } paths of line marks */
  items: Map<string, number>;
  /** the texts of the axis titles */
  axisTitles: string[];
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  preserveOrder: true,
  textNodeName: '#text',
});

function classOf(node: XmlNode): string {
  const attrs = node[':@'] as unknown as Record<string, string> | undefined;
  return attrs?.['@class'] ?? '';
}

function childrenOf(node: XmlNode): { tag: string; children: XmlNode[] }[] {
  return Object.entries(node)
    .filter(([k, v]) => k !== ':@' && Array.isArray(v))
    .map(([tag, v]) => ({ tag, children: v as XmlNode[] }));
}

function textOf(nodes: XmlNode[]): string {
  return nodes
    .map((n) =>
      typeof n['#text'] === 'string'
        ? n['#text']
        : childrenOf(n)
            .map((c) => textOf(c.children))
            .join(''),
    )
    .join('');
}

function markKind(cls: string): string | undefined {
  const m = /^mark-([a-z]+) role-mark/.exec(cls);
  return m?.[1];
}

function bump(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

function walk(nodes: XmlNode[], out: SvgSummary): void {
  for (const node of nodes) {
    for (const { tag, children } of childrenOf(node)) {
      const cls = classOf(node);
      if (tag === 'g' && cls.startsWith('mark-')) {
        bump(out.groups, cls.split(' ').slice(0, 2).join(' '));
        const kind = markKind(cls);
        if (kind !== undefined)
          bump(out.items, kind, children.filter((c) => childrenOf(c).length > 0).length);
        if (cls.startsWith('mark-text role-axis-title')) out.axisTitles.push(textOf(children).trim());
      }
      walk(children, out);
    }
  }
}

/** Throws unless `svg` is well-formed XML with an <svg> root; then what it draws. */
export function readSvg(svg: string): SvgSummary {
  const valid = XMLValidator.validate(svg);
  if (valid !== true) throw new Error(`not well-formed XML: ${valid.err.msg} at line ${valid.err.line}`);
  const doc = parser.parse(svg) as XmlNode[];
  if (!doc.some((n) => Array.isArray(n.svg))) throw new Error('no <svg> root element');
  const out: SvgSummary = { groups: new Map(), items: new Map(), axisTitles: [] };
  walk(doc, out);
  return out;
}
