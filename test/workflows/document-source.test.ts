// A job given a folder of documents and a prompt template instead of a requests file: it builds the requests (and the
// manifest) as its first step, then runs as any job, on the time-skipping server against the emulator.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { batchJob } from '../../src/workflows';
import { progressQuery } from '../../src/shared/messages';
import { progressMarkdown } from '../../src/workflows/progress-markdown';
import type { BatchJobInput } from '../../src/shared/job';
import { jobEnv, type JobEnv, withTimeSkippingServer } from '../support/job-env';
import { recordHistory } from '../support/histories';
import { startTestObjectStore } from '../support/object-store';
import { LocalStorage, writeChunk } from '../../src/storage/local-storage';
import { StorageRouter } from '../../src/storage/router';

describe('a job built from documents', () => {
  let env: TestWorkflowEnvironment;
  let job: JobEnv;
  withTimeSkippingServer(
    (started) => (env = started),
    () => job,
  );

  async function documents(files: Record<string, string | Buffer>): Promise<string> {
    const folder = join(job.dir, 'docs');
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(folder, path)), { recursive: true });
      await writeFile(join(folder, path), content);
    }
    return folder;
  }

  it('sends one request per document and reports one result line per document, with the build in the summary', async () => {
    job = await jobEnv(env);
    const folder = await documents({
      'a.txt': 'The sky is blue.',
      'notes/b.md': 'Grass is green. [emulator:errored=invalid_request_error]',
      'notes/deep/c.txt': 'Snow is white.',
      'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]),
      'empty.txt': '',
      'drafts/d.txt': 'not yet',
    });
    const template = join(job.dir, 'prompt.txt');
    await writeFile(template, 'Summarize {{path}} in one line:\n\n{{document}}');
    const input: BatchJobInput = {
      source: { documents: folder, template, exclude: ['drafts/**'] },
      defaults: { model: 'claude-sonnet-4-5', max_tokens: 100 },
      chunk: { maxRequests: 2 },
    };
    const { result, progress } = await job.withWorker(async () => {
      const handle = await env.client.workflow.start(batchJob, {
        args: [input],
        taskQueue: job.taskQueue,
        workflowId: 'document-source',
      });
      try {
        return { result: await handle.result(), progress: await handle.query(progressQuery) };
      } finally {
        await recordHistory('document-source', handle);
      }
    });

    const output = join(job.dir, 'document-source');
    assert.equal(result.summary.options.output, output, 'results go beside the documents folder');
    const results = await job.readResults(output);
    assert.deepEqual(
      results.map((r) => [r.custom_id, r.outcome]),
      [
        ['a', 'succeeded'],
        ['notes-b', 'errored'],
        ['notes-deep-c', 'succeeded'],
      ],
    );
    const manifest = (await readFile(join(output, 'manifest.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { custom_id: string; document: string });
    assert.deepEqual(manifest, [
      { custom_id: 'a', document: join(folder, 'a.txt') },
      { custom_id: 'notes-b', document: join(folder, 'notes', 'b.md') },
      { custom_id: 'notes-deep-c', document: join(folder, 'notes', 'deep', 'c.txt') },
    ]);

    const build = {
      documents: 3,
      skipped: { binary: 1, empty: 1, excluded: 1 },
      requests: join(output, 'requests.jsonl'),
      manifest: join(output, 'manifest.jsonl'),
    };
    assert.deepEqual(result.summary.build, build);
    assert.deepEqual(progress.build, build);
    assert.match(
      progressMarkdown(progress),
      new RegExp(
        `\\*\\*Built from documents:\\*\\* 3 requests; skipped 1 binary, 1 empty, 1 by include/exclude · manifest \`${build.manifest}\``,
      ),
      'the Web UI shows the build',
    );

    const batches = job.emulator.record.batches();
    assert.equal(batches.length, 2, 'the built requests are split like any requests file');
    const prompts: unknown[] = [];
    for (const batch of batches) {
      for (const sent of await job.emulator.record.requestsOf(batch.id)) {
        prompts.push((sent.params as { messages: { content: unknown }[] }).messages[0]!.content);
      }
    }
    assert.ok(
      prompts.includes('Summarize notes/deep/c.txt in one line:\n\nSnow is white.'),
      `the template, filled in, is what was sent: ${JSON.stringify(prompts)}`,
    );
  });

  it('builds from an s3:// prefix and writes the results there, with one line per document', async () => {
    const store = await startTestObjectStore();
    try {
      const storage = new StorageRouter(new LocalStorage(), () => store.storage);
      job = await jobEnv(env, { storage });
      const put = (key: string, content: string) =>
        store.storage.write(store.uri(key), (sink) => writeChunk(sink, content));
      await put('docs/2024/q1.txt', 'Quarter one.');
      await put('docs/2024/q2.txt', 'Quarter two.');
      await put('docs/readme.md', 'About the reports.');
      await put('prompt.txt', 'Summarize: {{document}}');
      const result = await job.withWorker(() =>
        env.client.workflow.execute(batchJob, {
          args: [
            {
              source: { documents: store.uri('docs/'), template: store.uri('prompt.txt'), include: ['*.txt'] },
              defaults: { model: 'claude-haiku-4-5', max_tokens: 50 },
            },
          ],
          taskQueue: job.taskQueue,
          workflowId: 'document-source-s3',
        }),
      );
      assert.equal(result.resultsPath, store.uri('document-source-s3/results.jsonl'));
      assert.deepEqual(result.summary.build, {
        documents: 2,
        skipped: { binary: 0, empty: 0, excluded: 1 },
        requests: store.uri('document-source-s3/requests.jsonl'),
        manifest: store.uri('document-source-s3/manifest.jsonl'),
      });
      let text = '';
      for await (const part of store.storage.read(result.resultsPath)) text += (part as Buffer).toString();
      const results = text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { custom_id: string; outcome: string });
      assert.deepEqual(
        results.map((r) => [r.custom_id, r.outcome]),
        [
          ['2024-q1', 'succeeded'],
          ['2024-q2', 'succeeded'],
        ],
      );
    } finally {
      await store.stop();
    }
  });

  it('fails before any batch when the documents bucket does not exist, naming it', async () => {
    const store = await startTestObjectStore();
    try {
      job = await jobEnv(env, { storage: new StorageRouter(new LocalStorage(), () => store.storage) });
      const template = join(job.dir, 'prompt.txt');
      await writeFile(template, 'Summarize: {{document}}');
      const run = job.withWorker(() =>
        env.client.workflow.execute(batchJob, {
          args: [
            {
              source: { documents: 's3://no-such-bucket/docs', template },
              defaults: { model: 'claude-haiku-4-5', max_tokens: 50 },
              output: join(job.dir, 'out'),
            },
          ],
          taskQueue: job.taskQueue,
          workflowId: 'document-source-no-bucket',
        }),
      );
      await assert.rejects(run, (err: unknown) => {
        assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ApplicationFailure, String(err));
        assert.equal(err.cause.type, 'InvalidDocumentSource');
        assert.match(
          err.cause.message,
          /^documents s3:\/\/no-such-bucket\/docs: bucket "no-such-bucket" does not exist .*; no batch was created$/,
        );
        return true;
      });
      assert.equal(job.emulator.record.batches().length, 0, 'no batch was created');
    } finally {
      await store.stop();
    }
  });
});
