// Every endpoint through the official TypeScript SDK, changing nothing but baseURL and the key.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { HOUR, request, requests, resultsOf, START, testEmulator, type TestEmulator } from './support';

describe('the emulator through the official SDK', () => {
  let t: TestEmulator;
  before(async () => {
    t = await testEmulator();
  });
  after(() => t.emulator.close());

  it('creates a batch in progress with every request processing', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(3) });
    assert.match(batch.id, /^msgbatch_[0-9A-Za-z]{24}$/);
    assert.equal(batch.type, 'message_batch');
    assert.equal(batch.processing_status, 'in_progress');
    assert.deepEqual(batch.request_counts, { processing: 3, succeeded: 0, errored: 0, canceled: 0, expired: 0 });
    assert.equal(batch.created_at, new Date(t.clock.now()).toISOString());
    assert.equal(batch.expires_at, new Date(t.clock.now() + 24 * HOUR).toISOString());
    assert.equal(batch.ended_at, null);
    assert.equal(batch.results_url, null);
    assert.equal(batch.cancel_initiated_at, null);
    assert.equal(batch.archived_at, null);
    const recorded = t.emulator.record.batches().find((b) => b.id === batch.id);
    assert.deepEqual(recorded?.customIds, ['req-0', 'req-1', 'req-2']);
    assert.deepEqual(await t.emulator.record.requestsOf(batch.id), requests(3));
  });

  it('fills the counts as requests finish and ends with results_url set', async () => {
    const created = await t.client.messages.batches.create({ requests: requests(400) });
    t.clock.advance(1000); // 200 requests a second by default
    const halfway = await t.client.messages.batches.retrieve(created.id);
    assert.equal(halfway.processing_status, 'in_progress');
    assert.deepEqual(halfway.request_counts, { processing: 200, succeeded: 200, errored: 0, canceled: 0, expired: 0 });
    t.clock.advance(1000);
    const ended = await t.client.messages.batches.retrieve(created.id);
    assert.equal(ended.processing_status, 'ended');
    assert.deepEqual(ended.request_counts, { processing: 0, succeeded: 400, errored: 0, canceled: 0, expired: 0 });
    assert.equal(ended.ended_at, new Date(Date.parse(created.created_at) + 2000).toISOString());
    assert.equal(ended.results_url, `/v1/messages/batches/${created.id}/results`);
  });

  it('streams results through the SDK iterator, one line per request, with full messages', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(5) });
    t.clock.advance(HOUR);
    const lines = await resultsOf(t.client, batch.id);
    assert.deepEqual(lines.map((l) => l.custom_id).sort(), ['req-0', 'req-1', 'req-2', 'req-3', 'req-4']);
    const first = lines.find((l) => l.custom_id === 'req-0')!.result;
    assert.equal(first.type, 'succeeded');
    if (first.type !== 'succeeded') return;
    assert.match(first.message.id, /^msg_/);
    assert.equal(first.message.type, 'message');
    assert.equal(first.message.role, 'assistant');
    assert.equal(first.message.model, 'claude-sonnet-4-5');
    assert.equal(first.message.stop_reason, 'end_turn');
    assert.equal(first.message.stop_sequence, null);
    assert.equal(first.message.content[0]?.type, 'text');
    assert.match((first.message.content[0] as { text: string }).text, /Question number 0/);
    assert.equal(first.message.usage.service_tier, 'batch');
    assert.ok(first.message.usage.input_tokens > 0);
    assert.ok(first.message.usage.output_tokens > 0 && first.message.usage.output_tokens <= 256);
    assert.equal(first.message.usage.cache_creation_input_tokens, 0);
    assert.equal(first.message.usage.cache_read_input_tokens, 0);
  });

  it('answers the results endpoint with application/x-jsonl and no blank lines', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(3) });
    t.clock.advance(HOUR);
    const res = await fetch(`${t.emulator.url}/v1/messages/batches/${batch.id}/results`, {
      headers: { 'x-api-key': 'test-key', 'anthropic-version': '2023-06-01' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-jsonl');
    assert.match(res.headers.get('request-id') ?? '', /^req_/);
    const text = await res.text();
    assert.ok(text.endsWith('\n'));
    assert.equal(text.split('\n').filter((l) => l === '').length, 1, 'only the final newline');
  });

  it('cancels: canceling at once, then ended with unprocessed requests canceled', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(1000) });
    t.clock.advance(1000);
    const canceling = await t.client.messages.batches.cancel(batch.id);
    assert.equal(canceling.processing_status, 'canceling');
    assert.equal(canceling.cancel_initiated_at, new Date(t.clock.now()).toISOString());
    assert.equal(canceling.results_url, null);
    t.clock.advance(2000);
    const ended = await t.client.messages.batches.retrieve(batch.id);
    assert.equal(ended.processing_status, 'ended');
    assert.deepEqual(ended.request_counts, { processing: 0, succeeded: 200, errored: 0, canceled: 800, expired: 0 });
    const lines = await resultsOf(t.client, batch.id);
    assert.equal(lines.filter((l) => l.result.type === 'canceled').length, 800);
    assert.equal(lines.find((l) => l.custom_id === 'req-0')!.result.type, 'succeeded');
  });

  it('deletes only ended batches', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(2) });
    await assert.rejects(t.client.messages.batches.delete(batch.id), (err: unknown) => {
      assert.ok(err instanceof Anthropic.BadRequestError);
      assert.equal(err.type, 'invalid_request_error');
      return true;
    });
    t.clock.advance(HOUR);
    const deleted = await t.client.messages.batches.delete(batch.id);
    assert.deepEqual(deleted, { id: batch.id, type: 'message_batch_deleted' });
    await assert.rejects(t.client.messages.batches.retrieve(batch.id), Anthropic.NotFoundError);
    assert.ok(
      t.emulator.record.batches().some((b) => b.id === batch.id),
      'the record keeps deleted batches',
    );
  });

  it('answers results 404 before the batch has ended', async () => {
    const batch = await t.client.messages.batches.create({ requests: requests(2) });
    const res = await fetch(`${t.emulator.url}/v1/messages/batches/${batch.id}/results`, {
      headers: { 'x-api-key': 'test-key', 'anthropic-version': '2023-06-01' },
    });
    assert.equal(res.status, 404);
    const body = (await res.json()) as { error: { type: string } };
    assert.equal(body.error.type, 'not_found_error');
    // The SDK refuses before asking, since results_url is still null.
    await assert.rejects(t.client.messages.batches.results(batch.id), /results_url/);
  });

  it('serves the beta client (same paths with ?beta=true)', async () => {
    const batch = await t.client.beta.messages.batches.create({ requests: requests(1, 'beta') });
    t.clock.advance(HOUR);
    const retrieved = await t.client.beta.messages.batches.retrieve(batch.id);
    assert.equal(retrieved.processing_status, 'ended');
    const lines = [];
    for await (const line of await t.client.beta.messages.batches.results(batch.id)) lines.push(line);
    assert.equal(lines.length, 1);
    assert.ok(t.emulator.record.calls.some((c) => c.endpoint === 'create' && c.path === '/v1/messages/batches'));
  });

  it('answers a single message and a token count', async () => {
    const message = await t.client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Tell me about the sea in three words.' }],
    });
    assert.equal(message.type, 'message');
    assert.equal(message.model, 'claude-haiku-4-5');
    assert.equal(message.usage.service_tier, 'standard');
    const again = await t.client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Tell me about the sea in three words.' }],
    });
    assert.deepEqual(again.content, message.content, 'the same request gets the same answer');
    const count = await t.client.messages.countTokens({
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: 'x'.repeat(40) }],
    });
    assert.deepEqual(count, { input_tokens: 10 });
  });

  it('records calls without the key, with the version header and the emulator time', async () => {
    await t.client.messages.batches.list();
    const call = t.emulator.record.calls.at(-1)!;
    assert.equal(call.endpoint, 'list');
    assert.equal(call.method, 'GET');
    assert.equal(call.status, 200);
    assert.equal(call.apiKeyPresent, true);
    assert.ok(call.anthropicVersion);
    assert.equal(call.at, t.clock.now());
    assert.ok(t.clock.now() > START);
    assert.ok(!JSON.stringify(t.emulator.record.calls).includes('test-key'));
  });

  it('accepts the key as a bearer token', async () => {
    const bearer = new Anthropic({ baseURL: t.emulator.url, authToken: 'test-key', apiKey: null, maxRetries: 0 });
    const page = await bearer.messages.batches.list({ limit: 1 });
    assert.equal(page.data.length, 1);
  });

  it('keeps request ids on every response', async () => {
    const batch = await t.client.messages.batches.create({ requests: [request('one', 'hello')] }).withResponse();
    assert.match(batch.response.headers.get('request-id') ?? '', /^req_/);
  });
});
