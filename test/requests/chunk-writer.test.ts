// Splitting into create bodies under both of the API's limits.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChunkWriter } from '../../src/requests/chunk-writer';
import { LocalStorage } from '../../src/storage/local-storage';

async function split(lines: number, limits: { maxRequests: number; maxBytes: number }) {
  const dir = await mkdtemp(join(tmpdir(), 'chunks-'));
  const writer = new ChunkWriter(new LocalStorage(), (i) => join(dir, `chunk-${i}.json`), limits);
  for (let i = 0; i < lines; i++) {
    await writer.add((chunk) => JSON.stringify({ custom_id: `c${chunk}-${i}`, params: { text: 'x'.repeat(100) } }));
  }
  const chunks = await writer.finish();
  const bodies = await Promise.all(chunks.map(async (c) => [c, await readFile(c.body)] as const));
  return bodies;
}

describe('chunk writer', () => {
  it('starts a new chunk at the request-count limit', async () => {
    const bodies = await split(5, { maxRequests: 2, maxBytes: 1 << 20 });
    assert.deepEqual(
      bodies.map(([c]) => c.requestCount),
      [2, 2, 1],
    );
  });

  it('keeps every create body within the byte limit, reporting its exact size', async () => {
    const bodies = await split(20, { maxRequests: 1000, maxBytes: 700 });
    assert.ok(bodies.length > 1);
    for (const [chunk, bytes] of bodies) {
      assert.ok(bytes.length <= 700, `${bytes.length} bytes`);
      assert.equal(chunk.bytes, bytes.length);
    }
    assert.equal(
      bodies.reduce((n, [c]) => n + c.requestCount, 0),
      20,
    );
  });

  it('writes bodies that are the JSON the API expects, with each request tagged by its chunk', async () => {
    const bodies = await split(3, { maxRequests: 2, maxBytes: 1 << 20 });
    const parsed = bodies.map(([, b]) => JSON.parse(b.toString()) as { requests: { custom_id: string }[] });
    assert.deepEqual(
      parsed.map((p) => p.requests.map((r) => r.custom_id)),
      [['c0-0', 'c0-1'], ['c1-2']],
    );
  });

  it('refuses a single request larger than a batch may be', async () => {
    await assert.rejects(split(1, { maxRequests: 10, maxBytes: 50 }), /over the 50-byte batch limit/);
  });
});
