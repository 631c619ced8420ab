// The build reads documents from an s3:// prefix and writes its requests and manifest there, on a real S3-compatible
// store (versitygw), as a job whose data lives in object storage does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { writeChunk } from '../../src/storage/local-storage';
import { StorageError } from '../../src/storage/storage';
import { buildRequestsFromDocuments, DocumentSourceError } from '../../src/sources/build-requests';
import { startTestObjectStore, type TestObjectStore } from '../support/object-store';

describe('requests built from documents in object storage', () => {
  let store: TestObjectStore;
  before(async () => {
    store = await startTestObjectStore();
    const put = (key: string, content: string | Buffer) =>
      store.storage.write(store.uri(key), (sink) => writeChunk(sink, content as string));
    await put('docs/a.txt', 'Alpha.');
    await put('docs/reports/2024/q1.md', 'Quarter one.');
    await put('docs/scan.pdf', Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00]));
    await put('docs-other/z.txt', 'not in the prefix');
    await put('prompt.txt', 'Summarize {{filename}}: {{document}}');
  });
  after(async () => {
    await store?.stop();
  });

  const build = (documents: string, template = store.uri('prompt.txt')) =>
    buildRequestsFromDocuments(store.storage, {
      source: { documents, template },
      defaults: { model: 'claude-haiku-4-5', max_tokens: 50 },
      requests: store.uri('out/requests.jsonl'),
      manifest: store.uri('out/manifest.jsonl'),
    });

  const linesOf = async (key: string) => {
    let text = '';
    for await (const part of store.storage.read(store.uri(key))) text += (part as Buffer).toString();
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  };

  it('lists the prefix recursively, skips the binary file and writes requests and manifest as objects', async () => {
    const report = await build(store.uri('docs/'));
    assert.equal(report.documents, 2);
    assert.deepEqual(report.skipped, { binary: 1, empty: 0, excluded: 0 });
    assert.deepEqual(await linesOf('out/manifest.jsonl'), [
      { custom_id: 'a', document: store.uri('docs/a.txt') },
      { custom_id: 'reports-2024-q1', document: store.uri('docs/reports/2024/q1.md') },
    ]);
    const requests = await linesOf('out/requests.jsonl');
    assert.deepEqual((requests[1]!.params as { messages: unknown }).messages, [
      { role: 'user', content: 'Summarize q1.md: Quarter one.' },
    ]);
  });

  it('names a prefix with nothing under it', async () => {
    await assert.rejects(
      build(store.uri('nothing-here')),
      (err: unknown) =>
        err instanceof DocumentSourceError &&
        err.message.startsWith(`documents ${store.uri('nothing-here')}: no such folder or prefix`),
    );
  });

  it('names a bucket that does not exist', async () => {
    await assert.rejects(
      build('s3://no-such-bucket/docs'),
      (err: unknown) => err instanceof StorageError && /bucket "no-such-bucket" does not exist/.test(err.message),
    );
  });
});
