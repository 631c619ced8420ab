// `claude-batch results`: a job's results.jsonl, printed or copied; a canceled job's results so far.
import { copyFile, readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { CliContext } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { unpricedCostWarning } from '../format';
import { endSentence, exitCodeOf, jobEndOf } from '../job-end';
import { jobNow, runningWords } from '../job-status';

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
  if (flags.to) {
    await copyFile(resultsPath, flags.to);
    ctx.print(`copied ${resultsPath} to ${flags.to}`, { from: resultsPath, to: flags.to, outcome: end.outcome });
  } else {
    process.stdout.write(await readFile(resultsPath));
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
