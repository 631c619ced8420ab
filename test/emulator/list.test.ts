// Listing batches: newest first, pages as the SDK follows them (after_id = last_id; before_id = first_id backwards).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { requests, testEmulator, type TestEmulator } from './support';

describe('listing batches', () => {
  let t: TestEmulator;
  /** Ids in creation order. */
  const created: string[] = [];
  before(async () => {
    t = await testEmulator();
    for (let i = 0; i < 25; i++) {
      created.push((await t.client.messages.batches.create({ requests: requests(1, `list${i}`) })).id);
      t.clock.advance(1000);
    }
  });
  after(() => t.emulator.close());

  const newestFirst = () => [...created].reverse();

  it('returns 20 newest first by default, with has_more and the page ids', async () => {
    const page = await t.client.messages.batches.list();
    assert.deepEqual(
      page.data.map((b) => b.id),
      newestFirst().slice(0, 20),
    );
    assert.equal(page.has_more, true);
    assert.equal(page.first_id, created[24]);
    assert.equal(page.last_id, created[5]);
  });

  it('auto-paginates over every page with for await', async () => {
    const seen: string[] = [];
    for await (const batch of t.client.messages.batches.list({ limit: 7 })) seen.push(batch.id);
    assert.deepEqual(seen, newestFirst());
    const lists = t.emulator.record.calls.filter((c) => c.endpoint === 'list');
    assert.ok(lists.length >= 4, 'four pages of 7 for 25 batches');
  });

  it('pages by hand with limit and after_id until has_more is false', async () => {
    let page = await t.client.messages.batches.list({ limit: 10 });
    const seen = page.data.map((b) => b.id);
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      seen.push(...page.data.map((b) => b.id));
    }
    assert.deepEqual(seen, newestFirst());
    assert.equal(page.has_more, false);
    assert.equal(page.data.length, 5);
  });

  it('pages backwards with before_id', async () => {
    const page = await t.client.messages.batches.list({ limit: 5, before_id: created[10]! });
    assert.deepEqual(
      page.data.map((b) => b.id),
      newestFirst().slice(9, 14),
    );
    assert.equal(page.has_more, true);
    const newer = await page.getNextPage();
    assert.deepEqual(
      newer.data.map((b) => b.id),
      newestFirst().slice(4, 9),
    );
  });

  it('returns an empty last page after the oldest batch', async () => {
    const page = await t.client.messages.batches.list({ after_id: created[0]! });
    assert.deepEqual(page.data, []);
    assert.equal(page.has_more, false);
    assert.equal(page.first_id, null);
    assert.equal(page.last_id, null);
  });

  it('accepts a limit of 1000', async () => {
    const page = await t.client.messages.batches.list({ limit: 1000 });
    assert.equal(page.data.length, 25);
    assert.equal(page.has_more, false);
  });
});
