// A job never walks away from a batch it owns: once a batch exists, no answer of the API ends the job. It shows the
// problem (phase `stalled`, the error, what to check), keeps trying, and carries on when the API answers again.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { batchJob } from '../../src/workflows';
import { progressQuery } from '../../src/shared/messages';
import type { FaultStatus } from '../../src/emulator/types';
import { startEmulator, type Emulator } from '../../src/emulator';
import { jobEnv, request, type JobEnv, withTimeSkippingServer } from '../support/job-env';
import { eventually } from '../support/eventually';
import { freePort } from '../support/ports';
import { recordHistory } from '../support/histories';

const HOUR = 60 * 60 * 1000;
const FOREVER = 1_000_000;

/** Reads the Web UI's "current details" as the UI does, through the built-in metadata query. */
async function currentDetails(handle: { query(name: string): Promise<unknown> }): Promise<string> {
  const metadata = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
  return metadata.currentDetails ?? '';
}

describe('a job that owns a batch', () => {
  let env: TestWorkflowEnvironment;
  let job: JobEnv;
  withTimeSkippingServer(
    (started) => (env = started),
    () => job,
  );

  const hints: Record<string, RegExp> = {
    401: /ANTHROPIC_API_KEY/,
    403: /workspace/,
    404: /ANTHROPIC_BASE_URL/,
    500: /goes on by itself/,
  };

  for (const status of [401, 403, 404, 500] as FaultStatus[]) {
    it(`stalls visibly on ${status} from its live batch's checks and finishes once the API answers again`, async () => {
      job = await jobEnv(env, { emulator: { scenario: { processingMs: HOUR } } });
      const requests = await job.writeRequests('in.jsonl', [request('a', 'first'), request('b', 'second')]);
      const result = await job.withWorker(async () => {
        const handle = await env.client.workflow.start(batchJob, {
          args: [{ requests }],
          taskQueue: job.taskQueue,
          workflowId: `stalled-${status}`,
        });
        await eventually(
          () => Promise.resolve(job.emulator.record.batches().length === 1 ? true : undefined),
          'the batch to be created',
        );
        job.emulator.control.injectFaults({ status, count: FOREVER, endpoint: 'retrieve' });
        const finished = handle.result(); // lets the server skip the job's timers
        const stalled = await eventually(async () => {
          const p = await handle.query(progressQuery);
          return p.phase === 'stalled' && (p.stall?.tries ?? 0) >= 2 ? p : undefined;
        }, 'the job to report itself stalled');
        assert.equal(stalled.stall?.step, 'check batches');
        assert.match(stalled.stall?.error ?? '', new RegExp(String(status)));
        assert.match(stalled.stall?.hint ?? '', hints[status]!);
        assert.match(await currentDetails(handle), /Stalled since/);
        job.emulator.control.clearFaults();
        const done = await finished;
        if (status === 404) await recordHistory('stalled-404', handle);
        return done;
      });
      assert.equal(result.summary.outcomes.succeeded, 2);
      assert.equal(job.emulator.record.batches().length, 1, 'the same batch, never a second');
      assert.equal((await job.readResults(result.summary.options.output)).length, 2);
    });
  }

  it('stalls while the API cannot be reached at all and carries on once it is back', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'claude-batch-emulator-'));
    const port = await freePort();
    job = await jobEnv(env, { emulator: { port, dataDir, scenario: { processingMs: HOUR } } });
    const requests = await job.writeRequests('in.jsonl', [request('a', 'first'), request('b', 'second')]);
    let restarted: Emulator | undefined;
    try {
      const result = await job.withWorker(async () => {
        const handle = await env.client.workflow.start(batchJob, {
          args: [{ requests }],
          taskQueue: job.taskQueue,
          workflowId: 'stalled-unreachable',
        });
        await eventually(
          () => Promise.resolve(job.emulator.record.batches().length === 1 ? true : undefined),
          'the batch to be created',
        );
        await job.emulator.close(); // connections to the API are refused from now on
        const finished = handle.result();
        const stalled = await eventually(async () => {
          const p = await handle.query(progressQuery);
          return p.phase === 'stalled' ? p : undefined;
        }, 'the job to report itself stalled');
        assert.match(stalled.stall?.hint ?? '', /could not be reached/);
        // The same API comes back (its batches kept in its data folder, on the clock the job's timers moved).
        restarted = await startEmulator({ apiKey: 'test-key', port, dataDir, clock: job.emulator.clock });
        return finished;
      });
      assert.equal(result.summary.outcomes.succeeded, 2);
      assert.equal(restarted!.record.batches().length, 1, 'the same batch, never a second');
    } finally {
      await restarted?.close();
    }
  });

  it('fails at once when the API refuses the key before any batch exists', async () => {
    job = await jobEnv(env);
    job.emulator.control.injectFaults({ status: 401, count: FOREVER, endpoint: 'create' });
    const requests = await job.writeRequests('in.jsonl', [request('a', 'first'), request('b', 'second')]);
    await job.withWorker(async () => {
      const handle = await env.client.workflow.start(batchJob, {
        args: [{ requests, chunk: { maxRequests: 1 } }],
        taskQueue: job.taskQueue,
        workflowId: 'refused-key',
      });
      await assert.rejects(handle.result(), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError);
        assert.ok(err.cause instanceof ActivityFailure);
        assert.ok(err.cause.cause instanceof ApplicationFailure);
        assert.equal(err.cause.cause.type, 'AnthropicApi401');
        return true;
      });
    });
    assert.equal(job.emulator.record.batches().length, 0);
  });

  it('is ended by a cancel while stalled: cancels its batch once the API answers and reports', async () => {
    job = await jobEnv(env, { emulator: { scenario: { processingMs: 10 * HOUR } } });
    const requests = await job.writeRequests('in.jsonl', [request('a', 'first'), request('b', 'second')]);
    await job.withWorker(async () => {
      const handle = await env.client.workflow.start(batchJob, {
        args: [{ requests, polling: { initialInterval: '1 second' } }],
        taskQueue: job.taskQueue,
        workflowId: 'cancel-stalled',
      });
      await eventually(
        () => Promise.resolve(job.emulator.record.batches().length === 1 ? true : undefined),
        'the batch to be created',
      );
      job.emulator.control.injectFaults({ status: 404, count: FOREVER, endpoint: 'retrieve' });
      // Time runs at its own pace here (no result awaited yet), so the cancel lands while the stalled job waits
      // between tries: the Java test server mishandles a cancel that races an activity's failure.
      await eventually(async () => {
        const p = await handle.query(progressQuery);
        return p.phase === 'stalled' ? p : undefined;
      }, 'the job to report itself stalled');
      await handle.cancel();
      // Canceling needs the API too: the job goes on trying until it answers.
      await eventually(async () => {
        const p = await handle.query(progressQuery);
        return p.stall?.step.startsWith('cancel batch') ? p : undefined;
      }, 'the cancel to stall on the API');
      job.emulator.control.clearFaults();
      await assert.rejects(handle.result(), (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError);
        assert.ok(err.cause instanceof CancelledFailure);
        return true;
      });
      await recordHistory('cancel-stalled', handle);
    });
    assert.equal(job.emulator.record.count('cancel'), 1, 'the live batch was canceled at the API');
    assert.equal(job.emulator.record.batches().length, 1);
  });
});
