// `claude-batch validate`: check a requests file offline, with line numbers.
import { Command } from 'commander';
import { catalogueFor, validateFile } from '../check-requests';
import type { CliContext } from '../context';

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
      ...(flags.maxTokens ? { max_tokens: Number(flags.maxTokens) } : {}),
    },
    { catalogue: catalogueFor(flags.models), unknownModels: 'problem' },
  );
  ctx.print(`${file}: ${n} valid requests`, { file, requests: n, problems: [] });
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
