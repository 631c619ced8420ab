#!/usr/bin/env node
// `claude-batch`: run, watch and manage batch jobs from a terminal. A thin layer over the typed client: this file
// only wires the commands (one module each under ./commands) to the command line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { WorkflowNotFoundError } from '@temporalio/client';
import { priceFromEnvCatalogue } from '../models/load-catalogue';
import { addConnectionOptions, cliContext } from './context';
import { CliError, EXIT } from './exit-codes';
import { buildCommand } from './commands/build';
import { cancelCommand } from './commands/cancel';
import { approveCommand, budgetCommand, checkCommand, pauseCommand, resumeCommand } from './commands/control';
import { demoCommand, devCommand } from './commands/dev';
import { estimateCommand } from './commands/estimate';
import { listCommand } from './commands/list';
import { resultsCommand } from './commands/results';
import { runCommand } from './commands/run';
import { startCommand } from './commands/start';
import { statusCommand } from './commands/status';
import { validateCommand } from './commands/validate';
import { watchCommand } from './commands/watch';
import { workerCommand } from './commands/worker';

const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  version: string;
};

const program = addConnectionOptions(
  new Command('claude-batch')
    .description('Durable, cost-halving bulk processing for Claude: Message Batches jobs run by Temporal.')
    .version(version)
    .option('--json', 'machine-readable output (errors too: {"error": {...}} on stdout)'),
)
  .configureHelp({ showGlobalOptions: true })
  .showHelpAfterError()
  // Commander's own refusals (an unknown flag, a missing argument, a bad value) are bad input: exit 2, not 1.
  .exitOverride();
const ctx = cliContext(program);

for (const command of [
  runCommand(ctx),
  startCommand(ctx),
  statusCommand(ctx),
  watchCommand(ctx),
  resultsCommand(ctx),
  cancelCommand(ctx),
  pauseCommand(ctx),
  resumeCommand(ctx),
  approveCommand(ctx),
  checkCommand(ctx),
  budgetCommand(ctx),
  listCommand(ctx),
  validateCommand(ctx),
  buildCommand(ctx),
  estimateCommand(ctx),
  workerCommand(),
  devCommand(),
  demoCommand(ctx),
]) {
  program.addCommand(command.copyInheritedSettings(program));
}

// Costs this CLI prints are priced from the user's catalogue (CLAUDE_BATCH_MODELS) when one is set.
priceFromEnvCatalogue();
program.parseAsync().catch((err: unknown) => {
  if (err instanceof CommanderError) {
    // Commander has said what is wrong (or printed the help or version asked for).
    const code = err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    if (code !== EXIT.ok && ctx.json())
      console.log(JSON.stringify({ error: { message: err.message, exitCode: code } }));
    process.exit(code);
  }
  const failure = asCliError(err);
  console.error(`claude-batch: ${failure.message}`);
  if (process.env.CLAUDE_BATCH_DEBUG && err instanceof Error) console.error(err.stack);
  if (ctx.json() && !failure.jsonPrinted) {
    console.log(JSON.stringify({ error: { message: failure.message, exitCode: failure.exitCode } }, null, 2));
  }
  process.exit(failure.exitCode);
});

/** Any error as the one sentence and exit code the user gets; the server's own message is never hidden. */
function asCliError(err: unknown): CliError {
  if (err instanceof CliError) return err;
  if (err instanceof WorkflowNotFoundError) {
    const { address, namespace } = ctx.server();
    return new CliError(
      `no job ${err.workflowId} on ${address} (namespace ${namespace}): \`claude-batch list\` shows the recent ones`,
      EXIT.badInput,
    );
  }
  const chain: string[] = [];
  for (let e: unknown = err; e instanceof Error && chain.length < 5; e = e.cause) {
    if (!chain.some((m) => m.includes(e.message))) chain.push(e.message);
  }
  return new CliError(chain.join(': ') || String(err), EXIT.error);
}
