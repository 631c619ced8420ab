// The CLI with requests in an S3-compatible store (versitygw): it reads them with the AWS settings of its environment,
// names an object that is not there, and hands s3:// references to the job as they are.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inputOf } from '../../src/cli/start-job';
import { writeChunk } from '../../src/storage/local-storage';
import { claudeBatch } from '../support/cli';
import { request } from '../support/job-env';
import { startTestObjectStore, type TestObjectStore } from '../support/object-store';

describe('the CLI on object storage', () => {
  let store: TestObjectStore;
  before(async () => {
    store = await startTestObjectStore('cli');
  });
  after(async () => {
    await store?.stop();
  });

  it('validates a requests object in S3, read with the AWS environment', async () => {
    const requests = store.uri('inputs/questions.jsonl');
    await store.storage.write(requests, (sink) =>
      writeChunk(sink, [0, 1].map((i) => JSON.stringify(request(`q-${i}`, `question ${i}`)) + '\n').join('')),
    );
    const result = await claudeBatch(['validate', requests], store.env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), `${requests}: 2 valid requests`);
  });

  it('names a requests object that is not there', async () => {
    const result = await claudeBatch(['validate', store.uri('inputs/missing.jsonl')], store.env);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /s3:\/\/cli\/inputs\/missing\.jsonl: no such object \(check the key\)/);
  });

  it('passes s3:// requests, output and work to the job unchanged, and local paths made absolute', () => {
    assert.deepEqual(inputOf('s3://cli/in.jsonl', { output: 's3://cli/out', work: 's3://cli/work' }), {
      requests: 's3://cli/in.jsonl',
      output: 's3://cli/out',
      work: 's3://cli/work',
    });
    assert.equal(inputOf('in.jsonl', { work: 'work' }).work, `${process.cwd()}/work`);
  });
});
