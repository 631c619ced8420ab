// A job obeys its budget and its operator: holds for approval, pause and resume, a check on demand, all as updates.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledFailure, WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { batchJob } from '../../src/workflows';
import type { BatchJobInput } from '../../src/shared/job';
import {
  approveUpdate,
  checkNowUpdate,
  pauseUpdate,
  progressQuery,
  resumeUpdate,
  setBudgetUpdate,
} from '../../src/shared/messages';
import { jobEnv, request, type JobEnv, withTimeSkippingServer } from '../support/job-env';
import { eventually, untilPhase } from '../support/eventually';
import { recordHistory } from '../support/histories';

const HOUR = 60 * 60 * 1000;
/** Far below what any request costs. */
const TINY_BUDGET = 0.000001;

describe('budget and remote control', () => {
  let env: TestWorkflowEnvironment;
  let job: JobEnv;
  withTimeSkippingServer(
    (started) => (env = started),
    () => job,
  );

  const threeRequests = () => [request('a', 'first'), request('b', 'second'), request('c', 'third')];
  const start = (workflowId: string, input: BatchJobInput) =>
    env.client.workflow.start(batchJob, { args: [input], taskQueue: job.taskQueue, workflowId });

  it('holds a job whose estimate passes its budget, sends nothing, and goes on once approved', async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('in.jsonl', threeRequests());
    await job.withWorker(async () => {
      const handle = await start('budget-approve', { requests, budgetUsd: TINY_BUDGET });
      const held = await untilPhase(handle, 'awaiting-approval');
      assert.match(held.budget?.hold ?? '', /over the budget/);
      assert.ok((held.budget?.estimate?.ceilingUsd ?? 0) > TINY_BUDGET, 'the estimate is shown');
      assert.ok((held.budget?.estimate?.expectedUsd ?? 0) <= (held.budget?.estimate?.ceilingUsd ?? 0));
      assert.equal(job.emulator.record.batches().length, 0, 'nothing sent while held');
      const approved = await handle.executeUpdate(approveUpdate);
      assert.notEqual(approved.phase, 'awaiting-approval');
      const { summary } = await handle.result();
      assert.equal(summary.outcomes.succeeded, 3);
      await recordHistory('budget-approve', handle);
    });
    assert.equal(job.emulator.record.batches().length, 1);
  });

  it('keeps the hold for a budget still too small and releases it for one that covers the job', async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('in.jsonl', threeRequests());
    await job.withWorker(async () => {
      const handle = await start('budget-raise', { requests, budgetUsd: TINY_BUDGET });
      await untilPhase(handle, 'awaiting-approval');
      const still = await handle.executeUpdate(setBudgetUpdate, { args: [TINY_BUDGET * 2] });
      assert.equal(still.phase, 'awaiting-approval');
      assert.equal(still.budget?.budgetUsd, TINY_BUDGET * 2);
      const released = await handle.executeUpdate(setBudgetUpdate, { args: [100] });
      assert.notEqual(released.phase, 'awaiting-approval');
      const { summary } = await handle.result();
      assert.equal(summary.outcomes.succeeded, 3);
      await recordHistory('budget-raise', handle);
    });
  });

  it('refuses updates that make no sense, leaving the job as it was', async () => {
    job = await jobEnv(env, { emulator: { scenario: { processingMs: HOUR } } });
    const requests = await job.writeRequests('in.jsonl', threeRequests());
    await job.withWorker(async () => {
      const handle = await start('refused-updates', { requests });
      await untilPhase(handle, 'waiting');
      await assert.rejects(handle.executeUpdate(approveUpdate), WorkflowUpdateFailedError);
      await assert.rejects(handle.executeUpdate(setBudgetUpdate, { args: [-5] }), WorkflowUpdateFailedError);
      assert.equal((await handle.query(progressQuery)).budget?.budgetUsd, undefined, 'no budget was set');
      await handle.cancel();
    });
  });

  it('holds requests of a model without a price when the job has a budget, until approved', async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('in.jsonl', [request('a', 'x', { model: 'claude-priceless-9' })]);
    await job.withWorker(async () => {
      const handle = await start('budget-unpriced', {
        requests,
        budgetUsd: 100,
        polling: { initialInterval: '1 second' },
      });
      const held = await untilPhase(handle, 'awaiting-approval');
      assert.match(held.budget?.hold ?? '', /claude-priceless-9/);
      assert.equal(held.budget?.estimate?.unpricedRequests, 1);
      await handle.executeUpdate(approveUpdate);
      await handle.result();
    });
    assert.equal(job.emulator.record.batches().length, 1);
  });

  it('ends a held job on cancel with nothing sent, every request reported canceled', async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('in.jsonl', threeRequests());
    await job.withWorker(async () => {
      const handle = await start('budget-cancel', { requests, budgetUsd: TINY_BUDGET });
      await untilPhase(handle, 'awaiting-approval');
      await handle.cancel();
      await assert.rejects(handle.result(), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure);
        return true;
      });
      await recordHistory('budget-cancel', handle);
    });
    assert.equal(job.emulator.record.batches().length, 0);
    const results = await job.readResults((await job.readSummary(`${job.dir}/budget-cancel`)).options.output);
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['canceled', 'canceled', 'canceled'],
    );
  });

  it('pauses with a batch in flight: collects it, sends no retry round until resumed', async () => {
    job = await jobEnv(env, { emulator: { scenario: { processingMs: HOUR } } });
    const requests = await job.writeRequests('in.jsonl', [
      request('a', 'first'),
      request('b', 'flaky once [emulator:errored=api_error x1]'),
    ]);
    // Each batch is ended by moving the API's clock and asking for a check: no timer needs to fire (the time-skipping
    // server stops skipping on its own once an update has run).
    const endLiveBatches = async (handle: { executeUpdate: (u: typeof checkNowUpdate) => Promise<unknown> }) => {
      job.emulator.clock.set(job.emulator.clock.now() + 2 * HOUR);
      await handle.executeUpdate(checkNowUpdate);
    };
    await job.withWorker(async () => {
      const handle = await start('pause-resume', { requests, polling: { initialInterval: '1 hour' } });
      await untilPhase(handle, 'waiting');
      const paused = await handle.executeUpdate(pauseUpdate);
      assert.equal(paused.paused, true);
      await endLiveBatches(handle);
      const idle = await untilPhase(handle, 'paused');
      assert.equal(idle.round, 1, 'no retry round while paused');
      assert.equal(idle.done.succeeded, 1);
      assert.equal(job.emulator.record.batches().length, 1, 'the live batch went on and was collected');
      const resumed = await handle.executeUpdate(resumeUpdate);
      assert.notEqual(resumed.phase, 'paused');
      await eventually(
        () => Promise.resolve(job.emulator.record.batches().length === 2 ? true : undefined),
        'the retry round to be sent once resumed',
      );
      await untilPhase(handle, 'waiting');
      await endLiveBatches(handle);
      const { summary } = await handle.result();
      assert.equal(summary.outcomes.succeeded, 2);
      assert.equal(summary.rounds, 2);
      await recordHistory('pause-resume', handle);
    });
  });

  it('holds a retry round whose worst case would pass the budget, until approved', async () => {
    job = await jobEnv(env, { emulator: { scenario: { processingMs: HOUR } } });
    const requests = await job.writeRequests('in.jsonl', [
      request('a', 'first'),
      request('b', 'flaky once [emulator:errored=api_error x1]'),
    ]);
    await job.withWorker(async () => {
      const handle = await start('budget-retry-round', { requests, polling: { initialInterval: '1 hour' } });
      await untilPhase(handle, 'waiting');
      // Round 1 is under way without a budget; the owner now allows next to nothing more.
      await handle.executeUpdate(setBudgetUpdate, { args: [TINY_BUDGET] });
      job.emulator.clock.set(job.emulator.clock.now() + 2 * HOUR);
      await handle.executeUpdate(checkNowUpdate);
      const held = await untilPhase(handle, 'awaiting-approval');
      assert.equal(held.round, 2);
      assert.match(held.budget?.hold ?? '', /round 2/);
      assert.equal(job.emulator.record.batches().length, 1, 'the retry round is not sent while held');
      await handle.executeUpdate(approveUpdate);
      await eventually(
        () => Promise.resolve(job.emulator.record.batches().length === 2 ? true : undefined),
        'the retry round to be sent once approved',
      );
      await untilPhase(handle, 'waiting');
      job.emulator.clock.set(job.emulator.clock.now() + 2 * HOUR);
      await handle.executeUpdate(checkNowUpdate);
      const { summary } = await handle.result();
      assert.equal(summary.outcomes.succeeded, 2);
    });
  });

  it('checks its batches at once on the checkNow update and answers with what it found', async () => {
    job = await jobEnv(env, { emulator: { scenario: { processingMs: 10 * HOUR } } });
    const requests = await job.writeRequests('in.jsonl', threeRequests());
    await job.withWorker(async () => {
      const handle = await start('check-now-update', { requests, polling: { initialInterval: '1 hour' } });
      const waiting = await untilPhase(handle, 'waiting');
      const checked = await handle.executeUpdate(checkNowUpdate);
      assert.equal(checked.checks, waiting.checks + 1);
      assert.equal(checked.chunks[0]?.status, 'in_progress');
      // Terminated, not canceled: canceling waits on timers, which this server no longer skips after an update.
      await handle.terminate('test over');
      await recordHistory('check-now-update', handle);
    });
  });
});

describe('prompt-cache priming', () => {
  let env: TestWorkflowEnvironment;
  let job: JobEnv;
  withTimeSkippingServer(
    (started) => (env = started),
    () => job,
  );

  const shared = 'You are a careful analyst of quarterly reports. '.repeat(200);
  const sharingRequests = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      request(`r-${i}`, `question ${i}`, {
        system: [{ type: 'text', text: shared, cache_control: { type: 'ephemeral' } }],
      }),
    );

  async function runJob(workflowId: string, primeCache?: boolean) {
    // Every request of a batch in one wave: without priming, none can read what another writes.
    job = await jobEnv(env, { emulator: { requestsPerSecond: 1_000_000 } });
    const requests = await job.writeRequests('in.jsonl', sharingRequests(40));
    return job.withWorker(async () => {
      const handle = await start(workflowId, { requests, ...(primeCache === undefined ? {} : { primeCache }) });
      await handle.result();
      if (primeCache === undefined) await recordHistory('prime-cache', handle);
      return handle.query(progressQuery);
    });
  }
  const start = (workflowId: string, input: BatchJobInput) =>
    env.client.workflow.start(batchJob, { args: [input], taskQueue: job.taskQueue, workflowId });

  it('primes a prefix its requests share before sending them, so they read the cache', async () => {
    const progress = await runJob('primed');
    assert.equal(job.emulator.record.count('messages'), 1, 'one Messages call for the one shared prefix');
    const [round1] = progress.cache ?? [];
    assert.equal(round1?.primedPrefixes, 1);
    assert.ok((round1?.cacheRead ?? 0) > 0 && round1?.cacheWrite === 0, JSON.stringify(round1));
  });

  it('sends the batch without priming when told not to, and its requests write the cache', async () => {
    const progress = await runJob('not-primed', false);
    assert.equal(job.emulator.record.count('messages'), 0);
    const [round1] = progress.cache ?? [];
    assert.equal(round1?.cacheRead, 0, JSON.stringify(round1));
    assert.ok((round1?.cacheWrite ?? 0) > 0);
  });
});
