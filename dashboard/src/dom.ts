/** Tiny DOM helpers: text goes in as text, never as markup. */

type Child = Node | string | null | undefined | false;

/** An element with attributes (strings; `on*` keys are listeners) and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | EventListener> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

/** The element with id `id` (the page's fixed skeleton). */
export function byId(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} missing from the page`);
  return e;
}

/** Replaces the children of `parent`. */
export function fill(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  for (const c of children) if (c !== null && c !== undefined && c !== false) parent.append(c);
}

/** A table with a caption, header cells and rows of text. */
export function table(caption: string, head: string[], rows: Child[][]): HTMLTableElement {
  return el(
    'table',
    {},
    el('caption', {}, caption),
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c))))),
  );
}

/** "3 d 4 h", "2 h 5 min" or "4 min 20 s" for a duration in seconds. */
function duration(a: number): string {
  if (a >= 86_400) return `${Math.floor(a / 86_400)} d ${Math.floor((a % 86_400) / 3600)} h`;
  if (a >= 3600) return `${Math.floor(a / 3600)} h ${Math.floor((a % 3600) / 60)} min`;
  return `${Math.floor(a / 60)} min ${a % 60} s`;
}

/**
 * "closes in 3 min 20 s" / "closed 2 min ago" for an instant, from `now` (epoch ms); `what` names
 * what closes ("readings close in …").
 */
export function countdown(iso: string, now: number, what = ''): string {
  const s = Math.round((Date.parse(iso) - now) / 1000);
  const lead = what ? `${what} ` : '';
  return s >= 0 ? `${lead}close${what ? '' : 's'} in ${duration(s)}` : `${lead}closed ${duration(-s)} ago`;
}

/**
 * Previous / next buttons over an API's cursors: `back` holds the cursors of the pages before this
 * one (at `cursor`), `next` the API's nextCursor; `go(cursor, back)` shows another page.
 */
export function pager(
  label: string,
  text: string,
  at: { cursor: string; back: string[]; next: string | undefined },
  go: (cursor: string, back: string[]) => void,
): HTMLElement {
  const { cursor, back, next } = at;
  return el(
    'nav',
    { 'aria-label': label, class: 'pager' },
    el(
      'button',
      {
        type: 'button',
        ...(back.length === 0 ? { disabled: '' } : {}),
        onclick: () => go(back[back.length - 1] ?? '', back.slice(0, -1)),
      },
      '‹ previous',
    ),
    ` ${text} `,
    el(
      'button',
      {
        type: 'button',
        ...(next === undefined ? { disabled: '' } : {}),
        onclick: () => go(next ?? '', [...back, cursor]),
      },
      'next ›',
    ),
  );
}
