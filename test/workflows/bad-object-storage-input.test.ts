// Bad object-storage input fails the job before any batch, with a message naming the object and what to fix: a bucket
// that does not exist, a missing key, a prefix given for an object, no credentials, a store that cannot be reached, a
// scheme no worker reads. The store is a real one (versitygw).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { S3Client } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { BatchJobInput } from '../../src/shared/job';
import { S3Storage } from '../../src/storage/s3-storage';
import { StorageRouter } from '../../src/storage/router';
import { writeChunk } from '../../src/storage/local-storage';
import { createBatchWorker } from '../../src/worker';
import { batchJob } from '../../src/workflows';
import { jobEnv, request, workflowsPath, type JobEnv, withTimeSkippingServer } from '../support/job-env';
import { freePort } from '../support/ports';
import { workflowBundle } from '../support/temporal';
import { startTestObjectStore, type TestObjectStore } from '../support/object-store';

/** Far more than failing fast takes, far less than a test runner's patience. */
const BOUND_MS = 60_000;

describe('bad object-storage input fails the job fast, before any batch', () => {
  let env: TestWorkflowEnvironment;
  let store: TestObjectStore;
  let job: JobEnv;
  let jobs = 0;
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

  /** Runs the job on a worker with this S3 client and returns the failure it ended with. */
  async function failureOf(input: BatchJobInput, client: S3Client = store.client()): Promise<ApplicationFailure> {
    job = await jobEnv(env);
    const worker = await createBatchWorker({
      connection: env.nativeConnection,
      taskQueue: job.taskQueue,
      workflowBundle: await workflowBundle(workflowsPath),
      anthropic: new Anthropic({ apiKey: 'test-key', baseURL: job.emulator.url }),
      storage: new StorageRouter(undefined, () => new S3Storage(client)),
    });
    const handle = await env.client.workflow.start(batchJob, {
      args: [input],
      taskQueue: job.taskQueue,
      workflowId: `bad-s3-input-${++jobs}`,
    });
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the job still ran after ${BOUND_MS / 1000} s`)), BOUND_MS);
    });
    try {
      const err: unknown = await worker.runUntil(Promise.race([handle.result(), bound])).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError, `the job ended with ${String(err)}`);
      assert.ok(err.cause instanceof ApplicationFailure, `failed with ${String(err.cause)}`);
      assert.equal(job.emulator.record.batches().length, 0, 'no batch was created');
      return err.cause;
    } finally {
      clearTimeout(timer);
      await handle.terminate('test over').catch(() => undefined);
    }
  }

  /** A requests object in the store, ready to read. */
  async function requestsObject(key: string): Promise<string> {
    const ref = store.uri(key);
    await store.storage.write(ref, (sink) => writeChunk(sink, JSON.stringify(request('a', 'hi')) + '\n'));
    return ref;
  }

  it('names the bucket that does not exist and where it was looked for', async () => {
    const failure = await failureOf({ requests: 's3://no-such-bucket/in.jsonl' });
    assert.equal(failure.type, 'InvalidRequestsFile');
    assert.match(
      failure.message,
      /^s3:\/\/no-such-bucket\/in\.jsonl: bucket "no-such-bucket" does not exist at http:\/\/127\.0\.0\.1:\d+ \(create it, or correct the URI\); no batch was created/,
    );
  });

  it('refuses a bucket name the store does not accept', async () => {
    const failure = await failureOf({ requests: 's3://ab/in.jsonl' });
    assert.equal(failure.type, 'InvalidRequestsFile');
    assert.match(failure.message, /^s3:\/\/ab\/in\.jsonl: .*"ab".* bucket name/);
  });

  it('names a requests object that is not there', async () => {
    const failure = await failureOf({ requests: store.uri('inputs/missing.jsonl') });
    assert.equal(failure.type, 'InvalidRequestsFile');
    assert.match(failure.message, /^s3:\/\/jobs\/inputs\/missing\.jsonl: no such object \(check the key\)/);
  });

  it('refuses a prefix of objects given as the requests file', async () => {
    await requestsObject('batch-7/part-1.jsonl');
    const failure = await failureOf({ requests: store.uri('batch-7') });
    assert.equal(failure.type, 'InvalidRequestsFile');
    assert.match(
      failure.message,
      /^s3:\/\/jobs\/batch-7: is a folder of objects \(part-1\.jsonl, …\), not a requests file/,
    );
  });

  it('refuses an output in a bucket that does not exist', async () => {
    const failure = await failureOf({ requests: await requestsObject('in/ok.jsonl'), output: 's3://gone/results' });
    assert.equal(failure.type, 'InvalidOutput');
    assert.match(
      failure.message,
      /^output s3:\/\/gone\/results: bucket "gone" does not exist at http:\/\/127\.0\.0\.1:\d+/,
    );
  });

  it('refuses a work area in a bucket that does not exist', async () => {
    const requests = await requestsObject('in/ok2.jsonl');
    const failure = await failureOf({ requests, work: 's3://scratch-bucket/work' });
    assert.equal(failure.type, 'InvalidOutput');
    assert.match(failure.message, /^work s3:\/\/scratch-bucket\/work: bucket "scratch-bucket" does not exist/);
  });

  it('says so when the worker has no credentials for the store', async () => {
    const saved = { ...process.env };
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
      delete process.env[name];
    }
    Object.assign(process.env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    });
    try {
      // The SDK's own chain (environment, profiles, instance roles) finds nothing.
      const client = new S3Client({ endpoint: store.endpoint, region: store.region, forcePathStyle: true });
      const failure = await failureOf({ requests: store.uri('in/any.jsonl') }, client);
      assert.equal(failure.type, 'InvalidRequestsFile');
      assert.match(
        failure.message,
        /^s3:\/\/jobs\/in\/any\.jsonl: no AWS credentials found for the worker \(set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or give the worker a role\)/,
      );
    } finally {
      process.env = saved;
    }
  });

  it('names the endpoint when the store cannot be reached', async () => {
    const port = await freePort();
    const client = new S3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: store.region,
      forcePathStyle: true,
      credentials: { accessKeyId: store.accessKeyId, secretAccessKey: store.secretAccessKey },
    });
    const failure = await failureOf({ requests: 's3://jobs/in/ok.jsonl' }, client);
    assert.equal(failure.type, 'InvalidRequestsFile');
    assert.match(
      failure.message,
      new RegExp(
        `cannot reach the S3 endpoint http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\): check AWS_ENDPOINT_URL_S3`,
      ),
    );
  });

  it('refuses a storage scheme no worker reads', async () => {
    const failure = await failureOf({ requests: 'gs://bucket/in.jsonl', output: store.uri('out') });
    assert.equal(failure.type, 'InvalidRequestsFile');
    assert.match(
      failure.message,
      /^gs:\/\/bucket\/in\.jsonl: only local paths, file:\/\/ and s3:\/\/bucket\/key URIs are supported/,
    );
  });
});
