// `claude-batch build`: documents plus a prompt template → a requests JSONL.
import { Command } from 'commander';
import { buildRequests } from '../build-requests';
import type { CliContext } from '../context';

export interface BuildFlags {
  template: string;
  output: string;
  model: string;
  maxTokens: string;
  system?: string;
}

export async function build(ctx: CliContext, documents: string[], flags: BuildFlags): Promise<void> {
  const built = await buildRequests({
    template: flags.template,
    inputs: documents,
    output: flags.output,
    model: flags.model,
    maxTokens: Number(flags.maxTokens),
    ...(flags.system ? { system: flags.system } : {}),
  });
  ctx.print(`${built.output}: ${built.requests} requests`, built);
}

export function buildCommand(ctx: CliContext): Command {
  return new Command('build')
    .argument('<documents...>')
    .description('turn documents (files or folders) plus a prompt template into a requests JSONL')
    .requiredOption(
      '-t, --template <prompt.txt>',
      'the prompt; {{document}} is replaced by each document, {{filename}} by its name',
    )
    .requiredOption('-o, --output <requests.jsonl>', 'the requests file to write')
    .option('--model <model>', 'model', 'claude-sonnet-4-5')
    .option('--max-tokens <n>', 'max_tokens', '1024')
    .option('--system <text>', 'system prompt')
    .action((documents: string[], flags: BuildFlags) => build(ctx, documents, flags));
}
