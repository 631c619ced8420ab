// The worker: runs batch jobs' workflows and activities. It alone reads the Anthropic API key (from its own
// environment, as the Anthropic SDK does), so the key never appears in workflow inputs, history or results.
import Anthropic from '@anthropic-ai/sdk';
import { NativeConnection, Runtime, Worker, type WorkerOptions, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities, type ActivityDependencies } from './activities';
import { StorageRouter } from './storage/router';
import { temporalSettingsFromEnv } from './connection';
import { priceFromEnvCatalogue } from './models/load-catalogue';
import { loadWorkflowBundle } from './workflow-bundle';

/**
 * Worker Versioning: the Worker Deployment this worker belongs to and its build. Unset, the worker is unversioned
 * (every worker on the task queue takes every task, as before versioning).
 */
export interface WorkerDeployment {
  /** The deployment's name, the same for every build (e.g. `claude-batch`). */
  name: string;
  /** This build's id; default: the hash of the workflow sources the worker runs, so equal code gets equal ids. */
  buildId?: string;
}

/**
 * Jobs wait up to 24 h per batch, and longer with retry rounds and held budgets: pinning them to the build that
 * started them would keep every old build running until its last job ends. So running jobs move to each new current
 * build, replaying their history on its code; any change to the workflow that alters history is guarded with
 * patched() (the replay suite in test/histories catches one that is not).
 */
export const batchJobVersioningBehavior = 'AUTO_UPGRADE' as const;

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
  /** Worker Versioning; default unversioned. */
  deployment?: WorkerDeployment;
}

/** CLAUDE_BATCH_DEPLOYMENT (the deployment's name) and CLAUDE_BATCH_BUILD_ID; unset: an unversioned worker. */
export function deploymentFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerDeployment | undefined {
  const name = env.CLAUDE_BATCH_DEPLOYMENT;
  if (!name) {
    if (env.CLAUDE_BATCH_BUILD_ID) {
      throw new Error('CLAUDE_BATCH_BUILD_ID is set without CLAUDE_BATCH_DEPLOYMENT: set the deployment name too');
    }
    return undefined;
  }
  return { name, ...(env.CLAUDE_BATCH_BUILD_ID ? { buildId: env.CLAUDE_BATCH_BUILD_ID } : {}) };
}

/** The worker's versioning options: a build id given, or one derived from the workflow code's source hash. */
export function workerDeploymentOptions(
  deployment: WorkerDeployment,
  sourceHash?: string,
): NonNullable<WorkerOptions['workerDeploymentOptions']> {
  const buildId = deployment.buildId ?? (sourceHash ? sourceHash.slice(0, 16) : undefined);
  if (!buildId) throw new Error(`deployment ${deployment.name}: a build id is needed with a caller's workflow bundle`);
  return {
    version: { deploymentName: deployment.name, buildId },
    useWorkerVersioning: true,
    defaultVersioningBehavior: batchJobVersioningBehavior,
  };
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

/**
 * A worker for batch jobs. Without `workflowBundle` it runs the prebuilt bundle of `npm run build` when that is
 * current, else bundles the workflow code at start (see src/workflow-bundle.ts).
 */
export async function createBatchWorker(options: BatchWorkerOptions): Promise<Worker> {
  priceFromEnvCatalogue();
  const code: { bundle: WorkflowBundleOption; sourceHash?: string } = options.workflowBundle
    ? { bundle: options.workflowBundle }
    : await loadWorkflowBundle({ logger: Runtime.instance().logger });
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
    workflowBundle: code.bundle,
    ...(options.deployment
      ? { workerDeploymentOptions: workerDeploymentOptions(options.deployment, code.sourceHash) }
      : {}),
    ...(options.interceptors ? { interceptors: options.interceptors } : {}),
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    ...(options.maxConcurrentActivityTaskExecutions
      ? { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions }
      : {}),
  });
}

/** `npm run worker`: a worker configured from the environment, until SIGINT/SIGTERM. */
export async function runWorkerFromEnv(): Promise<void> {
  const loadedSeconds = process.uptime();
  const settings = temporalSettingsFromEnv();
  const anthropic = anthropicFromEnv();
  const deployment = deploymentFromEnv();
  let codeSeconds = 0;
  const [connection, code] = await Promise.all([
    NativeConnection.connect(settings.connectionOptions),
    loadWorkflowBundle({ logger: Runtime.instance().logger }).finally(
      () => (codeSeconds = process.uptime() - loadedSeconds),
    ),
  ]);
  const versioning = deployment ? workerDeploymentOptions(deployment, code.sourceHash) : undefined;
  const worker = await createBatchWorker({
    connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    anthropic,
    workflowBundle: code.bundle,
    ...(versioning
      ? { deployment: { name: versioning.version.deploymentName, buildId: versioning.version.buildId } }
      : {}),
  });
  console.log(
    [
      `claude-batch worker: ${String(settings.connectionOptions.address)} namespace ${settings.namespace}, task queue ${settings.taskQueue}, API ${anthropic.baseURL}`,
      `  workflow code: ${code.origin === 'prebuilt' ? 'prebuilt bundle' : 'bundled at start'} (sources ${code.sourceHash.slice(0, 16)})`,
      versioning
        ? `  deployment ${versioning.version.deploymentName}, build ${versioning.version.buildId} (${batchJobVersioningBehavior})`
        : '  unversioned (set CLAUDE_BATCH_DEPLOYMENT for Worker Versioning)',
      // Where a start's time goes, for whoever tunes start-up (npm run bench prints it).
      `  ready in ${process.uptime().toFixed(1)} s: modules ${loadedSeconds.toFixed(1)} s, workflow code ${codeSeconds.toFixed(1)} s, connect and create ${(process.uptime() - loadedSeconds - codeSeconds).toFixed(1)} s`,
    ].join('\n'),
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
