// `claude-batch dev --storage s3` as a user runs it: the stack with an object store and a bucket; the export lines it
// prints are all another terminal needs to run a job whose requests and results are in the bucket.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { S3Storage } from '../../src/storage/s3-storage';
import { writeChunk } from '../../src/storage/local-storage';
import { claudeBatch, startDevCommand } from '../support/cli';
import { freePort } from '../support/ports';
import { request } from '../support/job-env';

describe('claude-batch dev --storage s3', () => {
  let dev: ChildProcess;
  let output = '';

  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'claude-batch-dev-s3-'));
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()].map(String);
    dev = await startDevCommand(
      [
        '--storage',
        's3',
        '--data-dir',
        join(dir, 'data'),
        '--port',
        ports[0]!,
        '--ui-port',
        ports[1]!,
        '--emulator-port',
        ports[2]!,
        '--s3-port',
        ports[3]!,
      ],
      (text) => (output += text),
    );
  });
  after(() => {
    if (dev.exitCode === null) dev.kill('SIGKILL');
  });

  it('runs a job kept in its bucket from another terminal set up by the printed export lines', async () => {
    assert.match(output, /^S3\s+http:\/\/127\.0\.0\.1:\d+ \(versitygw\), bucket claude-batch/m);
    const exported = Object.fromEntries([...output.matchAll(/^ {2}export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    assert.deepEqual(
      Object.keys(exported)
        .filter((k) => k.startsWith('AWS_'))
        .sort(),
      ['AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL_S3', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY'],
    );
    // Our CLI reads these from its environment; here, a client of our own built from them uploads the requests.
    const storage = new S3Storage(
      new S3Client({
        endpoint: exported.AWS_ENDPOINT_URL_S3!,
        region: exported.AWS_REGION!,
        forcePathStyle: true,
        credentials: { accessKeyId: exported.AWS_ACCESS_KEY_ID!, secretAccessKey: exported.AWS_SECRET_ACCESS_KEY! },
      }),
    );
    const requests = 's3://claude-batch/inputs/questions.jsonl';
    await storage.write(requests, (sink) =>
      writeChunk(sink, [0, 1].map((i) => JSON.stringify(request(`q-${i}`, `question ${i}`)) + '\n').join('')),
    );
    const run = await claudeBatch(
      ['run', requests, '--output', 's3://claude-batch/results/questions', '--poll-interval', '1s', '--id', 'q'],
      exported,
      180_000,
    );
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const printed = await claudeBatch(['results', 'q'], exported);
    assert.equal(printed.code, 0, printed.stderr);
    assert.equal(printed.stdout.trim().split('\n').length, 2);
  });

  it('stops the store with the rest on Ctrl-C', async () => {
    const exited = new Promise((resolve) => dev.once('exit', resolve));
    dev.kill('SIGINT');
    assert.equal(await exited, 0);
  });
});
