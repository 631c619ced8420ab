// The batch job end to end on the time-skipping server: real workflow, real activities, the official SDK, the emulator.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { batchJob } from '../../src/workflows';
import { checkNowSignal, progressQuery } from '../../src/shared/messages';
import { eventually, untilPhase } from '../support/eventually';
import { jobEnv, request, type JobEnv, withTimeSkippingServer } from '../support/job-env';
import { recordHistory } from '../support/histories';

const HOUR = 60 * 60 * 1000;

describe('batch job', () => {
  let env: TestWorkflowEnvironment;
  let job: JobEnv;
  withTimeSkippingServer(
    (started) => (env = started),
    () => job,
  );

  /** Runs a job to its end and keeps its history as a replay fixture (when recording). */
  const run = (id: string, input: Parameters<typeof batchJob>[0]) =>
    job.withWorker(async () => {
      const handle = await env.client.workflow.start(batchJob, {
        args: [input],
        taskQueue: job.taskQueue,
        workflowId: id,
      });
      try {
        return await handle.result();
      } finally {
        await recordHistory(id, handle);
      }
    });

  it('splits into chunks, reports every request once in input order with its outcome, usage and cost', async () => {
    job = await jobEnv(env);
    const lines = [
      request('doc-1', 'Summarize: the sky is blue.'),
      request('doc-2', 'Summarize: grass is green. [emulator:errored=invalid_request_error]'),
      '',
      request('doc-3', 'Summarize: snow is white.'),
      request('doc-4', 'Summarize: coal is black.'),
      request('doc-5', 'Summarize: roses are red.'),
    ];
    const requests = await job.writeRequests('in.jsonl', lines);
    const result = await run('happy', {
      requests,
      chunk: { maxRequests: 2 },
      polling: { initialInterval: '1 minute' },
    });

    const results = await job.readResults(result.summary.options.output);
    assert.deepEqual(
      results.map((r) => [r.custom_id, r.outcome, r.round]),
      [
        ['doc-1', 'succeeded', 1],
        ['doc-2', 'errored', 1],
        ['doc-3', 'succeeded', 1],
        ['doc-4', 'succeeded', 1],
        ['doc-5', 'succeeded', 1],
      ],
    );
    assert.equal(results[1]!.error?.type, 'invalid_request_error');
    assert.ok(results[0]!.message, 'a succeeded line carries the message');
    assert.ok(
      results.every((r) => r.custom_id.startsWith('doc-')),
      'user ids, not internal ones',
    );

    const batches = job.emulator.record.batches();
    assert.equal(batches.length, 3, 'one batch per chunk of at most 2 requests');
    assert.deepEqual(batches.map((b) => b.requestCount).sort(), [1, 2, 2]);
    const { summary } = result;
    assert.equal(summary.totalRequests, 5);
    assert.deepEqual(
      [summary.outcomes.succeeded, summary.outcomes.errored, summary.outcomes.expired, summary.outcomes.canceled],
      [4, 1, 0, 0],
    );
    assert.deepEqual(summary.outcomes.erroredByType, { invalid_request_error: 1 });
    assert.equal(summary.rounds, 1, 'invalid_request_error is not retried');
    assert.ok(summary.tokens.input > 0 && summary.tokens.output > 0);
    assert.ok(summary.cost.batchUsd > 0);
    assert.ok(Math.abs(summary.cost.standardUsd - 2 * summary.cost.batchUsd) < 1e-12, 'batch price is half');
    assert.deepEqual(await job.readSummary(summary.options.output), summary);
  });

  it('waits out a batch that takes 20 hours with a small history', async () => {
    job = await jobEnv(env, { emulator: { scenario: { processingMs: 20 * HOUR } } });
    const requests = await job.writeRequests('slow.jsonl', [request('a', 'slow one'), request('b', 'slow two')]);
    const { handle, checks } = await job.withWorker(async () => {
      const h = await env.client.workflow.start(batchJob, {
        args: [{ requests }],
        taskQueue: job.taskQueue,
        workflowId: 'twenty-hours',
      });
      await h.result();
      // Queries are answered by a worker: ask while this one runs.
      return { handle: h, checks: (await h.query(progressQuery)).checks };
    });
    await recordHistory('twenty-hours', handle);
    const { summary } = await handle.result();
    assert.equal(summary.outcomes.succeeded, 2);
    const history = await handle.fetchHistory();
    const events = history.events?.length ?? 0;
    assert.ok(events < 2000, `history of a 20 h wait stays small (${events} events)`);
    assert.ok(checks >= 20 && checks < 200, `backed-off checks over 20 h (${checks})`);
  });

  it('checks its batches at once when an operator sends checkNow', async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('now.jsonl', [request('a', 'quick')]);
    await job.withWorker(async () => {
      // A 10 h first wait, and time not skipped (nobody awaits the result yet): only the signal can end it.
      const h = await env.client.workflow.start(batchJob, {
        args: [{ requests, polling: { initialInterval: '10 hours' } }],
        taskQueue: job.taskQueue,
        workflowId: 'check-now',
      });
      await untilPhase(h, 'waiting');
      assert.equal(job.emulator.record.count('retrieve'), 0);
      await h.signal(checkNowSignal);
      const progress = await eventually(async () => {
        const p = await h.query(progressQuery);
        return p.checks >= 1 ? p : undefined;
      }, 'a check');
      assert.ok(job.emulator.record.count('retrieve') >= 1);
      assert.ok(progress.checks >= 1);
      await h.result();
    });
  });

  it('retries requests that expired at the 24 h limit in a new batch', async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('expiring.jsonl', [
      request('late', 'takes forever [emulator:expired x1]'),
      request('fine', 'quick'),
    ]);
    const result = await run('expiry', { requests });
    const results = await job.readResults(result.summary.options.output);
    assert.deepEqual(
      results.map((r) => [r.custom_id, r.outcome, r.round]),
      [
        ['late', 'succeeded', 2],
        ['fine', 'succeeded', 1],
      ],
    );
    const batches = job.emulator.record.batches();
    assert.deepEqual(
      batches.map((b) => b.requestCount),
      [2, 1],
      'round 2 resubmits only the expired request',
    );
  });

  it('retries transient errors, never resends a success, and gives up after maxRetryRounds with the last error', async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('flaky.jsonl', [
      request('ok', 'fine'),
      request('flaky', 'overloaded once [emulator:errored=overloaded_error x1]'),
      request('broken', 'always failing [emulator:errored=api_error]'),
      request('invalid', 'bad [emulator:errored=invalid_request_error]'),
    ]);
    const result = await run('retries', { requests, maxRetryRounds: 2 });
    const byId = new Map((await job.readResults(result.summary.options.output)).map((r) => [r.custom_id, r]));
    assert.deepEqual([byId.get('ok')?.outcome, byId.get('ok')?.round], ['succeeded', 1]);
    assert.deepEqual([byId.get('flaky')?.outcome, byId.get('flaky')?.round], ['succeeded', 2]);
    assert.deepEqual(
      [byId.get('broken')?.outcome, byId.get('broken')?.round, byId.get('broken')?.error?.type],
      ['errored', 3, 'api_error'],
    );
    assert.deepEqual([byId.get('invalid')?.outcome, byId.get('invalid')?.round], ['errored', 1]);
    const sizes = job.emulator.record.batches().map((b) => b.requestCount);
    assert.deepEqual(sizes, [4, 2, 1], 'round 2 sends flaky and broken, round 3 only broken');
    assert.equal(result.summary.rounds, 3);
  });

  it('fails on a bad requests file with line numbers, before creating any batch', async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('bad.jsonl', [
      request('one', 'fine'),
      '{"custom_id": "two", "params": ',
      request('one', 'duplicate'),
      request('has space', 'bad id'),
      { custom_id: 'no-params' },
      request('no-tokens', 'x', { max_tokens: 0 }),
    ]);
    await assert.rejects(run('bad-input', { requests }), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      const message = String(err.cause?.message);
      assert.match(message, /5 problems/);
      assert.match(message, /line 2: not valid JSON/);
      assert.match(message, /line 3: duplicate custom_id "one" \(first used on line 1\)/);
      assert.match(message, /line 4: custom_id "has space"/);
      assert.match(message, /line 5: params is missing/);
      assert.match(message, /line 6: params.max_tokens must be at least 1/);
      return true;
    });
    assert.equal(job.emulator.record.batches().length, 0);
    assert.equal(job.emulator.record.count('create'), 0);
  });

  it('fails on an empty requests file', async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('empty.jsonl', ['', '  ']);
    await assert.rejects(run('empty-input', { requests }), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.match(String(err.cause?.message), /the file has no requests/);
      return true;
    });
    assert.equal(job.emulator.record.batches().length, 0);
  });
});
