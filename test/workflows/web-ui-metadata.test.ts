// What the Web UI and visibility see of a running job on the Temporal CLI's dev server (the time-skipping server lacks
// search attributes and user metadata): message descriptions, the current phase as a search attribute, and search
// attributes upserted only when they change.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { defaultPayloadConverter } from '@temporalio/common';
import { batchJob } from '../../src/workflows';
import { JOB_SEARCH_ATTRIBUTES, jobPhaseKey, jobRequestsKey } from '../../src/shared/search-attributes';
import { startDevServer } from '../support/temporal';
import { jobEnv, request, type JobEnv } from '../support/job-env';
import { eventually } from '../support/eventually';
import { recordHistory } from '../support/histories';

/** The replay fixture of a job that keeps search attributes (only the dev server records one). */
const RECORDED_AS = 'search-attributes-on-change';

interface WorkflowMetadata {
  definition: {
    queryDefinitions: { name: string; description?: string }[];
    signalDefinitions: { name: string; description?: string }[];
    updateDefinitions: { name: string; description?: string }[];
  };
  currentDetails?: string;
}

describe('a job as the Web UI sees it', () => {
  let env: TestWorkflowEnvironment;
  let job: JobEnv;
  before(async () => {
    env = await startDevServer({
      searchAttributes: JOB_SEARCH_ATTRIBUTES,
    });
  });
  after(async () => {
    await env?.teardown();
  });
  afterEach(async () => {
    await job?.close();
  });

  const start = (workflowId: string, requests: string, firstWait = 200) =>
    env.client.workflow.start(batchJob, {
      args: [{ requests, polling: { initialInterval: firstWait, maxInterval: 200 } }],
      taskQueue: job.taskQueue,
      workflowId,
      typedSearchAttributes: [
        { key: jobPhaseKey, value: 'validating' },
        { key: jobRequestsKey, value: 0 },
      ],
    });

  it('describes its progress query, checkNow signal and updates in the workflow metadata', async () => {
    job = await jobEnv(env, { followTemporalTime: false });
    const requests = await job.writeRequests('in.jsonl', [request('a', 'x')]);
    const metadata = await job.withWorker(async () => {
      const handle = await start('described', requests);
      const m = await handle.query<WorkflowMetadata>('__temporal_workflow_metadata');
      await handle.result();
      return m;
    });
    const description = (defs: { name: string; description?: string }[], name: string) =>
      defs.find((d) => d.name === name)?.description ?? '';
    assert.match(description(metadata.definition.queryDefinitions, 'progress'), /phase.*batch/);
    assert.match(description(metadata.definition.signalDefinitions, 'checkNow'), /Check the live batches now/);
    for (const update of ['checkNow', 'pause', 'resume', 'approve', 'setBudget']) {
      assert.ok(description(metadata.definition.updateDefinitions, update).length > 0, update);
    }
  });

  it('is found by ClaudeBatchPhase="waiting" during its first wait for its batch', async () => {
    job = await jobEnv(env, { followTemporalTime: false, emulator: { scenario: { processingMs: 60 * 60_000 } } });
    const requests = await job.writeRequests('in.jsonl', [request('a', 'x')]);
    await job.withWorker(async () => {
      const handle = await start('found-waiting', requests, 60 * 60_000);
      await eventually(async () => {
        const { typedSearchAttributes } = await handle.describe();
        return typedSearchAttributes.get(jobPhaseKey) === 'waiting' ? true : undefined;
      }, 'ClaudeBatchPhase to say waiting');
      await handle.terminate('test done');
    });
  });

  it('upserts a search attribute only when its value changes, not at every check', async () => {
    job = await jobEnv(env, { followTemporalTime: false, emulator: { scenario: { processingMs: 5_000 } } });
    const requests = await job.writeRequests('in.jsonl', [request('a', 'x'), request('b', 'y')]);
    const handle = await job.withWorker(async () => {
      const h = await start('upsert-on-change', requests);
      await h.result();
      return h;
    });
    await recordHistory(RECORDED_AS, handle);
    const history = await handle.fetchHistory();
    const checks = (history.events ?? []).filter((e) => e.timerFiredEventAttributes).length;
    assert.ok(checks >= 3, `the job checked its batch ${checks} times`);
    const seen = new Map<string, unknown>();
    for (const e of history.events ?? []) {
      const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {};
      const ours = Object.entries(fields).filter(([name]) => name.startsWith('ClaudeBatch'));
      for (const [name, payload] of ours) {
        const value = defaultPayloadConverter.fromPayload(payload);
        assert.notDeepEqual(value, seen.get(name), `${name} upserted again with the same value`);
        seen.set(name, value);
      }
    }
    assert.equal(seen.get('ClaudeBatchOutcome'), 'succeeded');
  });
});
