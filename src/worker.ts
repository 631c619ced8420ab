// The worker: runs batch jobs' workflows and activities. It alone reads the Anthropic API key (from its own
// environment, as the Anthropic SDK does), so the key never appears in workflow inputs, history or results.
import Anthropic from '@anthropic-ai/sdk';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from './activities';
import { StorageRouter } from './storage/router';
import { temporalSettingsFromEnv } from './connection';
import { priceFromEnvCatalogue } from './models/load-catalogue';

export interface BatchWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  /** Default: a client configured from ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL. */
  anthropic?: Anthropic;
  storage?: ActivityDependencies['storage'];
  reconcile?: ActivityDependencies['reconcile'];
  outputProbeTimeoutMs?: ActivityDependencies['outputProbeTimeoutMs'];
  scratchDir?: ActivityDependencies['scratchDir'];
  /** A prebuilt workflow bundle (production, tests); default: bundle src/workflows at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  interceptors?: WorkerOptions['interceptors'];
  /** Per-worker slots; default the SDK's. */
  maxConcurrentActivityTaskExecutions?: number;
  /** Workflow cache size (0: no sticky execution); default the SDK's. */
  maxCachedWorkflows?: number;
}

export function anthropicFromEnv(env: NodeJS.ProcessEnv = process.env): Anthropic {
  // The emulator accepts any key; a real run needs ANTHROPIC_API_KEY.
  const apiKey = env.ANTHROPIC_API_KEY ?? (env.ANTHROPIC_BASE_URL ? 'emulator' : undefined);
  if (!apiKey) {
    throw new Error(
      'ANTHROPIC_API_KEY is not set (or set ANTHROPIC_BASE_URL to an emulator such as `claude-batch dev` starts)',
    );
  }
  return new Anthropic({ apiKey, ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}) });
}

export async function createBatchWorker(options: BatchWorkerOptions): Promise<Worker> {
  priceFromEnvCatalogue();
  const activities = createActivities({
    anthropic: options.anthropic ?? anthropicFromEnv(),
    storage: options.storage ?? new StorageRouter(),
    ...(options.reconcile ? { reconcile: options.reconcile } : {}),
    ...(options.outputProbeTimeoutMs ? { outputProbeTimeoutMs: options.outputProbeTimeoutMs } : {}),
    ...(options.scratchDir ? { scratchDir: options.scratchDir } : {}),
  });
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    activities,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('./workflows') }),
    ...(options.interceptors ? { interceptors: options.interceptors } : {}),
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    ...(options.maxConcurrentActivityTaskExecutions
      ? { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions }
      : {}),
  });
}

/** `npm run worker`: a worker configured from the environment, until SIGINT/SIGTERM. */
export async function runWorkerFromEnv(): Promise<void> {
  const settings = temporalSettingsFromEnv();
  const anthropic = anthropicFromEnv();
  const connection = await NativeConnection.connect(settings.connectionOptions);
  const worker = await createBatchWorker({
    connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    anthropic,
  });
  console.log(
    `claude-batch worker: ${String(settings.connectionOptions.address)} namespace ${settings.namespace}, task queue ${settings.taskQueue}, API ${anthropic.baseURL}`,
  );
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  runWorkerFromEnv().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
