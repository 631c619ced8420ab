// What validate-and-split sends: each request's params as the input gave them (defaults filled in), under its
// internal id, whatever the spacing or key order of the input line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import { createPrepareActivities, type PrepareInput, type PreparedJob } from '../../src/activities/prepare';
import type { JobStorage } from '../../src/storage/storage';
import type { RequestDefaults } from '../../src/shared/job';
import { LocalStorage } from '../../src/storage/local-storage';

const JOB = 'jtest0000001';

/** Splits these input lines; returns the requests of every create body written, parsed and as raw lines, in order. */
async function split(lines: string[], defaults: RequestDefaults = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'prepare-'));
  const requests = join(dir, 'in.jsonl');
  await writeFile(requests, lines.join('\n') + '\n');
  const activities = createActivities({
    anthropic: new Anthropic({ apiKey: 'unused', baseURL: 'http://127.0.0.1:1' }),
    storage: new LocalStorage(),
  });
  const prepared: PreparedJob = await new MockActivityEnvironment().run(() =>
    activities.validateAndSplit({
      jobKey: JOB,
      requests,
      output: join(dir, 'out'),
      defaults,
      limits: { maxRequests: 100, maxBytes: 1 << 20 },
    }),
  );
  const sent: { custom_id: string; params: Record<string, unknown> }[] = [];
  const rawLines: string[] = [];
  for (const chunk of prepared.chunks) {
    const body = await readFile(chunk.body, 'utf8');
    sent.push(...(JSON.parse(body) as { requests: typeof sent }).requests);
    rawLines.push(...body.split('\n').filter((line) => line.startsWith('{"custom_id"')));
  }
  return { sent, rawLines };
}

const sentRequests = async (lines: string[], defaults?: RequestDefaults) => (await split(lines, defaults)).sent;

const params = (text: string) => ({
  model: 'claude-haiku-4-5',
  max_tokens: 32,
  messages: [{ role: 'user', content: text }],
});

describe('validate and split', () => {
  it('sends each request under its internal id with the params of its line, however the line is spaced', async () => {
    const sent = await sentRequests([
      JSON.stringify({ custom_id: 'tight', params: params('one') }),
      JSON.stringify({ custom_id: 'spaced', params: params('two "custom_id" inside a quote') }, null, 0).replace(
        /":/g,
        '": ',
      ),
      `{ "custom_id" : "padded" , "params" : ${JSON.stringify(params('three'))} }`,
      JSON.stringify({ params: params('four'), custom_id: 'params-first' }),
    ]);
    assert.deepEqual(sent, [
      { custom_id: `${JOB}-r1c0-0`, params: params('one') },
      { custom_id: `${JOB}-r1c0-1`, params: params('two "custom_id" inside a quote') },
      { custom_id: `${JOB}-r1c0-2`, params: params('three') },
      { custom_id: `${JOB}-r1c0-3`, params: params('four') },
    ]);
  });

  it('fills the defaults into the params it sends', async () => {
    const { max_tokens: _left, ...withoutMaxTokens } = params('short');
    const sent = await sentRequests([JSON.stringify({ custom_id: 'a', params: withoutMaxTokens })], {
      max_tokens: 99,
    });
    assert.deepEqual(sent[0]?.params, { ...withoutMaxTokens, max_tokens: 99 });
  });

  it('sends one custom_id and the checked params when a line repeats its keys', async () => {
    const { sent, rawLines } = await split([
      `{"custom_id":"a","params":${JSON.stringify(params('x'))},"custom_id":"a"}`,
      `{"custom_id":"b","params":{"model":"unchecked"},"params":${JSON.stringify(params('y'))}}`,
    ]);
    assert.equal(rawLines.length, 2);
    assert.ok(
      rawLines.every((line) => line.split('"custom_id"').length === 2 && line.split('"params"').length === 2),
      'each key once',
    );
    assert.deepEqual(sent, [
      { custom_id: `${JOB}-r1c0-0`, params: params('x') },
      { custom_id: `${JOB}-r1c0-1`, params: params('y') },
    ]);
  });
});

/** A local storage whose writes and folder creation under `folder` never finish, like a mount that stopped answering. */
function neverAnswering(folder: string): JobStorage {
  const local = new LocalStorage();
  return Object.assign(Object.create(local) as LocalStorage, {
    write: (ref: string, produce: Parameters<JobStorage['write']>[1]) =>
      ref.startsWith(folder) ? new Promise<void>(() => undefined) : local.write(ref, produce),
  });
}

/** Runs validate-and-split on a file of these lines (or the given requests path) and returns its failure. */
async function failureOf(
  options: Partial<PrepareInput> & { lines?: string[]; storage?: JobStorage; outputProbeTimeoutMs?: number } = {},
): Promise<ApplicationFailure> {
  const dir = await mkdtemp(join(tmpdir(), 'prepare-bad-'));
  const requests = options.requests ?? join(dir, 'in.jsonl');
  if (!options.requests)
    await writeFile(requests, (options.lines ?? [JSON.stringify({ custom_id: 'a', params: params('x') })]).join('\n'));
  const activities = createPrepareActivities({
    storage: options.storage ?? new LocalStorage(),
    ...(options.outputProbeTimeoutMs ? { outputProbeTimeoutMs: options.outputProbeTimeoutMs } : {}),
  });
  try {
    await new MockActivityEnvironment().run(() =>
      activities.validateAndSplit({
        jobKey: JOB,
        requests,
        output: options.output ?? join(dir, 'out'),
        defaults: {},
        limits: options.limits ?? { maxRequests: 100, maxBytes: 1 << 20 },
      }),
    );
  } catch (err) {
    assert.ok(err instanceof ApplicationFailure, String(err));
    return err;
  }
  assert.fail('validate-and-split succeeded');
}

describe('validate and split refuses, without retrying,', () => {
  it('a folder given as the requests file', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'requests-folder-'));
    const failure = await failureOf({ requests: folder });
    assert.equal(failure.type, 'InvalidRequestsFile');
    assert.equal(failure.nonRetryable, true);
    assert.equal(
      failure.message,
      `${folder}: is a folder, not a requests file (give the path of a JSONL file); no batch was created`,
    );
  });

  it('an output folder under a regular file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'output-under-file-'));
    await writeFile(join(dir, 'file'), 'not a folder');
    const failure = await failureOf({ output: join(dir, 'file', 'out') });
    assert.equal(failure.type, 'InvalidOutput');
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /^output .*\/file\/out: a part of the path is a file, not a folder \(ENOTDIR/);
  });

  // Tests run as root, whom file modes do not stop; sysfs refuses new entries to everyone.
  it('an output the worker may not write', { skip: !existsSync('/sys/kernel') && 'needs Linux sysfs' }, async () => {
    const failure = await failureOf({ output: '/sys/claude-batch-test-output' });
    assert.equal(failure.type, 'InvalidOutput');
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /^output \/sys\/claude-batch-test-output: the worker may not write there \(EPERM/);
  });

  it('an output that does not answer within the probe deadline', { timeout: 20_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'output-hangs-'));
    const output = join(dir, 'out');
    const failure = await failureOf({ output, storage: neverAnswering(output), outputProbeTimeoutMs: 1000 });
    assert.equal(failure.type, 'InvalidOutput');
    assert.equal(failure.nonRetryable, true);
    assert.equal(
      failure.message,
      `output ${output} did not answer within 1 s (a probe write hung); no batch was created`,
    );
  });

  it('a request larger than chunk.maxBytes, naming its line, custom_id and size, and keeps no chunk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'too-large-'));
    const failure = await failureOf({
      output: join(dir, 'out'),
      lines: [
        JSON.stringify({ custom_id: 'small', params: params('x') }),
        JSON.stringify({ custom_id: 'big', params: params('x'.repeat(500)) }),
      ],
      limits: { maxRequests: 100, maxBytes: 400 },
    });
    assert.equal(failure.type, 'InvalidRequestsFile');
    assert.equal(failure.nonRetryable, true);
    assert.match(
      failure.message,
      /: line 2 \(custom_id "big"\) makes a \d+-byte batch on its own, over chunk.maxBytes of 400 bytes/,
    );
    assert.deepEqual(await readdir(join(dir, 'out')), [], 'no chunk, no probe left behind');
  });
});
