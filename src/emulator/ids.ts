// Identifiers shaped like the API's: a prefix and base62 characters.
import { createHash, randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function base62Of(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[bytes[i % bytes.length]! % 62];
  return out;
}

/** A fresh id, e.g. `msgbatch_` + 24 characters. */
export function newId(prefix: string, length = 24): string {
  return prefix + base62Of(randomBytes(length), length);
}

/** The same id for the same seed, so a result's message id is stable across reads. */
export function stableId(prefix: string, seed: string, length = 24): string {
  return prefix + base62Of(createHash('sha256').update(seed).digest(), length);
}
