// Bad input never loops: each mistake fails the job fast, with a message naming the path, line or field, before any
// batch is created. A job that retried instead would run into the bound and fail the test rather than hang it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { createPrepareActivities } from '../../src/activities/prepare';
import type { BatchJobInput } from '../../src/shared/job';
import type { JobStorage } from '../../src/storage/storage';
import { LocalStorage } from '../../src/storage/local-storage';
import { batchJob } from '../../src/workflows';
import { jobEnv, request, workflowsPath, type JobEnv, withTimeSkippingServer } from '../support/job-env';
import { workflowBundle } from '../support/temporal';

/** Far more than failing fast takes, far less than a test runner's patience. */
const BOUND_MS = 60_000;

describe('bad input fails the job fast, before any batch', () => {
  let env: TestWorkflowEnvironment;
  let job: JobEnv;
  let jobs = 0;
  withTimeSkippingServer(
    (started) => (env = started),
    () => job,
  );

  /** Starts the job, expects it to fail within the bound, and returns the failure it ended with. */
  async function failureOf(input: BatchJobInput, worker?: Promise<Worker>): Promise<ApplicationFailure> {
    const handle = await env.client.workflow.start(batchJob, {
      args: [input],
      taskQueue: job.taskQueue,
      workflowId: `bad-input-${++jobs}`,
    });
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the job still ran after ${BOUND_MS / 1000} s`)), BOUND_MS);
    });
    try {
      const err: unknown = await (
        await (worker ?? job.newWorker())
      )
        .runUntil(Promise.race([handle.result(), bound]))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(err instanceof WorkflowFailedError, `the job ended with ${String(err)}`);
      assert.ok(err.cause instanceof ApplicationFailure, `failed with ${String(err.cause)}`);
      return err.cause;
    } finally {
      clearTimeout(timer);
      await handle.terminate('test over').catch(() => undefined);
    }
  }

  const noBatches = () => assert.equal(job.emulator.record.batches().length, 0, 'no batch was created');

  it('refuses a folder given as the requests file', async () => {
    job = await jobEnv(env);
    const folder = join(job.dir, 'documents');
    await mkdir(folder);
    const failure = await failureOf({ requests: folder });
    assert.equal(failure.type, 'InvalidRequestsFile');
    assert.match(failure.message, /\/documents: is a folder, not a requests file/);
    noBatches();
  });

  it('refuses an output folder under a regular file', async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('in.jsonl', [request('a', 'hi')]);
    await writeFile(join(job.dir, 'results'), 'a file');
    const failure = await failureOf({ requests, output: join(job.dir, 'results', 'run-1') });
    assert.equal(failure.type, 'InvalidOutput');
    assert.match(failure.message, /results\/run-1: a part of the path is a file, not a folder \(ENOTDIR/);
    noBatches();
  });

  // Tests run as root, whom file modes do not stop; sysfs refuses new entries to everyone.
  it('refuses an output the worker may not write', { skip: !existsSync('/sys/kernel') && 'needs sysfs' }, async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('in.jsonl', [request('a', 'hi')]);
    const failure = await failureOf({ requests, output: '/sys/claude-batch-test-output' });
    assert.equal(failure.type, 'InvalidOutput');
    assert.match(failure.message, /^output \/sys\/claude-batch-test-output: the worker may not write there \(EPERM/);
    noBatches();
  });

  it('fails on an output that does not answer, saying so', async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('in.jsonl', [request('a', 'hi')]);
    const output = join(job.dir, 'stuck-mount');
    const storage = neverAnswering(output);
    // The worker of production with a 1 s probe deadline instead of 30 s.
    const worker = Worker.create({
      connection: env.nativeConnection,
      taskQueue: job.taskQueue,
      workflowBundle: await workflowBundle(workflowsPath),
      // An activity stuck on the storage ignores cancellation: without this, a job that hangs would hang the test too.
      shutdownForceTime: '5 seconds',
      activities: {
        ...createActivities({ anthropic: new Anthropic({ apiKey: 'test-key', baseURL: job.emulator.url }), storage }),
        ...createPrepareActivities({ storage, outputProbeTimeoutMs: 1_000 }),
      },
    });
    const failure = await failureOf({ requests, output }, worker);
    assert.equal(failure.type, 'InvalidOutput');
    assert.equal(
      failure.message,
      `output ${output} did not answer within 1 s (a probe write hung); no batch was created`,
    );
    noBatches();
  });

  it('refuses a request larger than chunk.maxBytes, naming its line and custom_id', async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('in.jsonl', [request('short', 'hi'), request('long', 'x'.repeat(2_000))]);
    const failure = await failureOf({ requests, chunk: { maxBytes: 1_000 } });
    assert.equal(failure.type, 'InvalidRequestsFile');
    assert.match(
      failure.message,
      /line 2 \(custom_id "long"\) makes a \d+-byte batch on its own, over chunk.maxBytes of 1000/,
    );
    noBatches();
  });

  it('refuses a requests file that is not UTF-8, naming the line', async () => {
    job = await jobEnv(env);
    const requests = join(job.dir, 'latin1.jsonl');
    const lines = [request('a', 'plain'), request('b', 'caf\u00e9')].map((r) => JSON.stringify(r)).join('\n');
    await writeFile(requests, Buffer.from(lines, 'latin1'));
    const failure = await failureOf({ requests });
    assert.equal(failure.type, 'InvalidRequestsFile');
    assert.match(failure.message, /line 2: not valid UTF-8 text/);
    noBatches();
  });

  it('refuses wrong types in requests, saying what was expected and found', async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('in.jsonl', [
      request('quoted', 'hi', { max_tokens: '100' }),
      request('numbered', 'hi', { model: 7 }),
    ]);
    const failure = await failureOf({ requests });
    assert.equal(failure.type, 'InvalidRequestsFile');
    assert.match(failure.message, /line 1: params.max_tokens must be a number, found the string "100"/);
    assert.match(failure.message, /line 2: params.model must be a string \(a model name\), found the number 7/);
    noBatches();
  });

  it("refuses a retired model and max_tokens over the model's max output, naming the lines", async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('in.jsonl', [
      request('fine', 'hi'),
      request('retired', 'hi', { model: 'claude-opus-4-1' }),
      request('long', 'hi', { model: 'claude-haiku-4-5', max_tokens: 64_001 }),
      request('unknown', 'hi', { model: 'claude-does-not-exist-9' }),
    ]);
    const failure = await failureOf({ requests });
    assert.equal(failure.type, 'InvalidRequestsFile');
    assert.match(failure.message, /2 problems found/);
    assert.match(failure.message, /line 2: params.model "claude-opus-4-1" was retired on 2026-08-05/);
    assert.match(failure.message, /line 3: params.max_tokens 64001 is above claude-haiku-4-5's max output of 64000/);
    // An unknown model is the API's to judge (it is reported as unpriced), not a reason to fail the job.
    assert.doesNotMatch(failure.message, /claude-does-not-exist-9/);
    noBatches();
  });

  it('refuses unknown fields in the job input, suggesting the one meant', async () => {
    job = await jobEnv(env);
    const requests = await job.writeRequests('in.jsonl', [request('a', 'hi')]);
    const failure = await failureOf({ requests, chunkSize: 10, defaults: { temperature: 0 } } as BatchJobInput);
    assert.equal(failure.type, 'InvalidJobInput');
    assert.match(failure.message, /`chunkSize` \(did you mean `chunk.maxRequests`\?\), `defaults.temperature`/);
    assert.match(failure.message, /Known fields: requests, output, /);
    noBatches();
  });

  /** A job over documents in `files` (none: no folder at all) and a prompt with or without its placeholder. */
  async function documentsJob(files: Record<string, string | Buffer> | undefined, template?: string) {
    const documents = join(job.dir, 'docs');
    if (files) await mkdir(documents);
    for (const [name, content] of Object.entries(files ?? {})) await writeFile(join(documents, name), content);
    const prompt = join(job.dir, 'prompt.txt');
    if (template !== undefined) await writeFile(prompt, template);
    const input: BatchJobInput = {
      source: { documents, template: prompt },
      defaults: { model: 'claude-sonnet-4-5', max_tokens: 64 },
    };
    return { documents, prompt, input };
  }

  it('refuses a documents folder that does not exist, naming it', async () => {
    job = await jobEnv(env);
    const { documents, input } = await documentsJob(undefined, 'Summarize {{document}}');
    const failure = await failureOf(input);
    assert.equal(failure.type, 'InvalidDocumentSource');
    assert.equal(
      failure.message,
      `documents ${documents}: no such folder or prefix; give the folder (or s3:// prefix) that holds the documents; no batch was created`,
    );
    noBatches();
  });

  it('refuses a prompt template that does not exist, naming it', async () => {
    job = await jobEnv(env);
    const { prompt, input } = await documentsJob({ 'a.txt': 'text' });
    const failure = await failureOf(input);
    assert.equal(failure.type, 'InvalidDocumentSource');
    assert.match(failure.message, new RegExp(`^template ${prompt}: no such file; give the path of a text file`));
    noBatches();
  });

  it('refuses documents with no text, saying what was skipped', async () => {
    job = await jobEnv(env);
    const { documents, input } = await documentsJob(
      { 'a.pdf': Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00]), 'b.txt': '' },
      'Summarize {{document}}',
    );
    const failure = await failureOf(input);
    assert.equal(failure.type, 'InvalidDocumentSource');
    assert.match(
      failure.message,
      new RegExp(
        `^documents ${documents}: no document with text: 1 binary \\(not UTF-8 text\\) and 1 empty files skipped`,
      ),
    );
    noBatches();
  });

  it('refuses a file URI on another host', async () => {
    job = await jobEnv(env);
    const failure = await failureOf({ requests: 'file://fileserver/data/in.jsonl' });
    assert.equal(failure.type, 'InvalidJobInput');
    assert.match(failure.message, /only local file URIs are read .* not ones on host "fileserver"/);
    noBatches();
  });
});

/** Local storage whose writes under `folder` never finish, like a network mount that stopped answering. */
function neverAnswering(folder: string): JobStorage {
  const local = new LocalStorage();
  return Object.assign(Object.create(local) as LocalStorage, {
    write: (ref: string, produce: Parameters<JobStorage['write']>[1]) =>
      ref.startsWith(folder) ? new Promise<void>(() => undefined) : local.write(ref, produce),
  });
}
