// Our CLI's checks before a job starts: `validate` shares the workflow's scanner, `start` its input check.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claudeBatch } from '../support/cli';

const line = (id: string, content: string) =>
  JSON.stringify({
    custom_id: id,
    params: { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content }] },
  });

describe('CLI checks', () => {
  it('validate refuses a file that is not UTF-8, naming the line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-checks-'));
    const file = join(dir, 'latin1.jsonl');
    await writeFile(file, Buffer.from(`${line('a', 'plain')}\n${line('b', 'caf\u00e9')}\n`, 'latin1'));
    const result = await claudeBatch(['validate', file]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /line 2: not valid UTF-8 text/);
  });

  it('validate refuses a folder, saying it is one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-checks-'));
    const result = await claudeBatch(['validate', dir]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /is a folder, not a requests file/);
  });

  it('start refuses a bad option before connecting to Temporal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cli-checks-'));
    const file = join(dir, 'in.jsonl');
    await writeFile(file, `${line('a', 'hi')}\n`);
    // Nothing listens there: reaching the server would fail differently.
    const result = await claudeBatch(['start', file, '--chunk-size', '0'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /chunk.maxRequests must be a whole number from 1 to 100000, got 0/);
  });
});
