// `claude-batch dev --storage s3`: the dev stack with an S3-compatible store and a bucket, whose worker runs a job
// kept entirely in the store.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_BUCKET, startDevStack, type DevStack } from '../../src/cli/dev-stack';
import { DEFAULT_TASK_QUEUE, type FinalResultLine } from '../../src/shared/job';
import { S3Storage } from '../../src/storage/s3-storage';
import { writeChunk } from '../../src/storage/local-storage';
import { batchJob } from '../../src/workflows';
import { freePort } from '../support/ports';
import { quietRuntime } from '../support/temporal';
import { request } from '../support/job-env';
import { claudeBatch } from '../support/cli';

describe('dev stack with object storage', () => {
  let stack: DevStack;
  before(async () => {
    quietRuntime();
    const dir = await mkdtemp(join(tmpdir(), 'claude-batch-dev-s3-'));
    stack = await startDevStack({
      dataDir: join(dir, 'data'),
      port: await freePort(),
      uiPort: await freePort(),
      emulatorPort: 0,
      storage: 's3',
      s3Port: 0,
    });
  });
  after(async () => {
    await stack?.shutdown();
  });

  it('starts a store with a bucket, and its worker runs a job whose requests and results are in it', async () => {
    const store = stack.objectStore;
    assert.ok(store, 'an object store runs');
    assert.equal(store.bucket, DEV_BUCKET);
    const storage = new S3Storage(store.client());
    const requests = `s3://${DEV_BUCKET}/inputs/questions.jsonl`;
    await storage.write(requests, (sink) =>
      writeChunk(sink, [0, 1, 2].map((i) => JSON.stringify(request(`q-${i}`, `question ${i}`)) + '\n').join('')),
    );
    const result = await stack.client.workflow.execute(batchJob, {
      args: [{ requests, polling: { initialInterval: '1 second', maxInterval: '2 seconds' } }],
      taskQueue: DEFAULT_TASK_QUEUE,
      workflowId: 'dev-s3-job',
    });
    assert.equal(result.resultsPath, `s3://${DEV_BUCKET}/inputs/dev-s3-job/results.jsonl`);
    let text = '';
    for await (const part of storage.read(result.resultsPath)) text += (part as Buffer).toString('utf8');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as FinalResultLine);
    assert.deepEqual(
      lines.map((l) => [l.custom_id, l.outcome]),
      [
        ['q-0', 'succeeded'],
        ['q-1', 'succeeded'],
        ['q-2', 'succeeded'],
      ],
    );
  });

  it('hands out the results of a job kept in S3 with `claude-batch results`', async () => {
    const printed = await claudeBatch(['results', 'dev-s3-job'], {
      ...stack.objectStore!.env,
      TEMPORAL_ADDRESS: stack.address,
    });
    assert.equal(printed.code, 0, printed.stderr);
    const ids = printed.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as FinalResultLine).custom_id);
    assert.deepEqual(ids, ['q-0', 'q-1', 'q-2']);
  });
});
