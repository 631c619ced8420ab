// Jobs are plain JSON in and out: the committed JSON Schemas under schema/ are the TypeScript types' (regenerated here
// and compared), and what a real job answers (its progress while running and ended, its result) conforms to them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { generateJobSchemas, JOB_SCHEMAS, type SchemaFile } from '../../scripts/json-schema';
import { batchJob } from '../../src/workflows';
import { progressQuery } from '../../src/shared/messages';
import type { BatchJobInput } from '../../src/shared/job';
import { jobEnv, request, type JobEnv, withTimeSkippingServer } from '../support/job-env';
import { eventually } from '../support/eventually';
import { projectRoot } from '../support/cli';

const HOUR = 60 * 60 * 1000;

async function committed(file: SchemaFile): Promise<string> {
  return readFile(join(projectRoot, 'schema', file), 'utf8');
}

async function validator(file: SchemaFile): Promise<ValidateFunction> {
  return new Ajv({ allErrors: true }).compile(JSON.parse(await committed(file)) as object);
}

function assertValid(validate: ValidateFunction, value: unknown, what: string): void {
  assert.ok(validate(value), `${what}: ${JSON.stringify(validate.errors, null, 2)}`);
}

describe('the job’s JSON Schemas', () => {
  it('are the ones generated from the TypeScript types (run `npm run schema` after changing src/shared/job.ts)', async () => {
    const generated = generateJobSchemas();
    for (const file of Object.keys(JOB_SCHEMAS) as SchemaFile[]) {
      assert.equal(await committed(file), generated[file], `schema/${file} drifted from the types`);
    }
  });

  it('accept a job input as the README writes it and refuse a misspelled field', async () => {
    const validate = await validator('batch-job-input.schema.json');
    const input: BatchJobInput = {
      requests: '/data/requests.jsonl',
      output: '/data/out',
      defaults: { model: 'claude-sonnet-4-5', max_tokens: 512 },
      polling: { initialInterval: '1 minute', maxInterval: '10 minutes' },
      maxRetryRounds: 2,
      budgetUsd: 5,
    };
    assertValid(validate, input, 'the input');
    assert.equal(validate({ requests: '/data/requests.jsonl', maxRetryRound: 2 }), false);
  });

  describe('against a real job', () => {
    let env: TestWorkflowEnvironment;
    let job: JobEnv;
    withTimeSkippingServer(
      (started) => (env = started),
      () => job,
    );

    it('validate its progress while running and ended, and its result', async () => {
      job = await jobEnv(env, { emulator: { scenario: { processingMs: 2 * HOUR } } });
      const requests = await job.writeRequests('in.jsonl', [
        request('a', 'fine'),
        request('b', 'bad [emulator:errored=invalid_request_error]'),
      ]);
      const { running, ended, result } = await job.withWorker(async () => {
        const handle = await env.client.workflow.start(batchJob, {
          args: [{ requests, budgetUsd: 10 }],
          taskQueue: job.taskQueue,
          workflowId: 'schema-check',
        });
        const running = await eventually(async () => {
          const p = await handle.query(progressQuery);
          return p.phase === 'waiting' && p.chunks[0]?.batchId ? p : undefined;
        }, 'the job to wait for its batch');
        const result = await handle.result();
        return { running, ended: await handle.query(progressQuery), result };
      });
      assert.equal(result.summary.outcomes.errored, 1);
      const progress = await validator('job-progress.schema.json');
      assertValid(progress, running, 'progress while running');
      assertValid(progress, ended, 'progress once ended');
      assertValid(await validator('batch-job-result.schema.json'), result, 'the result');
      assert.equal(progress({ ...ended, phase: 'sleeping' }), false, 'an unknown phase is refused');
    });
  });
});
