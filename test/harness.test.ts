// The harness itself: Temporal's own servers, installed offline by scripts/setup, run real workflows.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer, startTimeSkippingServer, uniqueTaskQueue, workflowBundle } from './support/temporal';
import { createHarnessActivities } from './fixtures/harness-activities';
import { sleepThenRecord } from './fixtures/harness-workflows';

const workflowsPath = require.resolve('./fixtures/harness-workflows');
const DAY_MS = 24 * 60 * 60 * 1000;

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTimeSkippingServer();
  });
  after(async () => {
    await env?.teardown();
  });

  it('completes a 24 h durable sleep followed by an activity in seconds', async () => {
    const record: string[] = [];
    const taskQueue = uniqueTaskQueue('harness');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(workflowsPath),
      activities: createHarnessActivities(record),
    });
    const started = Date.now();
    const result = await worker.runUntil(
      env.client.workflow.execute(sleepThenRecord, {
        args: ['24 hours', 'day-later'],
        taskQueue,
        workflowId: 'sleep-24h',
      }),
    );
    const slept = Number(/woke after (\d+) ms/.exec(result)?.[1]);
    assert.ok(slept >= DAY_MS && slept < DAY_MS + 60_000, `workflow time advanced by a day (${slept} ms)`);
    assert.deepEqual(record, ['day-later']);
    assert.ok(Date.now() - started < DAY_MS / 1000, 'a day of workflow time took far less than a day');
  });
});

describe('dev server (the Temporal CLI)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startDevServer();
  });
  after(async () => {
    await env?.teardown();
  });

  it('runs a workflow through a real worker and client, and its recorded history replays', async () => {
    const record: string[] = [];
    const taskQueue = uniqueTaskQueue('harness-dev');
    const bundle = await workflowBundle(workflowsPath);
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createHarnessActivities(record),
    });
    const handle = await env.client.workflow.start(sleepThenRecord, {
      args: ['1 second', 'dev'],
      taskQueue,
      workflowId: `dev-sleep-${Date.now()}`,
    });
    const result = await worker.runUntil(handle.result());
    assert.match(result, /^dev woke after \d+ ms of workflow time$/);
    assert.deepEqual(record, ['dev']);

    const history = await handle.fetchHistory();
    const timerEvents = (history.events ?? []).filter((e) => e.timerStartedEventAttributes);
    assert.equal(timerEvents.length, 1, 'one durable timer in the history');
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, handle.workflowId);
  });
});
