// `npm run demo`, the README's first command: the dev stack, a job on the sample requests, the summary printed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claudeBatch } from '../support/cli';
import { freePort } from '../support/ports';

describe('claude-batch demo', () => {
  it('runs the sample to its end, prints the summary and exits 0 though the sample fails a few requests on purpose', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'claude-batch-demo-'));
    const ports = [await freePort(), await freePort(), await freePort()].map(String);
    const demo = await claudeBatch(
      [
        'demo',
        '--data-dir',
        join(dir, 'data'),
        '--port',
        ports[0]!,
        '--ui-port',
        ports[1]!,
        '--emulator-port',
        ports[2]!,
      ],
      { ANTHROPIC_API_KEY: '' },
      240_000,
    );
    assert.equal(demo.code, 0, demo.stderr);
    assert.match(demo.stdout, /outcome\s+COMPLETED with errors/);
    assert.match(demo.stdout, /requests\s+300/);
    assert.match(demo.stderr, /on purpose/);
    const resultsPath = /results\s+(\S+results\.jsonl)/.exec(demo.stdout)?.[1];
    assert.ok(resultsPath, demo.stdout);
    const lines = (await readFile(resultsPath, 'utf8')).trim().split('\n');
    assert.equal(lines.length, 300);
  });
});
