// Resolving a job's input: what it refuses before any work starts, and how it reads file URIs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JobInputError, resolveJobOptions, uriToPath } from '../../src/shared/options';

const resolve = (input: Record<string, unknown>) =>
  resolveJobOptions({ requests: '/data/in.jsonl', ...input }, 'job-1');

/** Asserts the input is refused with a JobInputError whose message matches every pattern. */
function refused(input: Record<string, unknown>, ...patterns: RegExp[]): void {
  assert.throws(
    () => resolve(input),
    (err: unknown) => {
      assert.ok(err instanceof JobInputError, String(err));
      for (const pattern of patterns) assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('job input', () => {
  it('refuses chunkSize, suggesting chunk.maxRequests and listing the known fields', () => {
    refused(
      { chunkSize: 10 },
      /unknown field in the job input: `chunkSize` \(did you mean `chunk.maxRequests`\?\)/,
      /Known fields: requests, output, defaults.model, defaults.max_tokens, defaults.system, polling.initialInterval/,
    );
  });

  it('refuses a misspelt nested field, suggesting the nearest known one', () => {
    refused({ chunk: { maxRequest: 10 } }, /`chunk.maxRequest` \(did you mean `chunk.maxRequests`\?\)/);
    refused({ maxRetryRound: 2 }, /`maxRetryRound` \(did you mean `maxRetryRounds`\?\)/);
    refused({ defaults: { maxTokens: 5 } }, /`defaults.maxTokens` \(did you mean `defaults.max_tokens`\?\)/);
  });

  it('refuses every unknown field at once, without a suggestion when nothing is near', () => {
    refused(
      { bogus: 1, chunk: { foo: 1 }, polling: { bar: 1 } },
      /unknown fields in the job input: `bogus`, `chunk.foo`, `polling.bar`\. Known fields:/,
    );
  });

  it('refuses request params in defaults, saying where they go instead', () => {
    refused(
      { defaults: { temperature: 0.2 } },
      /`defaults.temperature`/,
      /defaults takes only model, max_tokens and system, other params go in each request/,
    );
  });

  it('refuses defaults of the wrong type, naming the value found', () => {
    refused({ defaults: { max_tokens: '100' } }, /defaults.max_tokens must be a whole number .* got "100"/);
    refused({ defaults: { model: 7 } }, /defaults.model must be a model name \(a string\), got 7/);
    refused({ chunk: 5 }, /chunk must be an object with maxRequests, maxBytes, got 5/);
  });

  it('accepts every known field', () => {
    const options = resolve({
      output: '/data/out',
      defaults: { model: 'claude-haiku-4-5', max_tokens: 10, system: 'be brief' },
      polling: { initialInterval: '30s', maxInterval: '5m', backoffCoefficient: 2 },
      maxRetryRounds: 1,
      retryOn: ['expired'],
      chunk: { maxRequests: 10, maxBytes: 1_000_000 },
      submitConcurrency: 2,
      name: 'nightly',
      continueAsNewAfterEvents: 1000,
      keepWorkData: true,
    });
    assert.equal(options.chunk.maxRequests, 10);
    assert.equal(options.keepWorkData, true);
  });
});

describe('file URIs', () => {
  it('reads file:///path, file://localhost/path and plain paths as the same file', () => {
    assert.equal(uriToPath('file:///data/in.jsonl'), '/data/in.jsonl');
    assert.equal(uriToPath('file://localhost/data/in.jsonl'), '/data/in.jsonl');
    assert.equal(uriToPath('FILE://LOCALHOST/data/in.jsonl'), '/data/in.jsonl');
    assert.equal(uriToPath('file:/data/in.jsonl'), '/data/in.jsonl');
    assert.equal(uriToPath('/data/in.jsonl'), '/data/in.jsonl');
  });

  it('decodes percent-escapes in URIs only', () => {
    assert.equal(uriToPath('file:///data/my%20docs/%C3%A9t%C3%A9%23.jsonl'), '/data/my docs/été#.jsonl');
    assert.equal(uriToPath('/data/100%25.jsonl'), '/data/100%25.jsonl');
  });

  it('refuses a URI on another host, naming it', () => {
    assert.throws(() => uriToPath('file://fileserver/data/in.jsonl'), /not ones on host "fileserver"/);
  });

  it('refuses a malformed percent-escape', () => {
    assert.throws(() => uriToPath('file:///data/%E9.jsonl'), /malformed percent-escape/);
  });

  it('resolves the job input given as file://localhost/ to its path, with the output next to it', () => {
    const options = resolveJobOptions({ requests: 'file://localhost/data/in.jsonl' }, 'job-1');
    assert.equal(options.requests, '/data/in.jsonl');
    assert.equal(options.output, '/data/job-1');
  });
});

describe('a job input naming documents instead of a requests file', () => {
  const defaults = { model: 'claude-haiku-4-5', max_tokens: 100 };
  const fromSource = (input: Record<string, unknown>) => resolveJobOptions(input, 'job-1');
  const refusedSource = (input: Record<string, unknown>, pattern: RegExp) =>
    assert.throws(
      () => fromSource(input),
      (err: unknown) => err instanceof JobInputError && pattern.test(err.message),
    );

  it('builds the requests and manifest in an output beside the documents, named after the folder', () => {
    const options = fromSource({
      source: { documents: 'file:///data/docs/', template: '/data/prompt.txt', include: ['*.md'] },
      defaults,
    });
    assert.equal(options.output, '/data/job-1');
    assert.equal(options.requests, '/data/job-1/requests.jsonl');
    assert.deepEqual(options.source, {
      documents: '/data/docs',
      template: '/data/prompt.txt',
      include: ['*.md'],
      exclude: [],
      manifest: '/data/job-1/manifest.jsonl',
    });
    assert.equal(options.name, 'docs');
  });

  it('takes an s3:// prefix as it is, and asks for an output for a whole bucket', () => {
    const options = fromSource({ source: { documents: 's3://bucket/docs/', template: 's3://bucket/p.txt' }, defaults });
    assert.equal(options.output, 's3://bucket/job-1');
    refusedSource(
      { source: { documents: 's3://bucket/', template: 's3://bucket/p.txt' }, defaults },
      /source.documents s3:\/\/bucket has no folder above it for the results: give output/,
    );
  });

  it('refuses requests and source together, and neither', () => {
    refusedSource(
      { requests: '/data/in.jsonl', source: { documents: '/d', template: '/t' }, defaults },
      /give `requests` \(a JSONL file\) or `source` \(documents and a template\), not both/,
    );
    refusedSource({ defaults }, /`requests` \(the path of a JSONL file of requests\) or `source` .* is required/);
  });

  it('refuses a source without documents or template, or without the model and max_tokens to send', () => {
    refusedSource({ source: { template: '/t' }, defaults }, /`source.documents` \(the folder or s3:\/\/ prefix/);
    refusedSource({ source: { documents: '/d' }, defaults }, /`source.template` \(the path of a text file/);
    refusedSource(
      { source: { documents: '/data/docs', template: '/t' }, defaults: { model: 'claude-haiku-4-5' } },
      /set defaults.model and defaults.max_tokens/,
    );
  });

  it('refuses an output or work folder inside the documents, and globs that are not lists of strings', () => {
    refusedSource(
      { source: { documents: '/data/docs', template: '/t' }, defaults, output: '/data/docs/results' },
      /output \/data\/docs\/results lies inside source.documents \/data\/docs/,
    );
    refusedSource(
      {
        source: { documents: '/data/docs', template: '/t' },
        defaults,
        output: '/data/out',
        work: '/data/docs/.scratch',
      },
      /work \/data\/docs\/.scratch lies inside source.documents \/data\/docs/,
    );
    refusedSource(
      { source: { documents: '/data/docs', template: '/t', include: '*.md' }, defaults },
      /source.include must be a list of glob patterns/,
    );
  });

  it('refuses an unknown field of the source, suggesting the one meant', () => {
    refusedSource(
      { source: { documents: '/data/docs', template: '/t', excludes: ['a'] }, defaults },
      /`source.excludes` \(did you mean `source.exclude`\?\)/,
    );
  });
});
