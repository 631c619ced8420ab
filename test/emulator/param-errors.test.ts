// Params the API refuses come back as `errored` result lines with its error type and wording, checked against the
// emulator's model list (ids, max output, retired models) and the call's API version and betas.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import type { MessageBatchIndividualResponse } from '@anthropic-ai/sdk/resources/messages/batches';
import { API_KEY, HOUR, request, resultsOf, testEmulator, type TestEmulator } from './support';

type Result = MessageBatchIndividualResponse['result'];

describe('params the API refuses', () => {
  let t: TestEmulator;
  /** The SDK sending the older API version, which still takes temperature, top_p and top_k. */
  let legacy: Anthropic;
  before(async () => {
    t = await testEmulator();
    legacy = new Anthropic({
      baseURL: t.emulator.url,
      apiKey: API_KEY,
      maxRetries: 0,
      defaultHeaders: { 'anthropic-version': '2023-06-01' },
    });
  });
  beforeEach(() => t.emulator.control.reset());
  after(() => t.emulator.close());

  /** The result line of a one-request batch with these params (merged over a plain request's). */
  async function resultOf(params: Record<string, unknown>, client: Anthropic = t.client): Promise<Result> {
    const batch = await client.messages.batches.create({ requests: [request('only', 'Say hello.', params)] });
    t.clock.advance(HOUR);
    const [line] = await resultsOf(client, batch.id);
    assert.ok(line);
    return line.result;
  }

  function assertErrored(result: Result, type: string, message: string | RegExp): void {
    assert.equal(result.type, 'errored', `expected errored, got ${JSON.stringify(result)}`);
    if (result.type !== 'errored') return;
    assert.equal(result.error.type, 'error');
    assert.equal(result.error.error.type, type);
    if (typeof message === 'string') assert.equal(result.error.error.message, message);
    else assert.match(result.error.error.message, message);
  }

  it('answers a model the API never had with not_found_error', async () => {
    assertErrored(
      await resultOf({ model: 'claude-does-not-exist-9' }),
      'not_found_error',
      'model: claude-does-not-exist-9',
    );
  });

  it('answers a retired model as an unknown one', async () => {
    assertErrored(await resultOf({ model: 'claude-opus-4-1' }), 'not_found_error', 'model: claude-opus-4-1');
  });

  it("refuses max_tokens above the model's maximum output, naming its snapshot", async () => {
    assertErrored(
      await resultOf({ max_tokens: 10_000_000 }),
      'invalid_request_error',
      'max_tokens: 10000000 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5-20250929',
    );
    assert.equal((await resultOf({ max_tokens: 64_000 })).type, 'succeeded');
  });

  it('lets the 300K-output beta of a create raise the maximum of the models that have it', async () => {
    const create = (maxTokens: number, betas: Anthropic.Beta.AnthropicBeta[]) =>
      t.client.beta.messages.batches.create({
        betas,
        requests: [request('big', 'Write at length.', { model: 'claude-opus-5', max_tokens: maxTokens })],
      });
    const withBeta = await create(300_000, ['output-300k-2026-03-24']);
    const tooMuch = await create(300_001, ['output-300k-2026-03-24']);
    const withoutBeta = await t.client.messages.batches.create({
      requests: [request('big', 'Write at length.', { model: 'claude-opus-5', max_tokens: 300_000 })],
    });
    t.clock.advance(HOUR);
    const first = async (id: string) => (await resultsOf(t.client, id))[0]!.result;
    assert.equal((await first(withBeta.id)).type, 'succeeded');
    assertErrored(await first(tooMuch.id), 'invalid_request_error', /^max_tokens: 300001 > 300000, /);
    assertErrored(await first(withoutBeta.id), 'invalid_request_error', /^max_tokens: 300000 > 128000, /);
  });

  it('refuses temperature and top_p outside 0..1 on API version 2023-06-01', async () => {
    assertErrored(await resultOf({ temperature: 5 }, legacy), 'invalid_request_error', 'temperature: range: 0..1');
    assertErrored(await resultOf({ top_p: 2 }, legacy), 'invalid_request_error', 'top_p: range: 0..1');
    assert.equal((await resultOf({ temperature: 0.3, top_p: 0.9, top_k: 5 }, legacy)).type, 'succeeded');
  });

  it('refuses temperature, top_p and top_k at any value on API version 2026-10-21 (the SDK default)', async () => {
    for (const [name, value] of [
      ['temperature', 1],
      ['top_p', 0.5],
      ['top_k', 10],
    ] as const) {
      assertErrored(
        await resultOf({ [name]: value }),
        'invalid_request_error',
        `${name}: Extra inputs are not permitted`,
      );
    }
  });

  it('refuses an unknown top-level parameter', async () => {
    assertErrored(
      await resultOf({ frequency_penalty: 0.5 }),
      'invalid_request_error',
      'frequency_penalty: Extra inputs are not permitted',
    );
  });

  it('refuses a thinking budget that is not below max_tokens, or under 1,024', async () => {
    assertErrored(
      await resultOf({ max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 2000 } }),
      'invalid_request_error',
      /^`max_tokens` must be greater than `thinking.budget_tokens`/,
    );
    assertErrored(
      await resultOf({ max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 500 } }),
      'invalid_request_error',
      'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024',
    );
    assert.equal(
      (await resultOf({ max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 1024 } })).type,
      'succeeded',
    );
  });

  it('refuses a tool_choice naming a tool the request does not define', async () => {
    const tools = [{ name: 'get_weather', input_schema: { type: 'object', properties: {} } }];
    assertErrored(
      await resultOf({ tools, tool_choice: { type: 'tool', name: 'get_time' } }),
      'invalid_request_error',
      "Tool 'get_time' not found in provided tools",
    );
  });

  it('refuses an empty text block', async () => {
    assertErrored(
      await resultOf({ messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }),
      'invalid_request_error',
      'messages: text content blocks must be non-empty',
    );
  });

  it("accepts the project's own requests: current aliases and dated snapshots with small max_tokens", async () => {
    for (const model of ['claude-sonnet-4-5', 'claude-sonnet-4-5-20250929', 'claude-haiku-4-5', 'claude-opus-5-5']) {
      assert.equal((await resultOf({ model, max_tokens: 200 })).type, 'succeeded', model);
    }
  });

  it('answers a single message for an unknown model with 404 not_found_error', async () => {
    await assert.rejects(
      t.client.messages.create({
        model: 'claude-does-not-exist-9',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (err: unknown) => err instanceof Anthropic.NotFoundError && /model: claude-does-not-exist-9/.test(err.message),
    );
  });
});
