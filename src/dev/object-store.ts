// A real S3-compatible server on loopback (versitygw, installed by scripts/setup), for tests, the dev stack and the
// demo: one process, one port, objects kept as files in a folder of ours.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { freeLoopbackPort } from './ports';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import '../storage/aws-sdk-settings';
import { toolsDir } from './temporal-servers';

/** versitygw: VERSITYGW_PATH, or the project's build in .tools/bin. */
export function versitygwPath(): string | undefined {
  const fromEnv = process.env.VERSITYGW_PATH;
  if (fromEnv) return fromEnv;
  const built = join(toolsDir, 'bin', 'versitygw');
  return existsSync(built) ? built : undefined;
}

export interface ObjectStoreOptions {
  /** Where the server keeps its buckets (a folder per bucket). */
  dataDir: string;
  /** The bucket made ready before this returns. */
  bucket: string;
  /** Default: a free port chosen by the OS. */
  port?: number;
  accessKeyId?: string;
  secretAccessKey?: string;
  region?: string;
}

export interface ObjectStore {
  /** The endpoint, e.g. http://127.0.0.1:7070 (AWS_ENDPOINT_URL_S3). */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The environment a worker or client needs to use it, as AWS users set it. */
  env: Record<string, string>;
  /** A client for it, path-style as self-hosted stores need. */
  client(): S3Client;
  stop(): Promise<void>;
}

/** Starts versitygw on loopback with an empty bucket; fails with the fix when it is not installed. */
export async function startObjectStore(options: ObjectStoreOptions): Promise<ObjectStore> {
  const binary = versitygwPath();
  if (!binary) {
    throw new Error('versitygw is not installed: run `npm run setup` (it builds it into .tools/bin)');
  }
  const accessKeyId = options.accessKeyId ?? 'claude-batch';
  const secretAccessKey = options.secretAccessKey ?? 'claude-batch-secret';
  const region = options.region ?? 'us-east-1';
  const port = options.port ?? (await freeLoopbackPort());
  await mkdir(options.dataDir, { recursive: true });
  const child = spawn(
    binary,
    [
      '--access',
      accessKeyId,
      '--secret',
      secretAccessKey,
      '--region',
      region,
      '--port',
      `127.0.0.1:${port}`,
      '--quiet',
      'posix',
      options.dataDir,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await untilListening(child, port, () => stderr);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const env = {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
  };
  const client = () =>
    new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  const admin = client();
  try {
    await admin.send(new CreateBucketCommand({ Bucket: options.bucket }));
  } catch (err) {
    if (!/BucketAlready(OwnedByYou|Exists)/.test((err as Error).name)) {
      child.kill('SIGKILL');
      throw err;
    }
  } finally {
    admin.destroy();
  }
  return {
    endpoint,
    bucket: options.bucket,
    region,
    accessKeyId,
    secretAccessKey,
    env,
    client,
    stop: () => stopProcess(child),
  };
}

/** Waits until the port takes a connection, or the server exits (its last words then say why). */
async function untilListening(child: ChildProcess, port: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`versitygw exited before listening on port ${port}: ${stderr().trim()}`);
    }
    if (await accepts(port)) return;
    if (Date.now() > deadline) throw new Error(`versitygw did not listen on port ${port} within 30 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
