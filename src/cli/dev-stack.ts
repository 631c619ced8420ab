// `claude-batch dev`: the whole stack on one machine — Temporal's dev server with its Web UI, the Message Batches API
// emulator (unless a real key is set) and a worker — in one process tree that shuts down cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { Connection, Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { temporalCliPath } from '../dev/temporal-servers';
import { startObjectStore, type ObjectStore } from '../dev/object-store';
import { S3Storage } from '../storage/s3-storage';
import { StorageRouter } from '../storage/router';
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
  /** `s3`: also an S3-compatible store (versitygw) with a bucket, which the stack's worker reads and writes. */
  storage?: 'local' | 's3';
  /** The object store's port (with `storage: 's3'`; 0: any free port). */
  s3Port?: number;
}

export interface DevStack {
  address: string;
  webUi: string;
  apiUrl: string;
  usingEmulator: boolean;
  /** The emulator, when the stack runs one. */
  emulator?: Emulator;
  /** The object store, with `storage: 's3'`: jobs may name `s3://<bucket>/…` for requests, output and work. */
  objectStore?: ObjectStore;
  client: Client;
  worker: Worker;
  /** Runs until the worker stops (shutdown() or a signal). */
  workerRun: Promise<void>;
  shutdown(): Promise<void>;
}

/** The bucket `claude-batch dev --storage s3` makes ready. */
export const DEV_BUCKET = 'claude-batch';

/** Where the dev server, its Web UI and the emulator listen. */
const DEV_HOST = '127.0.0.1';

/** The stack's ports: what each is for and the `claude-batch dev` flag that moves it. */
const DEV_PORTS = [
  { option: 'port', what: 'Temporal server', flag: '--port' },
  { option: 'uiPort', what: 'Web UI', flag: '--ui-port' },
  { option: 'emulatorPort', what: 'emulator', flag: '--emulator-port' },
  { option: 's3Port', what: 'object store', flag: '--s3-port' },
] as const;

/** "a", "a and b", "a, b and c". */
const inWords = (items: string[]) => items.slice(0, -1).join(', ') + (items.length > 1 ? ' and ' : '') + items.at(-1);

/** A port the stack needs is taken (another `claude-batch dev`, most likely): nothing was started. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(readonly busy: { port: number; what: string; flag: string; code: string }[]) {
    const one = busy.length === 1;
    const taken = busy.every((b) => b.code === 'EADDRINUSE') ? 'already in use' : 'not available';
    super(
      `${inWords(busy.map((b) => `port ${b.port} (${b.what})`))} on ${DEV_HOST} ${one ? 'is' : 'are'} ${taken}, ` +
        `so nothing was started: another \`claude-batch dev\` may be running; stop it or choose ` +
        `${one ? 'another port' : 'other ports'} with ${inWords(busy.map((b) => b.flag))}`,
    );
  }
}

/** Why the port cannot be listened on (EADDRINUSE, EACCES…), or undefined when it can. */
function listenError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    try {
      probe.listen({ port, host: DEV_HOST, exclusive: true }, () => probe.close(() => resolve(undefined)));
    } catch (err) {
      resolve((err as NodeJS.ErrnoException).code ?? String(err));
    }
  });
}

/**
 * Refuses busy ports before anything starts: otherwise a second stack's worker would join the first one's Temporal
 * server with an emulator of its own, and the jobs in flight there would lose their batches. Port 0 (any free port)
 * and the emulator's port when no emulator runs are not checked.
 */
async function assertPortsFree(options: DevStackOptions, withEmulator: boolean): Promise<void> {
  const busy: PortInUseError['busy'] = [];
  for (const { option, what, flag } of DEV_PORTS) {
    if (option === 's3Port' && options.storage !== 's3') continue;
    const port = options[option] ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`${flag} needs a port number (0 to 65535)`);
    if (port === 0 || (option === 'emulatorPort' && !withEmulator)) continue;
    const code = await listenError(port);
    if (code) busy.push({ port, what, flag, code });
  }
  if (busy.length > 0) throw new PortInUseError(busy);
}

const SEARCH_ATTRIBUTE_TYPE: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int' };

/**
 * Connects once our dev server says it is up (its first line on stdout comes after it bound its ports): a connection
 * made earlier could reach another server on the port, one that took it after our check.
 */
async function waitForServer(
  address: string,
  server: ChildProcess,
  announced: () => boolean,
  deadlineMs: number,
): Promise<Connection> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the Temporal dev server exited (code ${server.exitCode})`);
    try {
      if (announced()) return await Connection.connect({ address, connectTimeout: 1000 });
    } catch {
      // Not answering yet: try again below.
    }
    if (Date.now() > deadline) throw new Error(`the Temporal dev server did not answer on ${address}`);
    await new Promise((r) => setTimeout(r, 250));
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
  const withEmulator = !process.env.ANTHROPIC_API_KEY;
  await assertPortsFree(options, withEmulator);
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const address = `${DEV_HOST}:${options.port}`;
  const args = [
    'server',
    'start-dev',
    '--ip',
    DEV_HOST,
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
  const server = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let announced = false;
  server.stdout?.on('data', () => (announced = true));
  let serverErr = '';
  server.stderr?.on('data', (d: Buffer) => (serverErr = (serverErr + d.toString()).slice(-4000)));
  const stopServer = async () => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  };
  let connection: Connection;
  try {
    connection = await waitForServer(address, server, () => announced, 60_000);
  } catch (err) {
    await stopServer();
    throw new Error(`${(err as Error).message}\n${serverErr}`);
  }
  const client = new Client({ connection });

  let emulator: Emulator | undefined;
  let objectStore: ObjectStore | undefined;
  let anthropic: Anthropic;
  let nativeConnection: NativeConnection | undefined;
  let worker: Worker;
  try {
    if (withEmulator) {
      emulator = await startEmulator({
        port: options.emulatorPort,
        host: DEV_HOST,
        dataDir: join(dataDir, 'emulator'),
        ...(options.emulatorRate ? { requestsPerSecond: options.emulatorRate } : {}),
      });
      anthropic = new Anthropic({ apiKey: 'emulator', baseURL: emulator.url });
    } else {
      anthropic = anthropicFromEnv();
    }
    if (options.storage === 's3') {
      objectStore = await startObjectStore({
        dataDir: join(dataDir, 's3'),
        bucket: DEV_BUCKET,
        ...(options.s3Port ? { port: options.s3Port } : {}),
      });
    }
    const store = objectStore;
    nativeConnection = await NativeConnection.connect({ address });
    worker = await createBatchWorker({
      connection: nativeConnection,
      taskQueue: DEFAULT_TASK_QUEUE,
      anthropic,
      ...(store ? { storage: new StorageRouter(undefined, () => new S3Storage(store.client())) } : {}),
    });
  } catch (err) {
    // Half a stack is no stack: stop what started (an orphaned dev server would hold the ports).
    await nativeConnection?.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
    await emulator?.close().catch(() => undefined);
    await objectStore?.stop().catch(() => undefined);
    await stopServer();
    throw err;
  }
  const connected = nativeConnection;
  const workerRun = worker.run();
  let stopped = false;
  return {
    address,
    webUi: `http://${DEV_HOST}:${options.uiPort}`,
    apiUrl: emulator?.url ?? anthropic.baseURL,
    usingEmulator: emulator !== undefined,
    ...(emulator ? { emulator } : {}),
    ...(objectStore ? { objectStore } : {}),
    client,
    worker,
    workerRun,
    async shutdown() {
      if (stopped) return;
      stopped = true;
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun.catch(() => undefined);
      await connected.close();
      await connection.close();
      await emulator?.close();
      await objectStore?.stop();
      await stopServer();
    },
  };
}
