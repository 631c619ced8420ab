// Crashes, faults, cancellation and long waits: nothing lost, nothing paid twice, nothing left running.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { batchJob } from '../../src/workflows';
import { progressQuery } from '../../src/shared/messages';
import { jobEnv, request, type JobEnv, withTimeSkippingServer } from '../support/job-env';
import { eventually, untilPhase } from '../support/eventually';
import { recordHistory } from '../support/histories';

const HOUR = 60 * 60 * 1000;

describe('batch job resilience', () => {
  let env: TestWorkflowEnvironment;
  let job: JobEnv;
  withTimeSkippingServer(
    (started) => (env = started),
    () => job,
  );

  const manyRequests = (n: number) => Array.from({ length: n }, (_, i) => request(`r-${i}`, `request number ${i}`));

  it('finishes on a new worker after the first one is shut down mid-poll', async () => {
    job = await jobEnv(env, { emulator: { scenario: { processingMs: 3 * HOUR } } });
    const requests = await job.writeRequests('in.jsonl', manyRequests(3));
    // No workflow cache on the first worker: the time-skipping server does not move a stopped worker's sticky tasks
    // back to the shared queue while its time is locked; against a real server that happens after a few seconds.
    const first = await job.newWorker({ maxCachedWorkflows: 0 });
    const firstRun = first.run();
    const handle = await env.client.workflow.start(batchJob, {
      args: [{ requests }],
      taskQueue: job.taskQueue,
      workflowId: 'worker-restart',
    });
    await untilPhase(handle, 'waiting');
    first.shutdown();
    await firstRun;

    const second = await job.newWorker();
    const { summary } = await second.runUntil(handle.result());
    assert.equal(summary.outcomes.succeeded, 3);
    assert.equal(job.emulator.record.batches().length, 1, 'the batch was not submitted again');
  });

  it('never leaves two batches for one chunk when creates are answered by a dropped connection', async () => {
    job = await jobEnv(env);
    // Two chunks of the same size, created at the same moment, both answers lost.
    job.emulator.control.injectFaults({ kind: 'drop-after-create', count: 2 });
    const requests = await job.writeRequests('in.jsonl', manyRequests(4));
    const handle = await job.withWorker(async () => {
      const h = await env.client.workflow.start(batchJob, {
        args: [{ requests, chunk: { maxRequests: 2 }, submitConcurrency: 2 }],
        taskQueue: job.taskQueue,
        workflowId: 'dropped-creates',
      });
      await h.result();
      return h;
    });
    await recordHistory('dropped-creates', handle);
    const { summary } = await handle.result();
    const batches = job.emulator.record.batches();
    assert.equal(batches.length, 2, 'exactly one batch per chunk');
    assert.deepEqual(
      summary.batches.map((b) => b.batchId).sort(),
      batches.map((b) => b.id).sort(),
      'the job adopted the batches its lost creates made',
    );
    assert.equal(summary.outcomes.succeeded, 4);
    const results = await job.readResults(summary.options.output);
    assert.deepEqual(
      results.map((r) => r.custom_id),
      ['r-0', 'r-1', 'r-2', 'r-3'],
    );
  });

  it('survives 429 with retry-after, 529, 500 and a cut-off results stream with nothing lost', async () => {
    job = await jobEnv(env);
    job.emulator.control.injectFaults({ status: 429, count: 1, endpoint: 'create', retryAfterSeconds: 1 });
    job.emulator.control.injectFaults({ status: 529, count: 3, endpoint: 'retrieve' });
    job.emulator.control.injectFaults({ status: 500, count: 3, endpoint: 'results' });
    job.emulator.control.setScenario({ cutResultsAfterLines: 2 });
    const requests = await job.writeRequests('in.jsonl', manyRequests(5));
    const result = await job.withWorker(async () => {
      const h = await env.client.workflow.start(batchJob, {
        args: [{ requests }],
        taskQueue: job.taskQueue,
        workflowId: 'faults',
      });
      const finished = h.result(); // awaiting the result lets the server skip the job's timers
      // Three 500s, then let the stream be cut twice, then heal it.
      await eventually(
        () => Promise.resolve(job.emulator.record.count('results') >= 5 ? true : undefined),
        'results reads to fail and be cut off',
      );
      job.emulator.control.setScenario({});
      return finished;
    });
    assert.equal(result.summary.outcomes.succeeded, 5);
    assert.equal(job.emulator.record.batches().length, 1);
    assert.equal((await job.readResults(result.summary.options.output)).length, 5);
  });

  it('cancels its live batches when the job is canceled and reports the rest as canceled', async () => {
    job = await jobEnv(env, { emulator: { scenario: { processingMs: 10 * HOUR } } });
    const requests = await job.writeRequests('in.jsonl', manyRequests(4));
    const worker = await job.newWorker();
    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(batchJob, {
        args: [{ requests, chunk: { maxRequests: 2 } }],
        taskQueue: job.taskQueue,
        workflowId: 'cancel-me',
      });
      await untilPhase(handle, 'waiting');
      await handle.cancel();
      await assert.rejects(handle.result(), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError);
        assert.ok(err.cause instanceof CancelledFailure);
        return true;
      });
      const progress = await handle.query(progressQuery);
      assert.equal(progress.phase, 'done');
      await recordHistory('cancel-me', handle);
    });
    assert.equal(job.emulator.record.count('cancel'), 2, 'both live batches canceled at the API');
    const results = await job.readResults(join(job.dir, 'cancel-me'));
    assert.deepEqual(
      results.map((r) => r.custom_id),
      ['r-0', 'r-1', 'r-2', 'r-3'],
    );
    assert.ok(results.every((r) => r.outcome === 'canceled' || r.outcome === 'succeeded'));
    assert.ok(results.some((r) => r.outcome === 'canceled'));
    const summary = await job.readSummary(join(job.dir, 'cancel-me'));
    assert.equal(summary.canceled, true);
  });

  it('continues as new during a long wait and keeps the job state and progress', async () => {
    job = await jobEnv(env, { emulator: { scenario: { processingMs: 12 * HOUR } } });
    const requests = await job.writeRequests('in.jsonl', manyRequests(3));
    const { handle, progress } = await job.withWorker(async () => {
      const h = await env.client.workflow.start(batchJob, {
        args: [{ requests, continueAsNewAfterEvents: 40, polling: { maxInterval: '5 minutes' } }],
        taskQueue: job.taskQueue,
        workflowId: 'continue-as-new',
      });
      await h.result();
      return { handle: h, progress: await h.query(progressQuery) };
    });
    await recordHistory('continue-as-new', handle);
    const { summary } = await handle.result();
    assert.equal(summary.outcomes.succeeded, 3);
    assert.equal(job.emulator.record.batches().length, 1);
    const description = await handle.describe();
    assert.notEqual(description.runId, handle.firstExecutionRunId, 'the job ran on in a new run');
    assert.ok(progress.checks > 20, `checks counted across runs (${progress.checks})`);
    assert.equal(progress.chunks[0]?.batchId, summary.batches[0]?.batchId);
  });
});
