// A job whose data lives only in an S3-compatible store (versitygw): requests read from it, chunks and outcomes kept in
// the work folder the job was given, results written back to it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FinalResultLine } from '../../src/shared/job';
import type { JobStorage } from '../../src/storage/storage';
import { S3Storage } from '../../src/storage/s3-storage';
import { StorageRouter } from '../../src/storage/router';
import { writeChunk } from '../../src/storage/local-storage';
import { createBatchWorker } from '../../src/worker';
import { batchJob } from '../../src/workflows';
import { jobEnv, workflowsPath, type JobEnv, withTimeSkippingServer } from '../support/job-env';
import { jobRequests, wrongAnswers } from '../support/answers';
import { workflowBundle } from '../support/temporal';
import { startTestObjectStore, type TestObjectStore } from '../support/object-store';

async function keysUnder(storage: JobStorage, folder: string): Promise<string[]> {
  const keys = [];
  for await (const object of storage.list(folder)) keys.push(object.key);
  return keys;
}

async function linesOf(storage: JobStorage, ref: string): Promise<string[]> {
  let text = '';
  for await (const part of storage.read(ref)) text += (part as Buffer).toString('utf8');
  return text.split('\n').filter((l) => l.length > 0);
}

describe('a job on object storage', () => {
  let env: TestWorkflowEnvironment;
  let store: TestObjectStore;
  let job: JobEnv;
  withTimeSkippingServer(
    (started) => (env = started),
    () => job,
  );
  before(async () => {
    store = await startTestObjectStore('jobs');
  });
  after(async () => {
    await store?.stop();
  });

  it('reads its requests from S3, keeps its work area in the folder given, and writes its results to S3', async () => {
    job = await jobEnv(env);
    // One request fails once as overloaded: a retry round, whose chunk and outcomes are in the work area too.
    job.emulator.control.addRule({
      match: { text: /question 5 of its own/ },
      outcome: 'errored',
      errorType: 'overloaded_error',
      times: 1,
    });
    const requests = store.uri('inputs/questions.jsonl');
    await store.storage.write(requests, (sink) =>
      writeChunk(
        sink,
        jobRequests(0, 12)
          .map((r) => JSON.stringify(r) + '\n')
          .join(''),
      ),
    );
    const worker = await createBatchWorker({
      connection: env.nativeConnection,
      taskQueue: job.taskQueue,
      workflowBundle: await workflowBundle(workflowsPath),
      anthropic: new Anthropic({ apiKey: 'test-key', baseURL: job.emulator.url }),
      storage: new StorageRouter(undefined, () => new S3Storage(store.client())),
    });
    const result = await worker.runUntil(
      env.client.workflow.execute(batchJob, {
        args: [
          {
            requests,
            output: store.uri('results/questions'),
            work: store.uri('scratch'),
            keepWorkData: true,
            chunk: { maxRequests: 5 },
          },
        ],
        taskQueue: job.taskQueue,
        workflowId: 'object-storage-job',
      }),
    );
    assert.equal(result.resultsPath, store.uri('results/questions/results.jsonl'));
    const results = (await linesOf(store.storage, result.resultsPath)).map((l) => JSON.parse(l) as FinalResultLine);
    assert.deepEqual(wrongAnswers(0, 12, results), { wrong: [], lost: [], repeated: [] });
    assert.equal(results.find((r) => r.custom_id === 'r-5')?.round, 2);
    assert.deepEqual(await keysUnder(store.storage, store.uri('results/questions')), ['results.jsonl', 'summary.json']);
    const work = (await keysUnder(store.storage, store.uri('scratch'))).map((key) => key.replace(/^[^/]+\//, '<job>/'));
    assert.deepEqual(work, [
      '<job>/custom-ids.txt',
      '<job>/round-1/chunk-0000.json',
      '<job>/round-1/chunk-0001.json',
      '<job>/round-1/chunk-0002.json',
      '<job>/round-1/outcomes-0000.jsonl',
      '<job>/round-1/outcomes-0001.jsonl',
      '<job>/round-1/outcomes-0002.jsonl',
      '<job>/round-2/chunk-0000.json',
      '<job>/round-2/outcomes-0000.jsonl',
    ]);
  });
});
