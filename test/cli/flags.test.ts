// Our CLI's flags and exit codes, checked before anything starts: no server is needed (or reached) for any of these.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claudeBatch } from '../support/cli';
import { request } from '../support/job-env';

/** Nothing listens there: a command that got as far as connecting would fail differently (exit 1). */
const nowhere = { TEMPORAL_ADDRESS: '127.0.0.1:1' };

async function requestsFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cli-flags-'));
  const file = join(dir, 'in.jsonl');
  await writeFile(file, `${JSON.stringify(request('a', 'hi'))}\n`);
  return file;
}

describe('CLI flags', () => {
  for (const [flags, message] of [
    [['--max-tokens', 'abc'], /--max-tokens must be a whole number 1 or more, got abc/],
    [['--poll-interval', '5'], /--poll-interval 5 has no unit: give one, e.g\. 5s or 5m/],
    [['--max-poll-interval', 'soon'], /--max-poll-interval must be a duration such as 30s, 5m or 1h, got soon/],
    [['--budget', 'lots'], /--budget must be an amount of US dollars above 0/],
    [['--max-retry-rounds', '-1'], /--max-retry-rounds must be a whole number from 0 to 100, got -1/],
  ] as const) {
    it(`start refuses ${flags.join(' ')} with exit 2 before connecting`, async () => {
      const result = await claudeBatch(['start', await requestsFile(), ...flags], nowhere);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /cannot reach Temporal/);
    });
  }

  it('takes durations with units (5m, 30s) and goes on to connect', async () => {
    const file = await requestsFile();
    const result = await claudeBatch(['start', file, '--poll-interval', '30s', '--max-poll-interval', '5m'], nowhere);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cannot reach Temporal at 127\.0\.0\.1:1/);
  });

  it('names the address it could not reach and suggests `claude-batch dev`, exit 1', async () => {
    const result = await claudeBatch(['status', 'some-job', '--address', '127.0.0.1:1']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^claude-batch: cannot reach Temporal at 127\.0\.0\.1:1 .*`claude-batch dev`/);
    assert.equal(result.stderr.trim().split('\n').length, 1, 'one sentence');
  });

  it('worker names the address it could not reach, in one sentence', async () => {
    const result = await claudeBatch(['worker', '--address', '127.0.0.1:1'], {
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      ANTHROPIC_API_KEY: 'unused',
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^claude-batch: cannot reach Temporal at 127\.0\.0\.1:1 \(connection refused\)/);
    assert.doesNotMatch(result.stderr, /tonic/);
  });

  it('with --json, an error is a JSON document on stdout too', async () => {
    const result = await claudeBatch(['--json', 'status', 'some-job'], nowhere);
    assert.equal(result.code, 1);
    const doc = JSON.parse(result.stdout) as { error: { message: string; exitCode: number } };
    assert.equal(doc.error.exitCode, 1);
    assert.match(doc.error.message, /cannot reach Temporal at 127\.0\.0\.1:1/);
  });

  it('an unknown flag is bad input: exit 2 (as JSON with --json)', async () => {
    const result = await claudeBatch(['--json', 'status', 'x', '--no-such-flag']);
    assert.equal(result.code, 2);
    assert.equal((JSON.parse(result.stdout) as { error: { exitCode: number } }).error.exitCode, 2);
  });

  it('validate --json gives the problems as data, with exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-flags-'));
    const file = join(dir, 'bad.jsonl');
    await writeFile(file, `${JSON.stringify(request('a', 'x'))}\nnot json\n`);
    const result = await claudeBatch(['--json', 'validate', file]);
    assert.equal(result.code, 2);
    const doc = JSON.parse(result.stdout) as { requests: number; problems: { line: number; problem: string }[] };
    assert.equal(doc.requests, 1);
    assert.equal(doc.problems[0]?.line, 2);
    assert.match(doc.problems[0].problem, /not valid JSON/);
  });

  it('budget refuses an amount that is not one, with exit 2, before connecting', async () => {
    const result = await claudeBatch(['budget', 'some-job', 'ten'], nowhere);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /the budget must be an amount of US dollars above 0, e\.g\. 2\.50, got ten/);
  });

  it('--version prints the version', async () => {
    const result = await claudeBatch(['--version']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});
