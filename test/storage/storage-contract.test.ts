// One contract for every place a job's data may live: the same tests run against local files and against a real
// S3-compatible store (versitygw), so the activities can rely on it whichever backend a reference names.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { CreateMultipartUploadCommand, HeadObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { LocalStorage, writeChunk } from '../../src/storage/local-storage';
import type { JobStorage } from '../../src/storage/storage';
import { parseS3Uri } from '../../src/storage/s3-storage';
import { startTestObjectStore, type TestObjectStore } from '../support/object-store';

const MiB = 1024 * 1024;

/** Deterministic bytes, written in 64 KiB pieces as the activities do, hashed as they go. */
async function produceBytes(sink: Writable, bytes: number, seed: string, hash = createHash('sha256')): Promise<string> {
  let block = createHash('sha512').update(seed).digest();
  for (let sent = 0; sent < bytes;) {
    const piece = Buffer.alloc(Math.min(64 * 1024, bytes - sent));
    for (let i = 0; i < piece.length; i += block.length) {
      block = createHash('sha512').update(block).digest();
      block.copy(piece, i);
    }
    hash.update(piece);
    await writeChunk(sink, piece as unknown as string);
    sent += piece.length;
  }
  return hash.digest('hex');
}

async function hashOf(storage: JobStorage, ref: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const part of storage.read(ref)) hash.update(part as Buffer);
  return hash.digest('hex');
}

async function textOf(storage: JobStorage, ref: string): Promise<string> {
  let text = '';
  for await (const part of storage.read(ref)) text += (part as Buffer).toString('utf8');
  return text;
}

async function keysUnder(storage: JobStorage, folder: string): Promise<string[]> {
  const keys = [];
  for await (const object of storage.list(folder)) keys.push(object.key);
  return keys;
}

interface Backend {
  name: string;
  storage: () => JobStorage;
  /** A new, empty folder. */
  folder: () => Promise<string>;
  /** Leaves in `folder` what a worker killed in the middle of writing `name` leaves behind. */
  leaveIncompleteWrite: (folder: string, name: string) => Promise<void>;
  start?: () => Promise<void>;
  stop?: () => Promise<void>;
}

let store: TestObjectStore | undefined;
const backends: Backend[] = [
  {
    name: 'local files',
    storage: () => new LocalStorage(),
    folder: () => mkdtemp(join(tmpdir(), 'storage-contract-')),
    leaveIncompleteWrite: (folder, name) => writeFile(join(folder, `${name}.4242-0badf00d.partial`), 'half'),
  },
  {
    name: 'S3 (versitygw)',
    storage: () => store!.storage,
    folder: () => Promise.resolve(store!.uri(`contract-${randomBytes(4).toString('hex')}`)),
    async leaveIncompleteWrite(folder, name) {
      const { bucket, key } = parseS3Uri(`${folder}/${name}`);
      const client = store!.client();
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      await client.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: Buffer.alloc(5 * MiB) }),
      );
      client.destroy();
    },
    start: async () => {
      store = await startTestObjectStore();
    },
    stop: async () => {
      await store?.stop();
    },
  },
];

for (const backend of backends) {
  describe(`job storage on ${backend.name}`, () => {
    let storage: JobStorage;
    before(async () => {
      await backend.start?.();
      storage = backend.storage();
    });
    after(async () => {
      await backend.stop?.();
    });

    it('streams a write of several parts and reads back the same bytes', async () => {
      const ref = storage.join(await backend.folder(), 'round-1', 'chunk-0000.json');
      let written = '';
      await storage.write(ref, async (sink) => {
        written = await produceBytes(sink, 20 * MiB + 12_345, 'several parts');
      });
      assert.equal(await storage.size(ref), 20 * MiB + 12_345);
      assert.equal(await hashOf(storage, ref), written);
    });

    it('hands out a blob of the object that streams the same bytes and announces its size', async () => {
      const ref = storage.join(await backend.folder(), 'body.json');
      let written = '';
      await storage.write(ref, async (sink) => {
        written = await produceBytes(sink, 9 * MiB, 'blob');
      });
      const blob = await storage.blob(ref, 'application/json');
      assert.equal(blob.size, 9 * MiB);
      assert.equal(blob.type, 'application/json');
      const hash = createHash('sha256');
      for await (const part of blob.stream() as AsyncIterable<Uint8Array>) hash.update(part);
      assert.equal(hash.digest('hex'), written);
    });

    it('shows an object only once its write is complete', async () => {
      const folder = await backend.folder();
      const ref = storage.join(folder, 'outcomes-0000.jsonl');
      const seenWhileWriting: { exists: boolean; listed: string[] }[] = [];
      await storage.write(ref, async (sink) => {
        await produceBytes(sink, 18 * MiB, 'first half');
        // Long enough for parts of it to have reached the store.
        await new Promise((resolve) => setTimeout(resolve, 300));
        seenWhileWriting.push({ exists: await storage.exists(ref), listed: await keysUnder(storage, folder) });
        await produceBytes(sink, MiB, 'second half');
      });
      assert.deepEqual(seenWhileWriting, [{ exists: false, listed: [] }]);
      assert.equal(await storage.exists(ref), true);
      assert.deepEqual(await keysUnder(storage, folder), ['outcomes-0000.jsonl']);
    });

    it('leaves nothing of a write that fails midway, not even an incomplete upload', async () => {
      const folder = await backend.folder();
      const ref = storage.join(folder, 'results.jsonl');
      await assert.rejects(
        storage.write(ref, async (sink) => {
          await produceBytes(sink, 18 * MiB, 'doomed');
          throw new Error('the results stream ended early');
        }),
        /ended early/,
      );
      assert.equal(await storage.exists(ref), false);
      assert.deepEqual(await keysUnder(storage, folder), []);
      assert.equal(await storage.removeIncompleteWrites(folder), 0, 'nothing left behind to clean up');
    });

    it('keeps the whole earlier object when a retried write fails, and replaces it whole when it succeeds', async () => {
      const ref = storage.join(await backend.folder(), 'outcomes-0001.jsonl');
      await storage.write(ref, (sink) => writeChunk(sink, 'first attempt\n'));
      await assert.rejects(
        storage.write(ref, async (sink) => {
          await produceBytes(sink, 10 * MiB, 'retry that dies');
          throw new Error('worker lost');
        }),
      );
      assert.equal(await textOf(storage, ref), 'first attempt\n');
      await storage.write(ref, (sink) => writeChunk(sink, 'second attempt\n'));
      assert.equal(await textOf(storage, ref), 'second attempt\n');
    });

    it('lists every object under a folder, recursively, in byte order of its key', async () => {
      const folder = await backend.folder();
      for (const key of ['a-b', 'a/b/c', 'Z', 'a/d']) {
        await storage.write(storage.join(folder, ...key.split('/')), (sink) => writeChunk(sink, key));
      }
      const listed = [];
      for await (const object of storage.list(folder)) listed.push(object);
      assert.deepEqual(
        listed.map(({ key, size }) => [key, size]),
        [
          ['Z', 1],
          ['a-b', 3],
          ['a/b/c', 5],
          ['a/d', 3],
        ],
      );
      assert.equal(await textOf(storage, listed[2]!.ref), 'a/b/c');
      assert.deepEqual(await keysUnder(storage, storage.join(folder, 'nothing-here')), []);
    });

    it('removes a folder with everything under it', async () => {
      const folder = await backend.folder();
      const work = storage.join(folder, '.work');
      await storage.write(storage.join(work, 'round-1', 'chunk-0000.json'), (sink) => writeChunk(sink, '{}'));
      await storage.write(storage.join(folder, 'results.jsonl'), (sink) => writeChunk(sink, '{}\n'));
      await storage.remove(work);
      assert.deepEqual(await keysUnder(storage, folder), ['results.jsonl']);
    });

    it('cleans up what a worker killed mid-write left in a folder, never a complete object', async () => {
      const folder = await backend.folder();
      await storage.write(storage.join(folder, 'summary.json'), (sink) => writeChunk(sink, '{}\n'));
      await backend.leaveIncompleteWrite(folder, 'results.jsonl');
      assert.equal(await storage.exists(storage.join(folder, 'results.jsonl')), false);
      assert.equal(await storage.removeIncompleteWrites(folder), 1);
      assert.equal(await storage.removeIncompleteWrites(folder), 0);
      assert.deepEqual(await keysUnder(storage, folder), ['summary.json']);
    });
  });
}

describe('S3 storage', () => {
  before(async () => {
    store = await startTestObjectStore();
  });
  after(async () => {
    await store?.stop();
  });

  it('fails a write the store refuses midway, naming the bucket, and the producer stops', async () => {
    const ref = 's3://no-such-bucket/results.jsonl';
    let produced = 0;
    await assert.rejects(
      store!.storage.write(ref, async (sink) => {
        for (let i = 0; i < 64; i++) {
          await produceBytes(sink, MiB, `part ${i}`);
          produced += 1;
        }
      }),
      /no-such-bucket\/results\.jsonl: bucket "no-such-bucket" does not exist/,
    );
    assert.ok(produced < 64, `the producer stopped early (${produced} MiB produced)`);
  });

  it('uploads a large object in parts rather than holding it whole for one request', async () => {
    const ref = store!.uri('parts/chunk-0000.json');
    await store!.storage.write(ref, (sink) => produceBytes(sink, 20 * MiB, 'parts').then(() => undefined));
    const { bucket, key } = parseS3Uri(ref);
    const client = store!.client();
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    client.destroy();
    // A multipart object's ETag ends in its number of parts.
    assert.match(head.ETag ?? '', /-3"?$/);
  });
});
