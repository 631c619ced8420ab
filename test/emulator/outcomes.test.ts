// How requests end: rules, in-band markers, fractions, and deterministic completions with prompt-cache usage.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { MessageBatchIndividualResponse } from '@anthropic-ai/sdk/resources/messages/batches';
import { HOUR, request, requests, resultsOf, testEmulator, type TestEmulator } from './support';

type Request = ReturnType<typeof request>;

describe('request outcomes', () => {
  let t: TestEmulator;
  before(async () => {
    t = await testEmulator();
  });
  beforeEach(() => t.emulator.control.reset());
  after(() => t.emulator.close());

  /** Creates a batch, lets it end, and returns its results by custom_id. */
  async function run(batchRequests: Request[]): Promise<Map<string, MessageBatchIndividualResponse['result']>> {
    const batch = await t.client.messages.batches.create({ requests: batchRequests });
    t.clock.advance(25 * HOUR);
    return new Map((await resultsOf(t.client, batch.id)).map((l) => [l.custom_id, l.result]));
  }

  const errorTypeOf = (result: MessageBatchIndividualResponse['result'] | undefined) =>
    result?.type === 'errored' ? result.error.error.type : undefined;

  it('applies a rule to the first `times` submissions of the same params, even under new custom_ids', async () => {
    t.emulator.control.addRule({
      match: { text: /flaky/ },
      outcome: 'errored',
      errorType: 'overloaded_error',
      times: 2,
    });
    const first = await run([request('a-1', 'a flaky one'), request('b-1', 'a steady one')]);
    assert.equal(errorTypeOf(first.get('a-1')), 'overloaded_error');
    assert.equal(first.get('b-1')?.type, 'succeeded');
    const second = await run([request('a-2', 'a flaky one')]);
    assert.equal(errorTypeOf(second.get('a-2')), 'overloaded_error');
    const third = await run([request('a-3', 'a flaky one')]);
    assert.equal(third.get('a-3')?.type, 'succeeded', 'the third submission of those params succeeds');
    const other = await run([request('c-1', 'another flaky one')]);
    assert.equal(other.get('c-1')?.type, 'errored', 'different params count on their own');
  });

  it('matches rules by custom_id, and expires what a rule says', async () => {
    t.emulator.control.addRule({ match: { customId: /^late-/ }, outcome: 'expired' });
    t.emulator.control.addRule({ match: { customId: 'bad' }, outcome: 'errored' });
    const results = await run([request('late-1', 'x'), request('bad-1', 'y'), request('good-1', 'z')]);
    assert.equal(results.get('late-1')?.type, 'expired');
    assert.equal(errorTypeOf(results.get('bad-1')), 'api_error');
    assert.equal(results.get('good-1')?.type, 'succeeded');
  });

  it('follows in-band markers in the request text', async () => {
    const marked = [
      request('always', 'Summarise this [emulator:errored=invalid_request_error]'),
      request('twice', 'Summarise that [emulator:errored=rate_limit_error x2]'),
      request('expires', 'Slow one [emulator:expired]'),
      request('expires-once', 'Slow once [emulator:expired x1]'),
      request('system', 'plain', { system: 'You fail. [emulator:errored=api_error]' }),
    ];
    const first = await run(marked);
    assert.equal(errorTypeOf(first.get('always')), 'invalid_request_error');
    assert.equal(errorTypeOf(first.get('twice')), 'rate_limit_error');
    assert.equal(first.get('expires')?.type, 'expired');
    assert.equal(first.get('expires-once')?.type, 'expired');
    assert.equal(errorTypeOf(first.get('system')), 'api_error');
    const resubmit = (id: string, r: Request): Request => ({ ...r, custom_id: `${r.custom_id}-${id}` });
    const second = await run(marked.map((r) => resubmit('r2', r)));
    assert.equal(errorTypeOf(second.get('twice-r2')), 'rate_limit_error');
    assert.equal(second.get('expires-once-r2')?.type, 'succeeded');
    const third = await run(marked.map((r) => resubmit('r3', r)));
    assert.equal(third.get('twice-r3')?.type, 'succeeded');
    assert.equal(errorTypeOf(third.get('always-r3')), 'invalid_request_error');
  });

  it('counts no submissions for a create it refuses: the next create is still the first submission', async () => {
    const flaky = request('flaky', 'Summarise this [emulator:errored=overloaded_error x1]');
    await assert.rejects(
      t.client.messages.batches.create({ requests: [flaky, request('dup', 'one'), request('dup', 'two')] }),
      /Duplicate custom_id found: dup/,
    );
    assert.equal(t.emulator.record.batches().length, 0, 'no batch was made');
    const results = await run([flaky]);
    assert.equal(errorTypeOf(results.get('flaky')), 'overloaded_error', 'the refused create did not use up x1');
  });

  it('errors and expires deterministic fractions of requests', async () => {
    t.emulator.control.setScenario({ erroredFraction: 0.2, errorType: 'overloaded_error', expiredFraction: 0.1 });
    const batch = requests(500, 'frac');
    const first = await run(batch);
    const tally = (m: Map<string, MessageBatchIndividualResponse['result']>) => {
      const counts: Record<string, number> = {};
      for (const r of m.values()) counts[r.type] = (counts[r.type] ?? 0) + 1;
      return counts;
    };
    const counts = tally(first);
    assert.ok(counts.errored! > 60 && counts.errored! < 140, `about 100 errored, got ${counts.errored}`);
    assert.ok(counts.expired! > 25 && counts.expired! < 75, `about 50 expired, got ${counts.expired}`);
    t.emulator.control.reset();
    t.emulator.control.setScenario({ erroredFraction: 0.2, errorType: 'overloaded_error', expiredFraction: 0.1 });
    const again = await run(batch);
    const outcomes = (m: Map<string, MessageBatchIndividualResponse['result']>) =>
      [...m].map(([id, r]) => `${id} ${r.type}`).sort();
    assert.deepEqual(outcomes(again), outcomes(first), 'the same requests get the same outcomes');
  });

  it('answers the same request with the same text and tokens', async () => {
    const first = await run([request('same-1', 'Explain tides to a child in one paragraph.')]);
    const second = await run([request('same-2', 'Explain tides to a child in one paragraph.')]);
    const a = first.get('same-1');
    const b = second.get('same-2');
    assert.ok(a?.type === 'succeeded' && b?.type === 'succeeded');
    assert.deepEqual(a.message.content, b.message.content);
    assert.deepEqual(a.message.usage, b.message.usage);
    assert.notEqual(a.message.id, b.message.id);
    const text = (a.message.content[0] as { text: string }).text;
    assert.match(text, /Explain tides to a child/);
    assert.equal(a.message.usage.input_tokens, Math.ceil('Explain tides to a child in one paragraph.'.length / 4));
  });

  it('stops at max_tokens when the answer would be longer', async () => {
    const results = await run([request('short', 'word '.repeat(50), { max_tokens: 3 })]);
    const r = results.get('short');
    assert.ok(r?.type === 'succeeded');
    assert.equal(r.message.stop_reason, 'max_tokens');
    assert.equal(r.message.usage.output_tokens, 3);
  });

  it('writes a cached prefix on first sight and reads it in a later batch', async () => {
    const system = [
      { type: 'text', text: 'A long shared instruction. '.repeat(40), cache_control: { type: 'ephemeral' } },
    ];
    const earlier = await t.client.messages.batches.create({
      requests: [request('cache-1', 'first question', { system })],
    });
    t.clock.advance(2000);
    const later = await run([request('cache-2', 'second question', { system })]);
    const [firstLine] = await resultsOf(t.client, earlier.id);
    const first = firstLine?.result;
    const second = later.get('cache-2');
    assert.ok(first?.type === 'succeeded' && second?.type === 'succeeded');
    const prefixTokens = Math.ceil(system[0]!.text.length / 4);
    assert.equal(first.message.usage.cache_creation_input_tokens, prefixTokens);
    assert.equal(first.message.usage.cache_read_input_tokens, 0);
    assert.equal(second.message.usage.cache_creation_input_tokens, 0);
    assert.equal(second.message.usage.cache_read_input_tokens, prefixTokens);
    assert.equal(second.message.usage.input_tokens, Math.ceil('second question'.length / 4));
  });
});
