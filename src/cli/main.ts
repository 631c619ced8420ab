#!/usr/bin/env node
// `claude-batch`: run, watch and manage batch jobs from a terminal. A thin layer over the typed client: this file
// only wires the commands (one module each under ./commands) to the command line.
import { Command } from 'commander';
import { priceFromEnvCatalogue } from '../models/load-catalogue';
import { cliContext, UserError } from './context';
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

const program = new Command('claude-batch')
  .description('Durable, cost-halving bulk processing for Claude: Message Batches jobs run by Temporal.')
  .option('--json', 'machine-readable output')
  .showHelpAfterError();
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
  const message = err instanceof Error ? err.message : String(err);
  console.error(`claude-batch: ${message}`);
  if (process.env.CLAUDE_BATCH_DEBUG && err instanceof Error) console.error(err.stack);
  process.exit(err instanceof UserError ? 2 : 1);
});
