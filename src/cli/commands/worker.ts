// `claude-batch worker`: run a worker configured from flags and the environment.
import { Command } from 'commander';
import { runWorkerFromEnv } from '../../worker';

export interface WorkerFlags {
  address?: string;
  namespace?: string;
  taskQueue: string;
}

export async function worker(flags: WorkerFlags): Promise<void> {
  if (flags.address) process.env.TEMPORAL_ADDRESS = flags.address;
  if (flags.namespace) process.env.TEMPORAL_NAMESPACE = flags.namespace;
  process.env.CLAUDE_BATCH_TASK_QUEUE = flags.taskQueue;
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
    .action((flags: WorkerFlags) => worker(flags));
}
