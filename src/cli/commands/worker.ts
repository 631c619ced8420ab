// `claude-batch worker`: run a worker configured from flags and the environment.
import { Command } from 'commander';
import { runWorkerFromEnv } from '../../worker';

export interface WorkerFlags {
  address?: string;
  namespace?: string;
  taskQueue: string;
  deployment?: string;
  buildId?: string;
}

export async function worker(flags: WorkerFlags): Promise<void> {
  if (flags.address) process.env.TEMPORAL_ADDRESS = flags.address;
  if (flags.namespace) process.env.TEMPORAL_NAMESPACE = flags.namespace;
  process.env.CLAUDE_BATCH_TASK_QUEUE = flags.taskQueue;
  if (flags.deployment) process.env.CLAUDE_BATCH_DEPLOYMENT = flags.deployment;
  if (flags.buildId) process.env.CLAUDE_BATCH_BUILD_ID = flags.buildId;
  await runWorkerFromEnv();
}

export function workerCommand(): Command {
  return new Command('worker')
    .description(
      'run a worker (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_*, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL)',
    )
    .option('--address <host:port>', 'Temporal frontend')
    .option('--namespace <ns>', 'Temporal namespace')
    .option('--task-queue <queue>', 'task queue', 'claude-batch')
    .option(
      '--deployment <name>',
      'Worker Versioning: the Worker Deployment (CLAUDE_BATCH_DEPLOYMENT); default unversioned',
    )
    .option('--build-id <id>', "this build's id (CLAUDE_BATCH_BUILD_ID); default the workflow sources' hash")
    .action((flags: WorkerFlags) => worker(flags));
}
