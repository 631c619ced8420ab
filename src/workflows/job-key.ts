// The job key names a job inside every internal custom_id, and so decides which batches a job may call its own. It
// must never be shared by two jobs, however close together they start.

/** Random bits of a run id: every hex digit but the UUID version digit, with the timestamp of a v7 id left out. */
const RANDOM_DIGITS = 19;

/**
 * A key with at least 74 random bits, from the random part of the job's first run id (fixed for the job's life and
 * carried across Continue-As-New in its state). UUIDv7 run ids (the Temporal server's) begin with a 48-bit
 * millisecond timestamp and UUIDv4 ids (the time-skipping server's) are random throughout: the last 19 hex digits are
 * random in both. A run id of another shape falls back to the workflow's seeded random (deterministic on replay).
 */
export function jobKeyFrom(firstRunId: string, seededRandom: () => number): string {
  const hex = firstRunId.replace(/-/g, '').toLowerCase();
  if (/^[0-9a-f]{32}$/.test(hex)) return `k${hex.slice(32 - RANDOM_DIGITS)}`;
  let key = 'k';
  // Four draws of 20 bits each: Math.random in the sandbox is seeded per run, so this is the same on every replay.
  for (let i = 0; i < 4; i++)
    key += Math.floor(seededRandom() * 0x100000)
      .toString(16)
      .padStart(5, '0');
  return key;
}

/**
 * The key of jobs started before keys were random: the first 11 hex digits of the first run id, which for UUIDv7 run
 * ids is the start time to about 16 ms, so jobs started together shared it. Kept only so those jobs replay and finish
 * under the ids their batches were created with.
 */
export function legacyJobKey(firstRunId: string): string {
  return `j${firstRunId.replace(/-/g, '').slice(0, 11)}`;
}
