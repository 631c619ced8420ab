// One worker process of a chaos run: the project's worker (createBatchWorker, configured from the environment like
// `npm run worker`) with the workflow bundle the run built once, so that a replacement for a killed worker is
// polling within seconds instead of spending them on webpack.
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { temporalSettingsFromEnv } from '../src/connection';
import { anthropicFromEnv, createBatchWorker } from '../src/worker';

async function main(): Promise<void> {
  const codePath = process.env.CHAOS_WORKFLOW_BUNDLE;
  if (!codePath) throw new Error('CHAOS_WORKFLOW_BUNDLE is not set');
  // Failed attempts are the point of the run: the log keeps warnings and errors, not every poll.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const settings = temporalSettingsFromEnv();
  const connection = await NativeConnection.connect(settings.connectionOptions);
  const worker = await createBatchWorker({
    connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    anthropic: anthropicFromEnv(),
    workflowBundle: { codePath },
  });
  console.log(`chaos worker ${process.pid} polling ${settings.taskQueue}`);
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
