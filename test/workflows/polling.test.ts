// When a waiting job looks at its batches: just after the end their request counts predict, just after their 24 h
// expiry, and on the backoff otherwise. On the time-skipping server with the emulator following Temporal's clock.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { batchJob } from '../../src/workflows';
import { progressQuery } from '../../src/shared/messages';
import { eventually, untilPhase } from '../support/eventually';
import { jobEnv, request, type JobEnv, withTimeSkippingServer } from '../support/job-env';
import { recordHistory } from '../support/histories';
import { resultsDelay } from '../support/results-delay';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('polling', () => {
  let env: TestWorkflowEnvironment;
  let job: JobEnv;
  withTimeSkippingServer(
    (started) => (env = started),
    () => job,
  );

  const requests = (n: number) => Array.from({ length: n }, (_, i) => request(`r-${i}`, `text ${i}`));

  it('has the results on disk within a minute of the end that filling request counts predict', async () => {
    job = await jobEnv(env);
    // Off the backoff's 10-minute beat: today's policy would look about 4 minutes after the end.
    job.emulator.control.setScenario({ processingMs: 3 * HOUR + 7 * MINUTE, countsWhileRunning: 'filling' });
    const file = await job.writeRequests('filling.jsonl', requests(1000));
    const { delayMs, events } = await job.withWorker(async () => {
      const handle = await env.client.workflow.start(batchJob, {
        args: [{ requests: file, maxRetryRounds: 0 }],
        taskQueue: job.taskQueue,
        workflowId: 'predicted-end',
      });
      await handle.result();
      await recordHistory('predicted-end', handle);
      return resultsDelay(job.emulator.url, handle);
    });
    assert.ok(delayMs >= 0 && delayMs < MINUTE, `results ${delayMs} ms after the batch ended`);
    // No more looks than the backoff's 23 (1, 2.5, 4.75, … minutes, then every 10): the same history or less.
    const checks = job.emulator.record.count('retrieve');
    assert.ok(checks <= 23, `${checks} checks (${events} events)`);
  });

  it('with counts at zero until the end, waits on the backoff and looks just after the 24 h expiry', async () => {
    job = await jobEnv(env);
    job.emulator.control.setScenario({ neverEnds: true, countsWhileRunning: 'zero-until-ended' });
    const file = await job.writeRequests('zero.jsonl', requests(10));
    const { delayMs, events } = await job.withWorker(async () => {
      const handle = await env.client.workflow.start(batchJob, {
        // A 9-minute beat would look about 3 minutes after the expiry.
        args: [{ requests: file, maxRetryRounds: 0, polling: { maxInterval: '9 minutes' } }],
        taskQueue: job.taskQueue,
        workflowId: 'expiry-check',
      });
      await handle.result();
      return resultsDelay(job.emulator.url, handle);
    });
    assert.ok(delayMs >= 0 && delayMs < MINUTE, `results ${delayMs} ms after the batch expired`);
    // The backoff's checks over 24 h (about 165 at a 9-minute beat), not more.
    const checks = job.emulator.record.count('retrieve');
    assert.ok(checks < 175, `${checks} checks over 24 h (${events} events)`);
  });

  it('shows in its progress when the counts predict the batches will have ended', async () => {
    job = await jobEnv(env);
    job.emulator.control.setScenario({ processingMs: 2 * HOUR, countsWhileRunning: 'filling' });
    const file = await job.writeRequests('eta.jsonl', requests(1000));
    await job.withWorker(async () => {
      const handle = await env.client.workflow.start(batchJob, {
        args: [{ requests: file, maxRetryRounds: 0 }],
        taskQueue: job.taskQueue,
        workflowId: 'expected-end',
      });
      const submitted = await untilPhase(handle, 'waiting');
      assert.equal(submitted.expectedEndAt, undefined, 'nothing to go by before the first check');
      await env.sleep('30 minutes');
      const progress = await eventually(async () => {
        const p = await handle.query(progressQuery);
        return p.checks >= 1 ? p : undefined;
      }, 'a check');
      const anthropic = new Anthropic({ apiKey: 'test-key', baseURL: job.emulator.url });
      const batch = await anthropic.messages.batches.retrieve(progress.chunks[0]!.batchId!);
      const expected = Date.parse(progress.expectedEndAt ?? '');
      const created = Date.parse(batch.created_at);
      assert.ok(Math.abs(expected - (created + 2 * HOUR)) < MINUTE, `expected end ${progress.expectedEndAt}`);
      await handle.terminate('seen');
    });
  });
});
