// `claude-batch results`: a job's results.jsonl, printed or copied; a canceled job's results so far.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Command } from 'commander';
import type { CliContext } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { unpricedCostWarning } from '../format';
import { endSentence, exitCodeOf, jobEndOf } from '../job-end';
import { jobNow, runningWords } from '../job-status';
import { StorageRouter } from '../../storage/router';
import { StorageError } from '../../storage/storage';

export interface ResultsFlags {
  to?: string;
  wait?: boolean;
}

export async function results(ctx: CliContext, workflowId: string, flags: ResultsFlags): Promise<void> {
  const jobs = await ctx.connect();
  const end = flags.wait
    ? await jobEndOf(jobs, workflowId, jobs.result(workflowId))
    : await jobNow(jobs, workflowId).then((now) => {
        if (!now.running) return now.end;
        throw new CliError(
          `job ${workflowId} is still running (${runningWords(now.progress)}): wait for its results with \`claude-batch results ${workflowId} --wait\`, or follow it with \`claude-batch watch ${workflowId}\``,
          EXIT.running,
        );
      });
  const sentence = endSentence(end, workflowId);
  if (!('result' in end) || !end.result) throw new CliError(sentence ?? end.outcome, exitCodeOf(end));
  const { resultsPath, summary } = end.result;
  const warning = unpricedCostWarning(summary.cost.unpricedModels);
  if (warning) console.error(`claude-batch: WARNING: ${warning}`);
  // Streamed, from a local file or an s3:// object (read with this process's AWS settings): results of millions of
  // requests never sit whole in memory.
  const source = new StorageRouter().read(resultsPath);
  const copied = flags.to
    ? pipeline(source, createWriteStream(flags.to))
    : pipeline(source, process.stdout, { end: false });
  await copied.catch((err: unknown) => {
    throw err instanceof StorageError ? new CliError(err.message, EXIT.error) : err;
  });
  if (flags.to) {
    ctx.print(`copied ${resultsPath} to ${flags.to}`, { from: resultsPath, to: flags.to, outcome: end.outcome });
  }
  // The results are out; how the job ended is said on stderr and in the exit code.
  const code = exitCodeOf(end);
  if (code !== 0) throw new CliError(sentence ?? end.outcome, code, true);
}

export function resultsCommand(ctx: CliContext): Command {
  return new Command('results')
    .argument('<workflowId>')
    .description("print a job's results.jsonl (a canceled job's results so far), or copy it with --to")
    .option('--to <file>', 'copy the results file here')
    .option('--wait', 'wait for a running job to end instead of saying it is still running')
    .action((id: string, flags: ResultsFlags) => results(ctx, id, flags));
}
