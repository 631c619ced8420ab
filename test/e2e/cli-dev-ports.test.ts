// `claude-batch dev` on a busy port (another `dev` running, say) refuses before it starts or connects to anything:
// no Temporal server, no emulator, no worker joining someone else's server.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claudeBatch } from '../support/cli';
import { freePort } from '../support/ports';

/** A plain TCP listener on the port, counting who connects to it. */
async function occupy(port: number): Promise<{ server: Server; connections: () => number }> {
  const server = createServer((socket) => socket.destroy());
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { server, connections: () => connections };
}

/** True when nothing listens on the port (so no server was left behind). */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

const cases = [
  { what: 'Temporal', flag: '--port' },
  { what: 'Web UI', flag: '--ui-port' },
  { what: 'emulator', flag: '--emulator-port' },
] as const;

describe('claude-batch dev on a busy port', () => {
  for (const { what, flag } of cases) {
    it(`refuses a busy ${what} port with ${flag} in the message, starting nothing`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'claude-batch-dev-ports-'));
      const ports: Record<string, number> = {
        '--port': await freePort(),
        '--ui-port': await freePort(),
        '--emulator-port': await freePort(),
      };
      const busy = ports[flag]!;
      const occupant = await occupy(busy);
      try {
        const args = ['dev', '--data-dir', join(dir, 'data'), ...Object.entries(ports).flat().map(String)];
        const startedAt = Date.now();
        const result = await claudeBatch(args, { ANTHROPIC_API_KEY: '' }, 30_000);
        const seconds = (Date.now() - startedAt) / 1000;

        assert.equal(result.code, 1, `exit code 1 (an environment error)\n${result.stdout}\n${result.stderr}`);
        assert.ok(seconds < 20, `refused quickly, not after starting a server (${seconds}s)`);
        assert.equal(occupant.connections(), 0, 'nothing connected to the server already on the port');
        assert.equal(existsSync(join(dir, 'data')), false, 'no state written');
        for (const [name, port] of Object.entries(ports)) {
          if (port !== busy) assert.ok(await isFree(port), `nothing left listening on ${name} ${port}`);
        }

        assert.match(result.stderr, new RegExp(`port ${busy}\\b`), 'names the busy port');
        assert.match(result.stderr, new RegExp(what), 'says what the port is for');
        assert.match(result.stderr, new RegExp(`${flag}\\b`), 'names the flag that changes it');
        assert.match(result.stderr, /another `claude-batch dev` may be running/);
        assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, 'one clear message, no stack trace');
        assert.doesNotMatch(result.stdout, /Ctrl-C stops everything/);
      } finally {
        await new Promise((resolve) => occupant.server.close(resolve));
      }
    });
  }
});
