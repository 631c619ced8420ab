// `claude-batch build`: the offline preview of a job's build step, run as a user would (a real subprocess).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { summaryTable } from '../../src/cli/format';
import { nextStepAfter } from '../../src/cli/job-end';
import { inputOf } from '../../src/cli/start-job';
import type { JobSummary } from '../../src/shared/job';
import { claudeBatch } from '../support/cli';

async function workspace() {
  const dir = await mkdtemp(join(tmpdir(), 'cli-build-'));
  const docs = join(dir, 'docs');
  await mkdir(join(docs, 'notes', 'old'), { recursive: true });
  await writeFile(join(docs, 'a.md'), 'Alpha.');
  await writeFile(join(docs, 'notes', 'b.md'), 'Beta.');
  await writeFile(join(docs, 'notes', 'old', 'c.md'), 'Gamma.');
  await writeFile(join(docs, 'notes', 'd.txt'), 'Delta.');
  await writeFile(join(docs, 'logo.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0]));
  await writeFile(join(docs, 'empty.md'), '');
  await writeFile(join(dir, 'prompt.txt'), 'Summarize {{path}}: {{document}}');
  return { dir, docs, prompt: join(dir, 'prompt.txt') };
}

const jsonLines = async (path: string) =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('claude-batch build', () => {
  it('recurses into the folder, keeps what --include/--exclude select, counts what it skipped, writes the manifest', async () => {
    const w = await workspace();
    const output = join(w.dir, 'requests.jsonl');
    const args = ['build', w.docs, '-t', w.prompt, '-o', output, '--include', '*.md', '--exclude', 'notes/old/**'];
    const result = await claudeBatch(args);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /requests\.jsonl: 2 requests, one per document/);
    assert.match(result.stdout, /skipped: 1 binary, 1 empty, 2 left out by include\/exclude/);
    assert.match(result.stdout, /manifest: .*requests\.manifest\.jsonl/);
    assert.deepEqual(await jsonLines(join(w.dir, 'requests.manifest.jsonl')), [
      { custom_id: 'a', document: join(w.docs, 'a.md') },
      { custom_id: 'notes-b', document: join(w.docs, 'notes', 'b.md') },
    ]);
    const requests = await jsonLines(output);
    assert.deepEqual(requests[1], {
      custom_id: 'notes-b',
      params: {
        model: 'claude-sonnet-4-5',
        max_tokens: 1024,
        messages: [{ role: 'user', content: 'Summarize notes/b.md: Beta.' }],
      },
    });
  });

  it('names a folder that does not exist, with exit code 2', async () => {
    const w = await workspace();
    const missing = join(w.dir, 'nowhere');
    const result = await claudeBatch(['build', missing, '-t', w.prompt, '-o', join(w.dir, 'r.jsonl')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`documents ${missing}: no such folder or prefix`));
  });

  it('names a template that does not exist, with exit code 2', async () => {
    const w = await workspace();
    const missing = join(w.dir, 'prompt-typo.txt');
    const result = await claudeBatch(['build', w.docs, '-t', missing, '-o', join(w.dir, 'r.jsonl')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`template ${missing}: no such file`));
  });

  it('run and start take a folder of documents with --template, as the job input source', () => {
    const input = inputOf('docs/', {
      template: 'prompt.txt',
      include: ['*.md'],
      exclude: ['old/**'],
      maxTokens: '200',
    });
    assert.deepEqual(input, {
      source: {
        documents: resolve('docs'),
        template: resolve('prompt.txt'),
        include: ['*.md'],
        exclude: ['old/**'],
      },
      defaults: { model: 'claude-sonnet-4-5', max_tokens: 200 },
    });
  });

  it('start refuses a folder of documents with an output inside it, before connecting to Temporal', async () => {
    const w = await workspace();
    const args = ['start', w.docs, '--template', w.prompt, '--output', join(w.docs, 'results')];
    const result = await claudeBatch(args, { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /output .*\/docs\/results lies inside source.documents .*\/docs/);
  });

  it("a job's summary shows what the build made and skipped, and where the manifest is", () => {
    const summary = {
      workflowId: 'docs-job',
      name: 'docs',
      totalRequests: 3,
      outcomes: { succeeded: 3, errored: 0, canceled: 0, expired: 0, erroredByType: {} },
      rounds: 1,
      batches: [],
      tokens: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      cost: { batchUsd: 0, standardUsd: 0, savedUsd: 0, unpricedModels: [] },
      canceled: false,
      build: {
        documents: 3,
        skipped: { binary: 2, empty: 1, excluded: 4 },
        requests: '/out/requests.jsonl',
        manifest: '/out/manifest.jsonl',
      },
    } as unknown as JobSummary;
    const table = summaryTable(summary, '/out/results.jsonl');
    assert.match(table, /documents +3 made into requests; skipped 2 binary, 1 empty, 4 by include\/exclude/);
    assert.match(table, /manifest +\/out\/manifest\.jsonl \(custom_id → document\)/);
  });

  it('after a job failed on its documents, says to preview them with build', () => {
    const next = nextStepAfter(
      { outcome: 'FAILED', cause: 'documents /d: no such folder or prefix', failureType: 'InvalidDocumentSource' },
      'job-1',
    );
    assert.match(next, /^fix the documents folder or template \(`claude-batch build <folder> -t <prompt> -o <file>`/);
  });

  it('refuses to write the requests inside the documents folder', async () => {
    const w = await workspace();
    const result = await claudeBatch(['build', w.docs, '-t', w.prompt, '-o', join(w.docs, 'requests.jsonl')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /lies inside the documents folder .*: the next build would read it as a document/);
  });
});
