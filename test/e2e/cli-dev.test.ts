// `claude-batch dev` as a user runs it: one process tree with the dev server, the emulator and a worker; other
// commands (start, watch, cancel) talk to it; Ctrl-C stops all of it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claudeBatch, startDevCommand } from '../support/cli';
import { freePort } from '../support/ports';
import { request } from '../support/job-env';
import type { JobProgress } from '../../src/shared/job';

describe('claude-batch dev', () => {
  let dev: ChildProcess;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let output = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'claude-batch-dev-'));
    const [port, uiPort, emulatorPort] = [await freePort(), await freePort(), await freePort()];
    dev = await startDevCommand(
      [
        '--data-dir',
        join(dir, 'data'),
        '--port',
        String(port),
        '--ui-port',
        String(uiPort),
        '--emulator-port',
        String(emulatorPort),
      ],
      (text) => (output += text),
    );
    env = { TEMPORAL_ADDRESS: `127.0.0.1:${port}`, TEMPORAL_UI_URL: `http://127.0.0.1:${uiPort}` };
  });
  after(() => {
    if (dev.exitCode === null) dev.kill('SIGKILL');
  });

  it('prints where the Web UI and the emulator are', () => {
    assert.match(output, /Web UI\s+http:\/\/127\.0\.0\.1:\d+/);
    assert.match(output, /API\s+http:\/\/127\.0\.0\.1:\d+ \(emulator/);
  });

  it('prints the export lines the other commands read', () => {
    assert.match(output, new RegExp(`^  export TEMPORAL_ADDRESS=${env.TEMPORAL_ADDRESS}$`, 'm'));
    assert.match(output, /^ {2}export TEMPORAL_NAMESPACE=default$/m);
    assert.match(output, new RegExp(`^  export TEMPORAL_UI_URL=${env.TEMPORAL_UI_URL}$`, 'm'));
  });

  it('runs a job started detached, followed with watch', async () => {
    const requests = join(dir, 'in.jsonl');
    await writeFile(requests, [1, 2, 3].map((i) => JSON.stringify(request(`w-${i}`, `text ${i}`))).join('\n') + '\n');
    const started = await claudeBatch(['--json', 'start', requests, '--id', 'detached', '--poll-interval', '1s'], env);
    assert.equal(started.code, 0, started.stderr);
    assert.equal((JSON.parse(started.stdout) as { workflowId: string }).workflowId, 'detached');
    const watched = await claudeBatch(['watch', 'detached'], env, 60_000);
    assert.equal(watched.code, 0, watched.stderr);
    assert.match(watched.stdout, /succeeded\s+3/);
    const results = (await readFile(join(dir, 'detached', 'results.jsonl'), 'utf8')).trim().split('\n');
    assert.equal(results.length, 3);
  });

  it('cancels a running job with cancel', async () => {
    const requests = join(dir, 'slow.jsonl');
    // 10,000 requests at the emulator's default rate take long enough to cancel midway.
    const lines = Array.from({ length: 10_000 }, (_, i) => JSON.stringify(request(`s-${i}`, `slow ${i}`)));
    await writeFile(requests, lines.join('\n') + '\n');
    const started = await claudeBatch(['start', requests, '--id', 'to-cancel', '--poll-interval', '1s'], env);
    assert.equal(started.code, 0, started.stderr);
    for (let i = 0; i < 100; i++) {
      const status = await claudeBatch(['--json', 'status', 'to-cancel'], env);
      if (status.code === 0 && (JSON.parse(status.stdout) as JobProgress).phase === 'waiting') break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const canceled = await claudeBatch(['cancel', 'to-cancel'], env);
    assert.equal(canceled.code, 0, canceled.stderr);
    const watched = await claudeBatch(['watch', 'to-cancel'], env, 60_000);
    assert.notEqual(watched.code, 0, 'watching a canceled job ends in an error');
    assert.doesNotMatch(watched.stderr, /at .*\.ts:\d+/, 'one clear message, no stack trace');
    const summary = JSON.parse(await readFile(join(dir, 'to-cancel', 'summary.json'), 'utf8')) as {
      canceled: boolean;
      outcomes: { canceled: number; succeeded: number };
    };
    assert.equal(summary.canceled, true);
    assert.ok(summary.outcomes.canceled > 0);
    assert.equal(summary.outcomes.canceled + summary.outcomes.succeeded, 10_000);
  });

  it('stops the whole stack cleanly on Ctrl-C', async () => {
    const exited = new Promise<number | null>((resolve) => dev.once('exit', resolve));
    dev.kill('SIGINT');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 30_000))]);
    assert.equal(code, 0, output.slice(-2000));
  });
});
