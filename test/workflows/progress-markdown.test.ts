// The job's "current details" in the Web UI, as an operator reads them in a column about 90 characters wide.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { progressMarkdown } from '../../src/workflows/progress-markdown';
import { emptyCost, emptyCounts, emptyTokens, type JobOptions, type JobProgress } from '../../src/shared/job';
import { resolveJobOptions } from '../../src/shared/options';

const options: JobOptions = resolveJobOptions({ requests: '/data/in.jsonl', output: '/data/out' }, 'wf-1');

function progress(overrides: Partial<JobProgress> = {}): JobProgress {
  return {
    phase: 'waiting',
    round: 2,
    maxRounds: 4,
    totalRequests: 6,
    done: { ...emptyCounts(), succeeded: 3, errored: 1, erroredByType: { invalid_request_error: 1 } },
    pending: 2,
    chunks: [
      {
        round: 1,
        index: 0,
        status: 'ended',
        batchId: 'msgbatch_round1',
        counts: { processing: 0, succeeded: 3, errored: 1, expired: 2, canceled: 0 },
      },
      {
        round: 2,
        index: 0,
        status: 'in_progress',
        batchId: 'msgbatch_round2',
        counts: { processing: 2, succeeded: 0, errored: 0, expired: 0, canceled: 0 },
      },
    ],
    tokens: emptyTokens(),
    cost: { ...emptyCost(), batchUsd: 0.0012, standardUsd: 0.0024 },
    checks: 3,
    nextCheckAt: '2026-11-26T06:00:00.000Z',
    options,
    ...overrides,
  };
}

const finished = (): JobProgress =>
  progress({
    phase: 'done',
    pending: 0,
    done: { ...emptyCounts(), succeeded: 4, errored: 2, erroredByType: { invalid_request_error: 2 } },
    report: {
      resultsPath: '/data/out/results.jsonl',
      summaryPath: '/data/out/summary.json',
      firstFailed: ['q-1', 'q-4'],
      canceled: false,
    },
  });

describe('the Web UI current details', () => {
  it('has no table and no line wider than a narrow column', () => {
    const md = progressMarkdown(progress(), 'wf-1');
    assert.doesNotMatch(md, /^\|/m, 'a Markdown table is clipped to a strip in the Web UI');
    for (const line of md.split('\n')) assert.ok(line.length <= 100, `too long: ${line}`);
  });

  it('lists every round’s batches, one line each', () => {
    const md = progressMarkdown(progress(), 'wf-1');
    const batchLines = md.split('\n').filter((l) => /^- round \d+, chunk \d+/.test(l));
    assert.equal(batchLines.length, 2);
    assert.match(batchLines[0]!, /msgbatch_round1.*ended: 3 succeeded, 1 errored, 2 expired/);
    assert.match(batchLines[1]!, /msgbatch_round2.*in progress: 2 processing/);
  });

  it('names the results file, not "next to the requests"', () => {
    const md = progressMarkdown(progress(), 'wf-1');
    assert.match(md, /\/data\/out\/results\.jsonl/);
    assert.match(md, /\/data\/out\/summary\.json/);
    assert.doesNotMatch(md, /next to the requests/);
  });

  it('says how to act on a running job: checkNow, pause, cancel', () => {
    const md = progressMarkdown(progress(), 'wf-1');
    assert.match(md, /signal `checkNow`/);
    assert.match(md, /claude-batch check wf-1/);
    assert.match(md, /claude-batch pause wf-1/);
    assert.match(md, /claude-batch cancel wf-1/);
  });

  it('says "Cost so far" only while the job runs', () => {
    assert.match(progressMarkdown(progress(), 'wf-1'), /Cost so far:/);
    const md = progressMarkdown(finished(), 'wf-1');
    assert.doesNotMatch(md, /so far/);
    assert.match(md, /\*\*Cost:\*\* USD 0\.0012/);
    assert.doesNotMatch(md, /#### Act/, 'nothing to act on once it ended');
  });

  it('names the first failed requests of a finished job and how to list them all', () => {
    const md = progressMarkdown(finished(), 'wf-1');
    assert.match(md, /finished with failures/);
    assert.match(md, /2 errored \(2 invalid_request_error\)/);
    assert.match(md, /first: `q-1`, `q-4`/);
    assert.match(md, /jq -c 'select\(\.outcome != "succeeded"\)' \/data\/out\/results\.jsonl/);
  });

  it('shows a stalled job’s API error as a sentence, not the response body', () => {
    const md = progressMarkdown(
      progress({
        phase: 'stalled',
        stall: {
          step: 'check batches',
          error:
            'retrieve batch: 404 {"type":"error","error":{"type":"not_found_error","message":"batch not found"},"request_id":"req_1"}',
          hint: 'the API does not know this batch',
          since: '2026-11-26T06:01:51.000Z',
          tries: 2,
        },
      }),
      'wf-1',
    );
    assert.match(md, /#### Stalled since 2026-11-26 06:01:51 UTC/);
    assert.match(md, /- error: retrieve batch: 404 not_found_error: batch not found \(request req_1\)$/m);
  });

  it('keeps a job of many batches within the Web UI’s details limit', () => {
    const chunks = Array.from({ length: 500 }, (_, index) => ({
      round: 1,
      index,
      status: 'in_progress' as const,
      batchId: `msgbatch_${'x'.repeat(24)}${index}`,
    }));
    const md = progressMarkdown(progress({ chunks }), 'wf-1');
    assert.ok(Buffer.byteLength(md) < 20_000, `${Buffer.byteLength(md)} bytes`);
    assert.match(md, /and 460 more/);
  });
});
