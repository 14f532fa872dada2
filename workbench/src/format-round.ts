/** Serializes a WireRound as JSON (one bid per line) or CSV, in chunks for large rounds. */
import type { WireBid, WireRound } from '../../engine/src/mechanism/types';

const BATCH = 1000;

function* batched(bids: WireBid[], line: (b: WireBid) => string, sep: string): Generator<string> {
  for (let i = 0; i < bids.length; i += BATCH) {
    const end = Math.min(i + BATCH, bids.length);
    const parts: string[] = [];
    for (let k = i; k < end; k++) parts.push(line(bids[k] as WireBid));
    yield parts.join(sep) + (end < bids.length ? sep : '');
  }
}

/** Valid JSON, deterministic: params, then one bid object per line. */
export function* roundJsonChunks(round: WireRound): Generator<string> {
  const params = round.params === undefined ? '' : `\n  "params": ${JSON.stringify(round.params)},`;
  if (round.bids.length === 0) {
    yield `{${params}\n  "bids": []\n}\n`;
    return;
  }
  yield `{${params}\n  "bids": [\n`;
  for (const chunk of batched(round.bids, (b) => `    ${JSON.stringify(b)}`, ',\n')) yield chunk;
  yield '\n  ]\n}\n';
}

/**
 * CSV with header id,side,price,quantity (plus alpha when any bid has one). A CSV file has no
 * round params: the caller must make sure they are the defaults or pass them as flags.
 */
export function* roundCsvChunks(round: WireRound): Generator<string> {
  const withAlpha = round.bids.some((b) => b.alpha !== undefined);
  yield withAlpha ? 'id,side,price,quantity,alpha\n' : 'id,side,price,quantity\n';
  const line = (b: WireBid): string =>
    withAlpha
      ? `${b.id},${b.side},${b.price},${b.quantity},${b.alpha ?? ''}`
      : `${b.id},${b.side},${b.price},${b.quantity}`;
  for (const chunk of batched(round.bids, line, '\n')) yield chunk;
  if (round.bids.length > 0) yield '\n';
}
