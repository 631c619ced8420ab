// `claude-batch worker`: run a worker configured from flags and the environment.
import { Command } from 'commander';
import { temporalSettingsFromEnv } from '../../connection';
import { runWorkerFromEnv } from '../../worker';
import { CliError, EXIT } from '../exit-codes';

/** `--address` and `--namespace` are the global flags every command takes: already in the environment here. */
export interface WorkerFlags {
  taskQueue: string;
  deployment?: string;
  buildId?: string;
}

export async function worker(flags: WorkerFlags): Promise<void> {
  process.env.CLAUDE_BATCH_TASK_QUEUE = flags.taskQueue;
  if (flags.deployment) process.env.CLAUDE_BATCH_DEPLOYMENT = flags.deployment;
  if (flags.buildId) process.env.CLAUDE_BATCH_BUILD_ID = flags.buildId;
  await runWorkerFromEnv().catch((err: unknown) => {
    // The worker's native connection says it in Rust's words: say which server, and what to do.
    if (err instanceof Error && /tcp connect error|transport error|Transport/i.test(err.message)) {
      const address = temporalSettingsFromEnv(process.env).connectionOptions.address ?? 'localhost:7233';
      throw new CliError(
        `cannot reach Temporal at ${address} (${/ConnectionRefused/.test(err.message) ? 'connection refused' : err.message}): start one here with \`claude-batch dev\`, or name yours with --address or TEMPORAL_ADDRESS`,
        EXIT.error,
      );
    }
    throw err;
  });
}

export function workerCommand(): Command {
  return new Command('worker')
    .description(
      'run a worker (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_*, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL)',
    )
    .option('--task-queue <queue>', 'task queue', 'claude-batch')
    .option(
      '--deployment <name>',
      'Worker Versioning: the Worker Deployment (CLAUDE_BATCH_DEPLOYMENT); default unversioned',
    )
    .option('--build-id <id>', "this build's id (CLAUDE_BATCH_BUILD_ID); default the workflow sources' hash")
    .action((flags: WorkerFlags) => worker(flags));
}
