import { createHash } from 'node:crypto';
import { canonicalJson } from '../../engine/src/mechanism';
import { MarketError } from './errors';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Canonical JSON bytes (sorted keys): what is stored, hashed and compared. */
export const encode = (value: unknown): Uint8Array => encoder.encode(canonicalJson(value));

export const decode = <T>(bytes: Uint8Array): T => JSON.parse(decoder.decode(bytes)) as T;

export const sha256Hex = (data: Uint8Array | string): string =>
  createHash('sha256').update(data).digest('hex');

/** Parses a JSON argument, naming it in the error. */
export function parseJsonArg<T>(name: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new MarketError('INVALID_ARGUMENT', `${name} is not valid JSON`, {
      reason: (e as Error).message,
    });
  }
}
