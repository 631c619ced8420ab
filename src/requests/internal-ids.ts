// Every request is sent under an internal custom_id that names its job, round, chunk and input position. It maps
// results back to the user's ids, and it makes a batch's ownership provable from its results alone: the API has no
// idempotency key and no batch metadata, so this is what tells our batch from anyone else's.

/** `j1a2b3c4d5e6-r2c0-41` → job j1a2b3c4d5e6, round 2, chunk 0, input position 41. */
export function internalId(jobKey: string, round: number, chunk: number, seq: number): string {
  return `${chunkPrefix(jobKey, round, chunk)}${seq}`;
}

export function chunkPrefix(jobKey: string, round: number, chunk: number): string {
  return `${jobKey}-r${round}c${chunk}-`;
}

/** The input position carried by an internal id, if it belongs to the given chunk. */
export function seqOf(id: string, prefix: string): number | undefined {
  if (!id.startsWith(prefix)) return undefined;
  const seq = Number(id.slice(prefix.length));
  return Number.isInteger(seq) && seq >= 0 ? seq : undefined;
}
