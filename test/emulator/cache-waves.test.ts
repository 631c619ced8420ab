// The prompt cache on the emulator clock: a batch's requests run in parallel waves (one second of processing each)
// and see only entries written before their wave started; single messages share the same cache; entries expire by
// their TTL and are refreshed by reads.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type Anthropic from '@anthropic-ai/sdk';
import { HOUR, request, resultsOf, testEmulator, type TestEmulator } from './support';

const MINUTE = 60 * 1000;
const RATE = 100;

function shared(ttl?: '5m' | '1h') {
  return [
    {
      type: 'text' as const,
      text: 'A long shared instruction that every request of the job carries. '.repeat(40),
      cache_control: { type: 'ephemeral' as const, ...(ttl ? { ttl } : {}) },
    },
  ];
}

function sharingRequests(count: number, system = shared(), prefix = 'q') {
  return Array.from({ length: count }, (_, i) => request(`${prefix}-${i}`, `Question ${i}?`, { system }));
}

describe('prompt cache in waves', () => {
  let t: TestEmulator;
  before(async () => {
    t = await testEmulator({ requestsPerSecond: RATE });
  });
  beforeEach(() => t.emulator.control.reset());
  after(() => t.emulator.close());

  /** Creates a batch, lets it end (its own clock, then back), and counts its cache writes and reads in index order. */
  async function cacheUses(requests: ReturnType<typeof request>[]) {
    const batch = await t.client.messages.batches.create({ requests });
    const createdAt = t.clock.now();
    t.clock.advance(HOUR);
    const lines = await resultsOf(t.client, batch.id);
    t.clock.set(createdAt);
    const uses = new Map<string, 'write' | 'read' | 'none'>();
    for (const line of lines) {
      assert.equal(line.result.type, 'succeeded');
      if (line.result.type !== 'succeeded') continue;
      const usage = line.result.message.usage;
      uses.set(
        line.custom_id,
        usage.cache_creation_input_tokens ? 'write' : usage.cache_read_input_tokens ? 'read' : 'none',
      );
    }
    const order = requests.map((r) => uses.get(r.custom_id));
    return {
      order,
      writes: order.filter((u) => u === 'write').length,
      reads: order.filter((u) => u === 'read').length,
    };
  }

  function prime(system = shared()): Promise<Anthropic.Messages.Message> {
    return t.client.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 1,
      system,
      messages: [{ role: 'user', content: 'Ready?' }],
    });
  }

  it('writes the prefix in every request of the first wave: a batch in parallel mostly misses', async () => {
    const { order, writes, reads } = await cacheUses(sharingRequests(150));
    assert.equal(writes, RATE, 'the whole first second of processing writes');
    assert.equal(reads, 50, 'the second wave reads what the first wrote');
    assert.ok(order.slice(0, RATE).every((u) => u === 'write'));
    assert.ok(order.slice(RATE).every((u) => u === 'read'));
  });

  it('reads the prefix in every request after one messages call wrote it', async () => {
    const primed = await prime();
    assert.ok((primed.usage.cache_creation_input_tokens ?? 0) > 0, 'the call writes the entry');
    assert.equal(primed.usage.cache_read_input_tokens, 0);
    const { writes, reads } = await cacheUses(sharingRequests(150));
    assert.equal(writes, 0);
    assert.equal(reads, 150);
    const again = await prime();
    assert.equal(again.usage.cache_creation_input_tokens, 0, 'a second call reads it');
    assert.equal(again.usage.cache_read_input_tokens, primed.usage.cache_creation_input_tokens);
  });

  it('keeps the cache per model', async () => {
    await prime();
    const { writes } = await cacheUses(
      sharingRequests(5).map((r) => ({ ...r, params: { ...r.params, model: 'claude-haiku-4-5' } })),
    );
    assert.equal(writes, 5);
  });

  it('misses an entry a batch created at the same moment is still writing, reads it once that wave is done', async () => {
    await cacheUses(sharingRequests(10, shared(), 'first'));
    const sameMoment = await cacheUses(sharingRequests(10, shared(), 'second'));
    assert.equal(sameMoment.writes, 10);
    t.clock.advance(2000);
    const later = await cacheUses(sharingRequests(10, shared(), 'third'));
    assert.equal(later.reads, 10);
  });

  it('writes an entry again once its TTL has passed on the emulator clock', async () => {
    await prime();
    t.clock.advance(5 * MINUTE + 1000);
    const expired = await cacheUses(sharingRequests(10));
    assert.equal(expired.writes, 10);
  });

  it('refreshes an entry each time it is read', async () => {
    await prime();
    t.clock.advance(4 * MINUTE);
    assert.ok(((await prime()).usage.cache_read_input_tokens ?? 0) > 0);
    t.clock.advance(4 * MINUTE);
    const refreshed = await cacheUses(sharingRequests(10));
    assert.equal(refreshed.reads, 10, '8 minutes after the write, 4 after the read');
  });

  it('keeps a 1-hour entry for the hour', async () => {
    const system = shared('1h');
    const primed = await prime(system);
    assert.ok((primed.usage.cache_creation?.ephemeral_1h_input_tokens ?? 0) > 0);
    t.clock.advance(50 * MINUTE);
    assert.equal((await cacheUses(sharingRequests(10, system))).reads, 10);
    t.clock.advance(2 * HOUR);
    assert.equal((await cacheUses(sharingRequests(10, system))).writes, 10);
  });
});
