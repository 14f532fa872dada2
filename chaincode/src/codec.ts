import { createHash } from 'node:crypto';
import { canonicalJson } from '../../engine/src/mechanism';
import { MarketError } from './errors';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Canonical JSON bytes (sorted keys): what is stored, hashed and compared. */
export const encode = (value: unknown): Uint8Array => encoder.encode(canonicalJson(value));

/** Parsed JSON bytes: the caller asserts the type it stored there. */
export const decode = (bytes: Uint8Array): unknown => JSON.parse(decoder.decode(bytes));

export const sha256Hex = (data: Uint8Array | string): string =>
  createHash('sha256').update(data).digest('hex');

/** Parses a JSON argument, naming it in the error (the caller validates or asserts its shape). */
export function parseJsonArg(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MarketError('INVALID_ARGUMENT', `${name} is not valid JSON`, {
      reason: (e as Error).message,
    });
  }
}
