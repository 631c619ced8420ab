import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { scanRequests } from '../../src/requests/scan-requests';
import type { DocumentSource } from '../../src/shared/job';
import { buildRequestsFromDocuments, DocumentSourceError, renderTemplate } from '../../src/sources/build-requests';
import { LocalStorage } from '../../src/storage/local-storage';

const storage = new LocalStorage();
const defaults = { model: 'claude-sonnet-4-5', max_tokens: 256 };

/** A temporary folder with `files` (path below it → content) and a template. */
async function workspace(files: Record<string, string | Buffer>, template = 'Summarize {{filename}}:\n{{document}}') {
  const dir = await mkdtemp(join(tmpdir(), 'sources-'));
  const documents = join(dir, 'docs');
  await mkdir(documents);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(documents, path)), { recursive: true });
    await writeFile(join(documents, path), content);
  }
  await writeFile(join(dir, 'prompt.txt'), template);
  return {
    dir,
    documents,
    source: (more: Partial<DocumentSource> = {}): DocumentSource => ({
      documents,
      template: join(dir, 'prompt.txt'),
      ...more,
    }),
    build: (source: DocumentSource) =>
      buildRequestsFromDocuments(storage, {
        source,
        defaults,
        requests: join(dir, 'out', 'requests.jsonl'),
        manifest: join(dir, 'out', 'manifest.jsonl'),
      }),
    lines: async (name: string) =>
      (await readFile(join(dir, 'out', name), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

interface BuiltRequest {
  custom_id: string;
  params: { model: string; max_tokens: number; messages: { role: string; content: string }[] };
}

describe('requests built from a source of documents', () => {
  it('makes one request per document, recursing into folders in path order, with the template and defaults', async () => {
    const w = await workspace({ 'b.txt': 'second', 'a/z.md': 'first', 'c/d/e.txt': 'third' });
    const report = await w.build(w.source());
    assert.deepEqual(report.skipped, { binary: 0, empty: 0, excluded: 0 });
    assert.equal(report.documents, 3);
    const requests = (await w.lines('requests.jsonl')) as unknown as BuiltRequest[];
    assert.deepEqual(
      requests.map((r) => r.custom_id),
      ['a-z', 'b', 'c-d-e'],
    );
    assert.deepEqual(requests[0]!.params, {
      ...defaults,
      messages: [{ role: 'user', content: 'Summarize z.md:\nfirst' }],
    });
  });

  it('writes a manifest from each custom_id to the document it was built from', async () => {
    const w = await workspace({ 'x/report.txt': 'one', 'y.txt': 'two' });
    const report = await w.build(w.source());
    assert.equal(report.manifest, join(w.dir, 'out', 'manifest.jsonl'));
    assert.deepEqual(await w.lines('manifest.jsonl'), [
      { custom_id: 'x-report', document: join(w.documents, 'x', 'report.txt') },
      { custom_id: 'y', document: join(w.documents, 'y.txt') },
    ]);
  });

  it('skips binary and empty files, counting each', async () => {
    const w = await workspace({
      'good.txt': 'text',
      'image.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]),
      'latin1.txt': Buffer.from('caf\u00e9', 'latin1'),
      'empty.txt': '',
      'blank.txt': ' \n\t\n',
    });
    const report = await w.build(w.source());
    assert.equal(report.documents, 1);
    assert.deepEqual(report.skipped, { binary: 2, empty: 2, excluded: 0 });
    assert.deepEqual(
      (await w.lines('manifest.jsonl')).map((l) => l.custom_id),
      ['good'],
    );
  });

  it('keeps only the documents include matches and exclude does not, and files named with a dot', async () => {
    const w = await workspace({
      'notes.md': 'n',
      'deep/er/readme.md': 'r',
      'drafts/wip.md': 'w',
      'data.csv': 'd',
      '.hidden.md': 'h',
      '.git/config': 'g',
    });
    const report = await w.build(w.source({ include: ['*.md'], exclude: ['drafts/**'] }));
    assert.deepEqual(
      (await w.lines('manifest.jsonl')).map((l) => l.custom_id),
      ['deep-er-readme', 'notes'],
    );
    assert.deepEqual(report.skipped, { binary: 0, empty: 0, excluded: 4 });
  });

  it('gives the same custom_ids and bytes for the same source, numbering names that would clash', async () => {
    const w = await workspace({ 'a.txt': '1', 'a.md': '2', 'a b.txt': '3', [`${'x'.repeat(70)}.txt`]: '4' });
    await w.build(w.source());
    const first = await readFile(join(w.dir, 'out', 'requests.jsonl'), 'utf8');
    assert.deepEqual(
      (await w.lines('requests.jsonl')).map((l) => l.custom_id),
      ['a-b', 'a', 'a-2', 'x'.repeat(64)],
    );
    await w.build(w.source());
    assert.equal(await readFile(join(w.dir, 'out', 'requests.jsonl'), 'utf8'), first);
  });

  it('passes the checks of a requests file', async () => {
    const w = await workspace({ 'a.txt': 'one', 'b/c.txt': 'two' });
    await w.build(w.source());
    const report = await scanRequests(createReadStream(join(w.dir, 'out', 'requests.jsonl')), { defaults: {} });
    assert.equal(report.problemCount, 0, JSON.stringify(report.problems));
    assert.equal(report.requests, 2);
  });

  it('renders placeholders once, so a document quoting one is sent as written', () => {
    assert.equal(
      renderTemplate('{{path}} ({{filename}}): {{document}}', 'says {{filename}}', 'a/b.txt'),
      'a/b.txt (b.txt): says {{filename}}',
    );
  });
});

describe('a source the requests cannot be built from', () => {
  const refused = async (w: Awaited<ReturnType<typeof workspace>>, source: DocumentSource, message: RegExp) => {
    await assert.rejects(w.build(source), (err: unknown) => {
      assert.ok(err instanceof DocumentSourceError, String(err));
      assert.match(err.message, message);
      return true;
    });
    await assert.rejects(readFile(join(w.dir, 'out', 'requests.jsonl')), /ENOENT/, 'no requests file is left');
  };

  it('names a folder that does not exist', async () => {
    const w = await workspace({ 'a.txt': 'x' });
    const missing = join(w.dir, 'nowhere');
    await refused(w, w.source({ documents: missing }), new RegExp(`^documents ${missing}: no such folder or prefix`));
  });

  it('names a template that does not exist, and one without {{document}}', async () => {
    const w = await workspace({ 'a.txt': 'x' }, 'Summarize this.');
    const missing = join(w.dir, 'missing.txt');
    await refused(w, w.source({ template: missing }), new RegExp(`^template ${missing}: no such file`));
    await refused(w, w.source(), /prompt\.txt has no \{\{document\}\} placeholder/);
  });

  it('says what was skipped when no file has text', async () => {
    const w = await workspace({ 'a.bin': Buffer.from([0, 1, 2]), 'b.txt': '' });
    await refused(w, w.source(), /no document with text: 1 binary \(not UTF-8 text\) and 1 empty files skipped/);
  });

  it('names the globs when they leave nothing', async () => {
    const w = await workspace({ 'a.txt': 'x' });
    await refused(w, w.source({ include: ['*.md'] }), /none of its 1 files pass include \["\*\.md"\]/);
  });
});
