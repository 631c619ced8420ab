// `npm run emulator -- --port 4010`: the emulator as a standalone server for any Anthropic SDK or curl.
import { Command, InvalidArgumentError, Option } from 'commander';
import { startEmulator } from './server';
import type { CountsWhileRunning, ResultsOrder, Scenario } from './types';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number');
  return n;
}

interface CliOptions {
  port: number;
  host: string;
  dataDir?: string;
  apiKey?: string;
  rate?: number;
  quiet?: boolean;
  resultsOrder?: ResultsOrder;
  countsWhileRunning?: CountsWhileRunning;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('emulator')
    .description("A local emulator of Anthropic's Message Batches API, for the official SDKs (Python and TypeScript).")
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', integer, 4010)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'keep batches in this folder so they survive a restart (in memory otherwise)')
    .option('--api-key <key>', 'accept only this key (any non-empty key otherwise)')
    .option('--rate <n>', 'requests processed per second per batch (default 200)', positive)
    .option('-q, --quiet', 'do not log each batch')
    .addOption(
      new Option('--results-order <order>', 'order of result lines (default shuffled, seeded per batch)').choices([
        'shuffled',
        'request',
      ]),
    )
    .addOption(
      new Option('--counts-while-running <counts>', 'request_counts before a batch ends (default filling)').choices([
        'filling',
        'zero-until-ended',
      ]),
    )
    .parse();
  const opts = program.opts<CliOptions>();
  const scenario: Scenario = {
    ...(opts.resultsOrder !== undefined ? { resultsOrder: opts.resultsOrder } : {}),
    ...(opts.countsWhileRunning !== undefined ? { countsWhileRunning: opts.countsWhileRunning } : {}),
  };
  const emulator = await startEmulator({
    port: opts.port,
    host: opts.host,
    ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
    ...(opts.apiKey !== undefined ? { apiKey: opts.apiKey } : {}),
    ...(opts.rate !== undefined ? { requestsPerSecond: opts.rate } : {}),
    scenario,
    ...(opts.quiet ? {} : { log: (line: string) => console.log(`[emulator] ${line}`) }),
  });
  console.log(`Message Batches API emulator on ${emulator.url}`);
  console.log('Point an Anthropic SDK at it:');
  console.log(`  export ANTHROPIC_BASE_URL=${emulator.url}`);
  console.log(`  export ANTHROPIC_API_KEY=${opts.apiKey ?? 'anything'}`);
  console.log(`  (or new Anthropic({ baseURL: '${emulator.url}', apiKey: '...' }))`);
  console.log(opts.dataDir ? `Batches are kept in ${opts.dataDir}.` : 'Batches are kept in memory.');
  const stop = (signal: string) => {
    console.log(`${signal}: shutting down`);
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
