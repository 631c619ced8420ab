// The Temporal CLI's dev server as a child process on a SQLite file, so that it can be killed and started again with
// its state: workflows, timers and activities in flight survive the restart the way they would a real server's.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerExecutable } from '../src/dev/temporal-servers';

export interface DevServer {
  address: string;
  /** SIGKILL, then the same command again; resolves once the new server answers. Returns the downtime in ms. */
  restart(): Promise<number>;
  stop(): Promise<void>;
}

function cliPath(): string {
  const executable = devServerExecutable();
  if (executable.type !== 'existing-path') {
    throw new Error('the Temporal CLI is not installed: run `npm run setup` first');
  }
  return executable.path;
}

async function untilAnswers(address: string, server: ChildProcess, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`the Temporal dev server exited (${server.exitCode ?? server.signalCode})`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      // Connecting proves the port is open; a health check proves the frontend serves.
      await connection.healthService.check({});
      await connection.close();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`the Temporal dev server did not answer on ${address}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startDevServer(options: { dir: string; port: number }): Promise<DevServer> {
  const address = `127.0.0.1:${options.port}`;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--headless',
    '--db-filename',
    join(options.dir, 'temporal.sqlite'),
    '--log-level',
    'warn',
  ];
  const log: WriteStream = createWriteStream(join(options.dir, 'temporal-server.log'), { flags: 'a' });
  let server: ChildProcess;
  const launch = async () => {
    server = spawn(cliPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout?.pipe(log, { end: false });
    server.stderr?.pipe(log, { end: false });
    try {
      await untilAnswers(address, server, 60_000);
    } catch (err) {
      server.kill('SIGKILL');
      throw new Error(`${(err as Error).message} (see ${join(options.dir, 'temporal-server.log')})`);
    }
  };
  await launch();
  return {
    address,
    async restart() {
      const killedAt = Date.now();
      server.kill('SIGKILL');
      await exited(server);
      log.write(`\n--- chaos: SIGKILL, starting again on ${address} ---\n`);
      await launch();
      return Date.now() - killedAt;
    },
    async stop() {
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
      await exited(server);
      clearTimeout(timer);
      log.end();
    },
  };
}
