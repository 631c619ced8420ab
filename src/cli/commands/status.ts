// `claude-batch status`: a job's state now: its progress while it runs, how it ended once it has.
import { Command } from 'commander';
import type { CliContext } from '../context';
import { CliError } from '../exit-codes';
import { progressLine } from '../format';
import { endSentence, exitCodeOf } from '../job-end';
import { jobNow, runningWords } from '../job-status';
import { endDocument } from '../report-end';

export async function status(ctx: CliContext, workflowId: string): Promise<void> {
  const jobs = await ctx.connect();
  const now = await jobNow(jobs, workflowId);
  if (now.running) {
    ctx.print(now.progress ? progressLine(now.progress) : `running: ${runningWords(now.progress)}`, {
      ...now.progress,
      workflowId,
      status: now.status,
    });
    return;
  }
  const sentence = endSentence(now.end, workflowId);
  ctx.print([now.end.outcome, ...(now.progress ? [progressLine(now.progress)] : [])].join(' · '), {
    ...now.progress,
    ...endDocument(now.end, workflowId),
    status: now.status,
  });
  const code = exitCodeOf(now.end);
  if (code !== 0) throw new CliError(sentence ?? now.end.outcome, code, ctx.json());
}

export function statusCommand(ctx: CliContext): Command {
  return new Command('status')
    .argument('<workflowId>')
    .description("a job's progress while it runs; once it has ended, how (exit code as for watch)")
    .action((id: string) => status(ctx, id));
}
