// `claude-batch dev` and `claude-batch demo`: the whole stack on one machine, and a job run through it.
import { Command, Option } from 'commander';
import type { CliContext } from '../context';
import { runDemo } from '../demo';
import { startDevStack, type DevStack } from '../dev-stack';

export interface DevFlags {
  dataDir: string;
  port: string;
  /** Default: the Temporal port plus 1000, where the Temporal CLI puts it (and where the other commands look). */
  uiPort?: string;
  emulatorPort: string;
  storage: 'local' | 's3';
  s3Port: string;
}

export interface DemoFlags extends DevFlags {
  requests: string;
  keepUi?: boolean;
}

function devOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <folder>', 'where the dev server and emulator keep their state', '.data')
    .addOption(new Option('--port <n>', 'Temporal gRPC port').default('7233'))
    .addOption(new Option('--ui-port <n>', 'Web UI port (default: the Temporal port plus 1000, so 8233)'))
    .addOption(new Option('--emulator-port <n>', 'emulator port').default('4010'))
    .addOption(
      new Option('--storage <kind>', 'where jobs may keep data: local files, or also an S3 store (versitygw)')
        .choices(['local', 's3'])
        .default('local'),
    )
    .addOption(new Option('--s3-port <n>', 'object store port (with --storage s3)').default('7070'));
}

async function devStack(flags: DevFlags): Promise<DevStack> {
  const stack = await startDevStack({
    dataDir: flags.dataDir,
    port: Number(flags.port),
    uiPort: flags.uiPort !== undefined ? Number(flags.uiPort) : Number(flags.port) + 1000,
    emulatorPort: Number(flags.emulatorPort),
    storage: flags.storage,
    s3Port: Number(flags.s3Port),
  });
  process.env.TEMPORAL_ADDRESS = stack.address;
  process.env.TEMPORAL_UI_URL = stack.webUi;
  return stack;
}

export async function dev(flags: DevFlags): Promise<void> {
  const stack = await devStack(flags);
  console.log(
    [
      `Temporal   ${stack.address}`,
      `Web UI     ${stack.webUi}`,
      `API        ${stack.apiUrl}${stack.usingEmulator ? ' (emulator: ANTHROPIC_BASE_URL=' + stack.apiUrl + ')' : ''}`,
      ...(stack.objectStore
        ? [
            `S3         ${stack.objectStore.endpoint} (versitygw), bucket ${stack.objectStore.bucket}: ` +
              `jobs may use s3://${stack.objectStore.bucket}/… for requests, output and work`,
          ]
        : []),
      `worker     task queue claude-batch`,
      '',
      'For the other commands, in another terminal:',
      `  export TEMPORAL_ADDRESS=${stack.address}`,
      `  export TEMPORAL_NAMESPACE=default`,
      `  export TEMPORAL_UI_URL=${stack.webUi}`,
      // The store's settings, for our CLI and any S3 client (aws s3 cp …) reading or writing the bucket.
      ...Object.entries(stack.objectStore?.env ?? {}).map(([name, value]) => `  export ${name}=${value}`),
      '',
      'Ctrl-C stops everything.',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stack.shutdown();
}

export async function demo(ctx: CliContext, flags: DemoFlags): Promise<void> {
  const stack = await devStack(flags);
  try {
    await runDemo(stack, ctx, { requests: flags.requests, keepUi: Boolean(flags.keepUi) });
  } finally {
    await stack.shutdown();
  }
}

export function devCommand(): Command {
  return devOptions(
    new Command('dev').description(
      'Temporal dev server + Web UI, the emulator (without ANTHROPIC_API_KEY) and a worker',
    ),
  ).action((flags: DevFlags) => dev(flags));
}

export function demoCommand(ctx: CliContext): Command {
  return devOptions(
    new Command('demo').description('the embedded default: dev stack + a job on the sample requests, then the summary'),
  )
    .option('--requests <file>', 'the requests to run', 'examples/requests.jsonl')
    .option('--keep-ui', 'keep the dev server and Web UI up after the job')
    .action((flags: DemoFlags) => demo(ctx, flags));
}
