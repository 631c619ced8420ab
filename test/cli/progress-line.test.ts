// The progress line people read while a job runs: what the API reports of the live batches, when the job next
// checks them, and when it expects to end.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { progressLine } from '../../src/cli/format';
import { emptyCost, emptyCounts, emptyTokens, type JobProgress } from '../../src/shared/job';

const now = Date.parse('2026-11-26T06:00:00Z');
const waiting = (extra: Partial<JobProgress> = {}): JobProgress => ({
  phase: 'waiting',
  round: 1,
  maxRounds: 4,
  totalRequests: 300,
  done: emptyCounts(),
  pending: 300,
  chunks: [
    {
      round: 1,
      index: 0,
      batchId: 'msgbatch_1',
      status: 'in_progress',
      counts: { processing: 120, succeeded: 75, errored: 3, canceled: 0, expired: 2 },
    },
    {
      round: 1,
      index: 1,
      batchId: 'msgbatch_2',
      status: 'in_progress',
      counts: { processing: 100, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
    },
  ],
  tokens: emptyTokens(),
  cost: emptyCost(),
  checks: 3,
  nextCheckAt: '2026-11-26T06:00:42Z',
  ...extra,
});

describe('progress line', () => {
  it("shows the API's processing and succeeded counts of the live batches", () => {
    assert.match(progressLine(waiting(), now), /API: 220 processing, 75 succeeded, 5 failed/);
  });

  it('shows the time to the next check while the job waits', () => {
    assert.match(progressLine(waiting(), now), /next check in 42s/);
  });

  it('shows the ETA when the job has one, and none when it has not', () => {
    assert.match(progressLine(waiting({ expectedEndAt: '2026-11-26T08:05:00Z' }), now), /ETA 2h 5m/);
    assert.doesNotMatch(progressLine(waiting(), now), /ETA/);
  });
});
