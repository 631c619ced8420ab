// `claude-batch estimate`: tokens and cost at batch vs standard prices, before anything is sent.
import { Command } from 'commander';
import { anthropicFromEnv } from '../../worker';
import { catalogueFor } from '../check-requests';
import { UserError, type CliContext } from '../context';
import { wholeNumber } from '../flags';
import { estimateCost, unpricedWarning } from '../estimate';
import { usd } from '../format';

export interface EstimateFlags {
  countTokens?: boolean;
  model?: string;
  maxTokens?: string;
  models?: string;
}

export async function estimate(ctx: CliContext, file: string, flags: EstimateFlags): Promise<void> {
  const catalogue = catalogueFor(flags.models);
  const e = await estimateCost(
    file,
    {
      ...(flags.model ? { model: flags.model } : {}),
      ...(flags.maxTokens ? { max_tokens: wholeNumber('--max-tokens', flags.maxTokens, 1) } : {}),
    },
    flags.countTokens ? anthropicFromEnv() : undefined,
    { catalogue },
  ).catch((err: unknown) => {
    throw err instanceof Error && / problems? found; no batch was created/.test(err.message)
      ? new UserError(err.message)
      : err;
  });
  const warning = unpricedWarning(e);
  // With --json the figures go to a program: the warning still reaches the person, on stderr.
  if (warning && ctx.json()) console.error(warning);
  ctx.print(
    [
      `${e.requests} requests, ${e.inputTokens} input tokens (${e.counted}), at most ${e.maxOutputTokens} output tokens`,
      `batch:    ${usd(e.batchUsd.input)} input + at most ${usd(e.batchUsd.maxOutput)} output`,
      `standard: ${usd(e.standardUsd.input)} input + at most ${usd(e.standardUsd.maxOutput)} output`,
      ...(warning ? [warning] : []),
    ].join('\n'),
    e,
  );
}

export function estimateCommand(ctx: CliContext): Command {
  return new Command('estimate')
    .argument('<requests>')
    .description('tokens and cost at batch vs standard prices, before anything is sent')
    .option('--count-tokens', "count input tokens with the API's free count_tokens endpoint instead of estimating")
    .option('--model <model>', 'default model')
    .option('--max-tokens <n>', 'default max_tokens')
    .option('--models <catalogue.json>', 'your own model catalogue over ours (as CLAUDE_BATCH_MODELS)')
    .action((file: string, flags: EstimateFlags) => estimate(ctx, file, flags));
}
