// The emulator's command line: starts a server, tells how to point an SDK at it, and stops cleanly on a signal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { requests } from './support';

const main = join(__dirname, '..', '..', 'src', 'emulator', 'main.ts');

describe('npm run emulator', () => {
  it('serves the SDK on the port it prints and exits 0 on SIGTERM', { timeout: 60_000 }, async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', main, '--port', '0', '--api-key', 'cli-key', '--rate', '1000'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const output: string[] = [];
    let url: string | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      output.push(line);
      url ??= /emulator on (http:\/\/\S+)/.exec(line)?.[1];
      if (line.startsWith('Batches are kept')) break;
    }
    assert.ok(url, output.join('\n'));
    assert.ok(output.some((l) => l.includes(`ANTHROPIC_BASE_URL=${url}`)));
    assert.ok(output.some((l) => l.includes('ANTHROPIC_API_KEY=cli-key')));

    const client = new Anthropic({ baseURL: url, apiKey: 'cli-key', maxRetries: 0 });
    const batch = await client.messages.batches.create({ requests: requests(2) });
    assert.equal(batch.processing_status, 'in_progress');
    await assert.rejects(
      new Anthropic({ baseURL: url, apiKey: 'other', maxRetries: 0 }).messages.batches.list(),
      Anthropic.AuthenticationError,
    );

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    assert.equal(code, 0);
  });
});
