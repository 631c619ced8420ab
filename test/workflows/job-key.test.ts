// The job key: what keeps one job's batches from ever being taken for another's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jobKeyFrom, legacyJobKey } from '../../src/workflows/job-key';
import { internalId } from '../../src/requests/internal-ids';

/** A UUIDv7 as the Temporal server issues run ids: 48 bits of milliseconds, then random bits. */
function uuidV7(ms: number, random: () => number): string {
  const hex = ms.toString(16).padStart(12, '0') + '7' + Array.from({ length: 19 }, () => hexDigit(random())).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
const hexDigit = (r: number) => Math.floor(r * 16).toString(16);

describe('job key', () => {
  it('differs between jobs whose run ids were issued in the same millisecond', () => {
    const ms = Date.parse('2026-11-26T02:00:00Z');
    const keys = new Set(Array.from({ length: 10_000 }, () => jobKeyFrom(uuidV7(ms, Math.random), Math.random)));
    assert.equal(keys.size, 10_000);
    // The old key of the same ids: one for all of them.
    assert.equal(new Set(Array.from({ length: 100 }, () => legacyJobKey(uuidV7(ms, Math.random)))).size, 1);
  });

  it('is the same for the same run id, so a replay rebuilds the same ids', () => {
    const runId = '019ac0b1-3c2d-7e4f-9a8b-1c2d3e4f5a6b';
    assert.equal(jobKeyFrom(runId, Math.random), jobKeyFrom(runId, Math.random));
    // Every digit after the version digit: 74 random bits of a v7 id (and of a v4 one).
    assert.equal(jobKeyFrom(runId, Math.random), 'ke4f9a8b1c2d3e4f5a6b');
  });

  it('falls back to the seeded random when a run id is not a UUID', () => {
    let n = 0;
    const seeded = () => ((n += 1) * 0.1234567) % 1;
    const key = jobKeyFrom('not-a-uuid', seeded);
    assert.match(key, /^k[0-9a-f]{20}$/);
  });

  it('keeps internal custom_ids within the API’s 64 characters at the limits of a job', () => {
    const key = jobKeyFrom('019ac0b1-3c2d-7e4f-9a8b-1c2d3e4f5a6b', Math.random);
    const longest = internalId(key, 21, 99_999, 99_999_999);
    assert.ok(longest.length <= 64, `${longest} is ${longest.length} characters`);
    assert.match(longest, /^[a-zA-Z0-9_-]{1,64}$/);
  });
});
