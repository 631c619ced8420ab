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
