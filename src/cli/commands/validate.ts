// `claude-batch validate`: check a requests file offline, with line numbers.
import { Command } from 'commander';
import { catalogueFor, RequestsProblemsError, validateFile } from '../check-requests';
import { CliError, EXIT } from '../exit-codes';
import type { CliContext } from '../context';
import { wholeNumber } from '../flags';

export interface ValidateFlags {
  model?: string;
  maxTokens?: string;
  models?: string;
}

export async function validate(ctx: CliContext, file: string, flags: ValidateFlags): Promise<void> {
  const n = await validateFile(
    file,
    {
      ...(flags.model ? { model: flags.model } : {}),
      ...(flags.maxTokens ? { max_tokens: wholeNumber('--max-tokens', flags.maxTokens, 1) } : {}),
    },
    { catalogue: catalogueFor(flags.models), unknownModels: 'problem' },
  ).catch((err: unknown) => {
    if (!(err instanceof RequestsProblemsError) || !ctx.json()) throw err;
    // The same document as a clean file's, with its problems: a program reads one shape either way.
    const { requests, problems, problemCount } = err.report;
    ctx.print('', { file, requests, problems, problemCount });
    throw new CliError(err.message, EXIT.badInput, true);
  });
  ctx.print(`${file}: ${n} valid requests`, { file, requests: n, problems: [], problemCount: 0 });
}

export function validateCommand(ctx: CliContext): Command {
  return new Command('validate')
    .argument('<requests>')
    .description('check a requests file offline: the same checks as the workflow, with line numbers')
    .option('--model <model>', 'default model (as the job would merge it)')
    .option('--max-tokens <n>', 'default max_tokens')
    .option('--models <catalogue.json>', 'your own model catalogue over ours (as CLAUDE_BATCH_MODELS)')
    .action((file: string, flags: ValidateFlags) => validate(ctx, file, flags));
}
