import { token, type RoundRecord } from './api.js';

/** The `data` of each complete `rounds` event in `buffer`, and what is left of it. */
export function parseEvents(buffer: string): { events: RoundRecord[][]; rest: string } {
  const blocks = buffer.split('\n\n');
  const rest = blocks.pop() ?? '';
  const events: RoundRecord[][] = [];
  for (const b of blocks) {
    const lines = b.split('\n');
    if (!lines.includes('event: rounds')) continue;
    const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
    events.push(JSON.parse(data.join('\n')) as RoundRecord[]);
  }
  return { events, rest };
}

/**
 * Follows GET /v1/events (Server-Sent Events read with fetch, since EventSource cannot send the
 * bearer token) and calls `onRounds` with each batch of new or changed round records. Resolves
 * when the stream ends (the caller reconnects); `signal` stops it.
 */
export async function followRounds(
  onRounds: (rs: RoundRecord[]) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await fetch('/v1/events', { headers: { authorization: `Bearer ${token() ?? ''}` }, signal });
  if (!res.ok || !res.body) throw new Error(`live updates unavailable (${res.status})`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const parsed = parseEvents(buffer + value);
    buffer = parsed.rest;
    for (const rs of parsed.events) onRounds(rs);
  }
}
