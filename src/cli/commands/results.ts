// `claude-batch results`: a finished job's results.jsonl, printed or copied.
import { copyFile, readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { CliContext } from '../context';
import { unpricedCostWarning } from '../format';

export interface ResultsFlags {
  to?: string;
}

export async function results(ctx: CliContext, workflowId: string, flags: ResultsFlags): Promise<void> {
  const jobs = await ctx.connect();
  const { resultsPath, summary } = await jobs.result(workflowId);
  const warning = unpricedCostWarning(summary.cost.unpricedModels);
  if (warning) console.error(`claude-batch: WARNING: ${warning}`);
  if (flags.to) {
    await copyFile(resultsPath, flags.to);
    ctx.print(`copied ${resultsPath} to ${flags.to}`, { from: resultsPath, to: flags.to });
  } else {
    process.stdout.write(await readFile(resultsPath));
  }
}

export function resultsCommand(ctx: CliContext): Command {
  return new Command('results')
    .argument('<workflowId>')
    .description("print a finished job's results.jsonl, or copy it with --to")
    .option('--to <file>', 'copy the results file here')
    .action((id: string, flags: ResultsFlags) => results(ctx, id, flags));
}
