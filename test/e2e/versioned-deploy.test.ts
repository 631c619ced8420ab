// A deploy in the middle of a job's wait, with Worker Versioning on the Temporal CLI's dev server: the job starts on
// build A, A's worker stops, build B (a workflow change guarded by patched()) becomes current and finishes the job.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { batchJob } from '../../src/workflows';
import { checkNowSignal } from '../../src/shared/messages';
import { createBatchWorker } from '../../src/worker';
import { temporalCliPath } from '../../src/dev/temporal-servers';
import { startDevServer, uniqueTaskQueue, workflowBundle } from '../support/temporal';
import { jobEnv, request, workflowsPath, type JobEnv } from '../support/job-env';
import { eventually, untilPhase } from '../support/eventually';
import { runCommand } from '../support/cli';
import { deployTestPatch } from '../fixtures/patched-batch-job';

const HOUR = 60 * 60 * 1000;
const deploymentName = 'claude-batch-deploy-test';

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/** The patch ids recorded in a history (markers `patched()` writes the first time a run takes the new path). */
function patchesIn(history: History): string[] {
  return (history.events ?? []).flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    const data = marker?.details?.['patch-data']?.payloads?.[0]?.data;
    return marker?.markerName === 'core_patch' && data
      ? [(JSON.parse(Buffer.from(data).toString()) as { id: string }).id]
      : [];
  });
}

describe('a deploy while a job waits on its batch', () => {
  let env: TestWorkflowEnvironment;
  let job: JobEnv;
  before(async () => {
    env = await startDevServer();
    job = await jobEnv(env, { followTemporalTime: false, emulator: { scenario: { processingMs: 2 * HOUR } } });
  });
  after(async () => {
    await job?.close();
    await env?.teardown();
  });

  const buildWorker = async (buildId: string, workflows: string, taskQueue: string) =>
    createBatchWorker({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(workflows),
      anthropic: new Anthropic({ apiKey: 'test-key', baseURL: job.emulator.url }),
      deployment: { name: deploymentName, buildId },
    });

  /** What an operator runs after the new build's workers are up (they must have polled before it is accepted). */
  const setCurrent = (buildId: string) =>
    eventually(async () => {
      const set = await runCommand(temporalCliPath()!, [
        'worker',
        'deployment',
        'set-current-version',
        '--address',
        env.address,
        '--deployment-name',
        deploymentName,
        '--build-id',
        buildId,
        '--yes',
      ]);
      return set.code === 0 ? set : undefined;
    }, `build ${buildId} to become current`);

  it('finishes on the new build with every result, and the history proves which build ran what', async () => {
    const taskQueue = uniqueTaskQueue('deploy');
    const requests = await job.writeRequests(
      'in.jsonl',
      [1, 2, 3].map((i) => request(`doc-${i}`, `text ${i}`)),
    );

    const buildA = await buildWorker('A', workflowsPath, taskQueue);
    const runningA = buildA.run();
    await setCurrent('A');
    const handle = await env.client.workflow.start(batchJob, {
      args: [{ requests, polling: { initialInterval: '1 hour' } }],
      taskQueue,
      workflowId: 'deployed-mid-wait',
    });
    await untilPhase(handle, 'waiting');
    buildA.shutdown();
    await runningA;

    const buildB = await buildWorker('B', require.resolve('../fixtures/patched-batch-job'), taskQueue);
    const { result, laterJob } = await buildB.runUntil(async () => {
      await setCurrent('B');
      job.emulator.clock.advance(3 * HOUR);
      await handle.signal(checkNowSignal);
      const finished = await handle.result();
      assert.equal(job.emulator.record.batches().length, 1, 'one batch, submitted by A, collected by B');
      // A job started after the deploy runs B's code, new step included.
      const later = await env.client.workflow.start(batchJob, {
        args: [{ requests, output: `${job.dir}/later`, polling: { initialInterval: '1 hour' } }],
        taskQueue,
        workflowId: 'started-after-deploy',
      });
      await untilPhase(later, 'waiting');
      job.emulator.clock.advance(3 * HOUR);
      await later.signal(checkNowSignal);
      await later.result();
      return { result: finished, laterJob: await later.fetchHistory() };
    });
    assert.ok(patchesIn(laterJob).includes(deployTestPatch), 'a job started on B took the new step');

    assert.equal(result.summary.outcomes.succeeded, 3);
    const results = await job.readResults(result.summary.options.output);
    assert.deepEqual(
      results.map((r) => [r.custom_id, r.outcome]),
      [
        ['doc-1', 'succeeded'],
        ['doc-2', 'succeeded'],
        ['doc-3', 'succeeded'],
      ],
    );

    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const builds = events.flatMap((e) =>
      e.workflowTaskCompletedEventAttributes ? [e.workflowTaskCompletedEventAttributes.deploymentVersion?.buildId] : [],
    );
    assert.equal(builds[0], 'A', 'started on build A');
    assert.equal(builds.at(-1), 'B', 'completed on build B');
    assert.ok(!patchesIn(history).includes(deployTestPatch), 'the job started before the change kept its old path');

    // The replay suite's verdict on the same history: B's guarded change passes, an unguarded one is caught.
    await Worker.runReplayHistory(
      { workflowBundle: await workflowBundle(require.resolve('../fixtures/patched-batch-job')) },
      history,
      'deployed-mid-wait',
    );
    await assert.rejects(
      Worker.runReplayHistory(
        { workflowBundle: await workflowBundle(require.resolve('../fixtures/changed-batch-job')) },
        history,
        'deployed-mid-wait',
      ),
      DeterminismViolationError,
    );
  });
});
