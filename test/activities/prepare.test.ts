// What validate-and-split sends: each request's params as the input gave them (defaults filled in), under its
// internal id, whatever the spacing or key order of the input line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import type { PreparedJob } from '../../src/activities/prepare';
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
