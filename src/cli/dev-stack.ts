// `claude-batch dev`: the whole stack on one machine — Temporal's dev server with its Web UI, the Message Batches API
// emulator (unless a real key is set) and a worker — in one process tree that shuts down cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { Connection, Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { temporalCliPath } from '../dev/temporal-servers';
import { startEmulator, type Emulator } from '../emulator';
import { anthropicFromEnv, createBatchWorker } from '../worker';
import { JOB_SEARCH_ATTRIBUTES } from '../shared/search-attributes';
import { DEFAULT_TASK_QUEUE } from '../shared/job';

export interface DevStackOptions {
  dataDir: string;
  port: number;
  uiPort: number;
  emulatorPort: number;
  /** Emulator processing rate (requests per second). */
  emulatorRate?: number;
}

export interface DevStack {
  address: string;
  webUi: string;
  apiUrl: string;
  usingEmulator: boolean;
  /** The emulator, when the stack runs one. */
  emulator?: Emulator;
  client: Client;
  worker: Worker;
  /** Runs until the worker stops (shutdown() or a signal). */
  workerRun: Promise<void>;
  shutdown(): Promise<void>;
}

const SEARCH_ATTRIBUTE_TYPE: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int' };

async function waitForServer(address: string, server: ChildProcess, deadlineMs: number): Promise<Connection> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the Temporal dev server exited (code ${server.exitCode})`);
    try {
      return await Connection.connect({ address, connectTimeout: 1000 });
    } catch {
      if (Date.now() > deadline) throw new Error(`the Temporal dev server did not answer on ${address}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** The worker's own logs at warnings and above: the stack's output is for people. */
function quietWorkerLogs(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed (tests install their own): keep it.
  }
}

export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  quietWorkerLogs();
  const cli = temporalCliPath();
  if (!cli) throw new Error('the Temporal CLI is not installed: run `npm run setup` first');
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const address = `127.0.0.1:${options.port}`;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--ui-port',
    String(options.uiPort),
    '--db-filename',
    join(dataDir, 'temporal.sqlite'),
    '--log-level',
    'error',
    ...JOB_SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=${SEARCH_ATTRIBUTE_TYPE[k.type]}`]),
  ];
  const server = spawn(cli, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let serverErr = '';
  server.stderr?.on('data', (d: Buffer) => (serverErr = (serverErr + d.toString()).slice(-4000)));
  let connection: Connection;
  try {
    connection = await waitForServer(address, server, 60_000);
  } catch (err) {
    server.kill('SIGTERM');
    throw new Error(`${(err as Error).message}\n${serverErr}`);
  }
  const client = new Client({ connection });

  let emulator: Emulator | undefined;
  let anthropic: Anthropic;
  if (process.env.ANTHROPIC_API_KEY) {
    anthropic = anthropicFromEnv();
  } else {
    emulator = await startEmulator({
      port: options.emulatorPort,
      dataDir: join(dataDir, 'emulator'),
      ...(options.emulatorRate ? { requestsPerSecond: options.emulatorRate } : {}),
    });
    anthropic = new Anthropic({ apiKey: 'emulator', baseURL: emulator.url });
  }

  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await createBatchWorker({ connection: nativeConnection, taskQueue: DEFAULT_TASK_QUEUE, anthropic });
  const workerRun = worker.run();
  let stopped = false;
  return {
    address,
    webUi: `http://127.0.0.1:${options.uiPort}`,
    apiUrl: emulator?.url ?? anthropic.baseURL,
    usingEmulator: emulator !== undefined,
    ...(emulator ? { emulator } : {}),
    client,
    worker,
    workerRun,
    async shutdown() {
      if (stopped) return;
      stopped = true;
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun.catch(() => undefined);
      await nativeConnection.close();
      await connection.close();
      await emulator?.close();
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    },
  };
}
