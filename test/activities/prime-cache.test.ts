// Cache priming against the emulator: one Messages call per distinct cached prefix (shared ones only in `auto` mode),
// each the prefix itself with max_tokens 1, and the round's batch then reads the prefix instead of writing it.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../src/activities';
import type { PrimeCacheInput, PrimeCacheResult } from '../../src/activities/prime-cache';
import type { ChunkRef } from '../../src/shared/job';
import { LocalStorage } from '../../src/storage/local-storage';
import { API_KEY, HOUR, resultsOf, testEmulator, type TestEmulator } from '../emulator/support';

const MODEL = 'claude-haiku-4-5';
type Params = Record<string, unknown>;
type Request = { custom_id: string; params: Params };

const longText = (topic: string) => `A long instruction about ${topic}, shared by many requests. `.repeat(40);
const cached = (text: string, ttl?: '1h') => ({
  type: 'text',
  text,
  cache_control: { type: 'ephemeral', ...(ttl ? { ttl } : {}) },
});

/** Requests sharing one cached system prompt. */
const sharingSystem = (n: number, id: string, system = [cached(longText('style'))]): Request[] =>
  Array.from({ length: n }, (_, i) => ({
    custom_id: `${id}-${i}`,
    params: { model: MODEL, max_tokens: 64, system, messages: [{ role: 'user', content: `Question ${i}?` }] },
  }));

/** Requests sharing a cached first user turn (a document), each asking its own question after it. */
const sharingDocument = (n: number, id: string): Request[] =>
  Array.from({ length: n }, (_, i) => ({
    custom_id: `${id}-${i}`,
    params: {
      model: MODEL,
      max_tokens: 64,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Read this.' }, cached(longText('a contract'))] },
        { role: 'assistant', content: 'I have read it.' },
        { role: 'user', content: `What does clause ${i} say?` },
      ],
    },
  }));

const plain = (n: number, id: string): Request[] =>
  Array.from({ length: n }, (_, i) => ({
    custom_id: `${id}-${i}`,
    params: { model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: `Plain ${i}` }] },
  }));

describe('prime the prompt cache', () => {
  let t: TestEmulator;
  let dir: string;
  /** Bodies of the Messages calls the activity made, in order. */
  let sent: Params[];
  let activities: ReturnType<typeof createActivities>;

  before(async () => {
    t = await testEmulator();
    dir = await mkdtemp(join(tmpdir(), 'prime-cache-'));
    const anthropic = new Anthropic({
      baseURL: t.emulator.url,
      apiKey: API_KEY,
      maxRetries: 0,
      fetch: (url, init) => {
        const href = typeof url === 'string' ? url : url instanceof URL ? url.href : url.url;
        if (href.endsWith('/v1/messages') && typeof init?.body === 'string') {
          sent.push(JSON.parse(init.body) as Params);
        }
        return fetch(url, init);
      },
    });
    activities = createActivities({ anthropic, storage: new LocalStorage() });
  });
  beforeEach(() => {
    t.emulator.control.reset();
    sent = [];
  });
  after(async () => {
    await t.emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes each list of requests as a create body, as the job stores its chunks. */
  async function chunksOf(...chunks: Request[][]): Promise<ChunkRef[]> {
    return Promise.all(
      chunks.map(async (requests, index) => {
        const body = join(dir, `chunk-${Date.now()}-${index}.json`);
        const text = `{"requests":[\n${requests.map((r) => JSON.stringify(r)).join(',\n')}\n]}\n`;
        await writeFile(body, text);
        return { index, body, requestCount: requests.length, bytes: Buffer.byteLength(text) };
      }),
    );
  }

  const prime = (input: PrimeCacheInput): Promise<PrimeCacheResult> =>
    new MockActivityEnvironment().run(() => activities.primeCache(input));

  it('sends one call per prefix shared by two requests or more, and nothing for the others, in auto mode', async () => {
    const chunks = await chunksOf(
      [...sharingSystem(20, 'sys'), ...plain(10, 'plain'), ...sharingDocument(3, 'doc')],
      [...sharingSystem(10, 'sys2'), ...sharingSystem(1, 'alone', [cached(longText('a lonely topic'))])],
    );
    const result = await prime({ chunks, mode: 'auto' });
    assert.equal(t.emulator.record.count('messages'), 2);
    assert.deepEqual(
      { ...result, inputTokensPrimed: undefined },
      { prefixes: 3, primed: 2, requestsSharing: 33, inputTokensPrimed: undefined, refused: 0 },
    );
    assert.ok(result.inputTokensPrimed > 2 * 400, 'both prefixes are about 500 tokens');
    // Calls go out concurrently: their order is not the test's business.
    sent.sort((a, b) => Number('system' in b) - Number('system' in a));
    assert.deepEqual(sent[0], {
      model: MODEL,
      max_tokens: 1,
      system: [cached(longText('style'))],
      messages: [{ role: 'user', content: '.' }],
    });
    assert.deepEqual(sent[1], {
      model: MODEL,
      max_tokens: 1,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Read this.' }, cached(longText('a contract'))] }],
    });
  });

  it('primes every cached prefix in on mode, and none of the requests without one', async () => {
    const chunks = await chunksOf([
      ...plain(5, 'plain'),
      ...sharingSystem(1, 'a', [cached(longText('one'))]),
      ...sharingSystem(1, 'b', [cached(longText('two'))]),
    ]);
    const result = await prime({ chunks, mode: 'on' });
    assert.equal(t.emulator.record.count('messages'), 2);
    assert.equal(result.primed, 2);
    assert.equal(result.requestsSharing, 2);
    assert.equal((await prime({ chunks: await chunksOf(plain(5, 'p')), mode: 'on' })).prefixes, 0);
    assert.equal(t.emulator.record.count('messages'), 2);
  });

  it('ends a prefix that ends with the assistant with a minimal user turn, keeping its 1-hour TTL', async () => {
    const history = (i: number) => [
      { role: 'user', content: 'Here is the story so far.' },
      { role: 'assistant', content: [cached(longText('the story'), '1h')] },
      { role: 'user', content: `Go on with part ${i}.` },
    ];
    const requests = [0, 1].map((i) => ({
      custom_id: `story-${i}`,
      params: { model: MODEL, max_tokens: 64, messages: history(i) },
    }));
    await prime({ chunks: await chunksOf(requests), mode: 'auto' });
    assert.deepEqual(sent, [
      {
        model: MODEL,
        max_tokens: 1,
        messages: [...history(0).slice(0, 2), { role: 'user', content: '.' }],
      },
    ]);
  });

  it('primes a prompt cached whole with a top-level cache_control as the request itself', async () => {
    const params = {
      model: MODEL,
      max_tokens: 64,
      cache_control: { type: 'ephemeral', ttl: '1h' },
      system: longText('everything'),
      messages: [{ role: 'user', content: 'The same question every time.' }],
    };
    await prime({
      chunks: await chunksOf([
        { custom_id: 'x', params },
        { custom_id: 'y', params },
      ]),
      mode: 'auto',
    });
    assert.deepEqual(sent, [{ ...params, max_tokens: 1 }]);
  });

  it('leaves a prefix the API refuses to the batch, and primes the others', async () => {
    t.emulator.control.injectFaults({ status: 400, count: 1, endpoint: 'messages' });
    const chunks = await chunksOf([
      ...sharingSystem(2, 'a', [cached(longText('one'))]),
      ...sharingSystem(2, 'b', [cached(longText('two'))]),
    ]);
    const result = await prime({ chunks, mode: 'auto' });
    assert.equal(result.refused, 1);
    assert.equal(result.primed, 1);
    assert.equal(result.requestsSharing, 2);
  });

  it('makes the round’s batch read the shared prefix instead of writing it', async () => {
    const requests = sharingSystem(150, 'sys');
    const chunks = await chunksOf(requests);
    const usesOfBatch = async () => {
      const batch = await t.client.messages.batches.create({
        requests: requests as unknown as Anthropic.Messages.BatchCreateParams.Request[],
      });
      t.clock.advance(HOUR);
      let reads = 0;
      for (const line of await resultsOf(t.client, batch.id)) {
        if (line.result.type === 'succeeded' && (line.result.message.usage.cache_read_input_tokens ?? 0) > 0) {
          reads += 1;
        }
      }
      return reads;
    };
    assert.equal(await usesOfBatch(), 0, 'unprimed, the first wave (all 150 requests) writes');
    t.clock.advance(2 * HOUR); // the entry has expired
    await prime({ chunks, mode: 'auto' });
    assert.equal(await usesOfBatch(), 150);
  });
});
