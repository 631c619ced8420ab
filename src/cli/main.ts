#!/usr/bin/env node
// `claude-batch`: run, watch and manage batch jobs from a terminal. A thin layer over the typed client.
import { copyFile, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { BatchJobClient, workflowIdFor } from '../client';
import { createReadStream } from 'node:fs';
import { describeProblems, scanRequests } from '../requests/scan-requests';
import { buildRequests } from './build-requests';
import { estimateCost, unpricedWarning } from './estimate';
import { loadCatalogue } from '../models/load-catalogue';
import type { ModelCatalogue } from '../models/catalogue';
import { followJob } from './follow';
import { progressLine, summaryTable, unpricedCostWarning, usd, webUiLink } from './format';
import { startDevStack, type DevStack } from './dev-stack';
import { runWorkerFromEnv, anthropicFromEnv } from '../worker';
import type { BatchJobInput, BatchJobResult, JobProgress, RequestDefaults } from '../shared/job';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { JobInputError, resolveJobOptions } from '../shared/options';
import { runDemo } from './demo';
import { priceFromEnvCatalogue } from '../models/load-catalogue';

/** A mistake the user can fix: printed as one sentence, no stack trace. */
class UserError extends Error {}

const program = new Command('claude-batch')
  .description('Durable, cost-halving bulk processing for Claude: Message Batches jobs run by Temporal.')
  .option('--json', 'machine-readable output')
  .showHelpAfterError();

const json = () => Boolean(program.opts<{ json?: boolean }>().json);
const print = (human: string, data: unknown) => console.log(json() ? JSON.stringify(data, null, 2) : human);
const jobLink = (id: string) =>
  webUiLink(process.env.TEMPORAL_UI_URL ?? 'http://localhost:8233', id, process.env.TEMPORAL_NAMESPACE ?? 'default');

interface JobFlags {
  output?: string;
  model?: string;
  maxTokens?: string;
  system?: string;
  name?: string;
  id?: string;
  maxRetryRounds?: string;
  chunkSize?: string;
  pollInterval?: string;
  maxPollInterval?: string;
  budget?: string;
}

function jobOptions(cmd: Command): Command {
  return cmd
    .option('-o, --output <folder>', 'where results.jsonl and summary.json go (default: next to the input)')
    .option('--model <model>', 'default model for requests that name none')
    .option('--max-tokens <n>', 'default max_tokens for requests that set none')
    .option('--system <text>', 'default system prompt')
    .option('--name <name>', 'a name for the job (its workflow id derives from it)')
    .option('--id <workflowId>', 'the workflow id (starting the same id twice does not run the job twice)')
    .option('--max-retry-rounds <n>', 'retry rounds for expired and transient errors', '3')
    .option('--chunk-size <n>', 'requests per batch (at most 100000)')
    .option('--poll-interval <duration>', 'first wait between checks of a batch, e.g. 30s (default 1 minute)')
    .option('--max-poll-interval <duration>', 'longest wait between checks (default 10 minutes)')
    .option('--budget <usd>', 'the most the job may spend at batch prices; over it, it waits for `approve`');
}

function inputOf(file: string, flags: JobFlags): BatchJobInput {
  const defaults: RequestDefaults = {
    ...(flags.model ? { model: flags.model } : {}),
    ...(flags.maxTokens ? { max_tokens: Number(flags.maxTokens) } : {}),
    ...(flags.system ? { system: flags.system } : {}),
  };
  return {
    requests: resolve(file),
    ...(flags.output ? { output: resolve(flags.output) } : {}),
    ...(Object.keys(defaults).length > 0 ? { defaults } : {}),
    ...(flags.name ? { name: flags.name } : {}),
    ...(flags.maxRetryRounds ? { maxRetryRounds: Number(flags.maxRetryRounds) } : {}),
    ...(flags.chunkSize ? { chunk: { maxRequests: Number(flags.chunkSize) } } : {}),
    ...(flags.budget !== undefined ? { budgetUsd: Number(flags.budget) } : {}),
    ...(flags.pollInterval || flags.maxPollInterval
      ? {
          polling: {
            ...(flags.pollInterval ? { initialInterval: flags.pollInterval } : {}),
            ...(flags.maxPollInterval ? { maxInterval: flags.maxPollInterval } : {}),
          },
        }
      : {}),
  };
}

/**
 * Checks the file the way the workflow will, so mistakes show before a job starts; `validate` also refuses models the
 * catalogue does not know (the job sends them, unpriced: `start` warns).
 */
async function validateFile(
  file: string,
  defaults: RequestDefaults = {},
  models: { catalogue?: ModelCatalogue; unknownModels?: 'problem' | 'allow' } = {},
): Promise<number> {
  const report = await scanRequests(createReadStream(file), {
    defaults,
    ...(models.catalogue ? { catalogue: models.catalogue } : {}),
    unknownModels: models.unknownModels ?? 'allow',
  }).catch((err: NodeJS.ErrnoException) => {
    const reason: Record<string, string> = {
      ENOENT: 'no such file',
      EISDIR: 'is a folder, not a requests file (give the path of a JSONL file)',
    };
    throw new UserError(`${file}: ${(err.code && reason[err.code]) ?? err.message}`);
  });
  if (report.problemCount > 0) throw new UserError(describeProblems(file, report));
  for (const u of report.unknownModels) {
    console.error(
      `warning: ${u.requests} request${u.requests === 1 ? '' : 's'} (first on line ${u.firstLine}) name ${u.model}, a model not in the model catalogue: the API decides whether it exists, and its cost will not be counted (add it to CLAUDE_BATCH_MODELS's file)`,
    );
  }
  return report.requests;
}

/** The catalogue a command runs with: --models over CLAUDE_BATCH_MODELS over the built-in one. */
function catalogueFor(file: string | undefined): ModelCatalogue {
  try {
    return loadCatalogue(file ? { file } : {});
  } catch (err) {
    throw new UserError((err as Error).message);
  }
}

async function start(file: string, flags: JobFlags): Promise<{ jobs: BatchJobClient; workflowId: string }> {
  const input = inputOf(file, flags);
  const workflowId = flags.id ?? workflowIdFor(flags.name ?? `${input.requests.split('/').pop()}-${Date.now()}`);
  try {
    // The workflow's own check of its input, so a bad option is reported here rather than as a failed job.
    resolveJobOptions(input, workflowId);
  } catch (err) {
    throw err instanceof JobInputError ? new UserError(err.message) : err;
  }
  await validateFile(input.requests, input.defaults);
  const jobs = await BatchJobClient.fromEnv();
  await jobs.startBatchJob(input, { workflowId, searchAttributes: process.env.CLAUDE_BATCH_SEARCH_ATTRIBUTES !== '0' });
  return { jobs, workflowId };
}

function printResult(result: BatchJobResult, workflowId: string): void {
  print(`\n${summaryTable(result.summary, result.resultsPath)}\n  web ui     ${jobLink(workflowId)}`, result);
}

jobOptions(
  program.command('run <requests>').description('start a job and follow it with a live progress bar until it ends'),
)
  .option('--cancel-on-interrupt', 'Ctrl-C cancels the job instead of detaching')
  .action(async (file: string, flags: JobFlags & { cancelOnInterrupt?: boolean }) => {
    const { jobs, workflowId } = await start(file, flags);
    console.error(`started ${workflowId} — ${jobLink(workflowId)}`);
    process.once('SIGINT', () => {
      if (flags.cancelOnInterrupt) {
        console.error(`\ncanceling ${workflowId}: its batches are canceled and what finished is reported`);
        void jobs.cancel(workflowId);
        return;
      }
      console.error(`\ndetached; the job goes on. Re-attach with: claude-batch watch ${workflowId}`);
      process.exit(130);
    });
    printResult(await followJob(jobs, workflowId, { plain: json() || !process.stderr.isTTY }), workflowId);
  });

jobOptions(
  program.command('start <requests>').description('start a job and return (prints the workflow id and Web UI link)'),
).action(async (file: string, flags: JobFlags) => {
  const { workflowId } = await start(file, flags);
  print(`${workflowId}\n${jobLink(workflowId)}`, { workflowId, webUi: jobLink(workflowId) });
});

program
  .command('status <workflowId>')
  .description("a job's current progress")
  .action(async (id: string) => {
    const jobs = await BatchJobClient.fromEnv();
    const progress = await jobs.getProgress(id);
    print(progressLine(progress), progress);
  });

program
  .command('watch <workflowId>')
  .description('follow a running job until it ends')
  .action(async (id: string) => {
    const jobs = await BatchJobClient.fromEnv();
    printResult(await followJob(jobs, id, { plain: json() || !process.stderr.isTTY }), id);
  });

program
  .command('results <workflowId>')
  .description("print a finished job's results.jsonl, or copy it with --to")
  .option('--to <file>', 'copy the results file here')
  .action(async (id: string, flags: { to?: string }) => {
    const jobs = await BatchJobClient.fromEnv();
    const { resultsPath, summary } = await jobs.result(id);
    const warning = unpricedCostWarning(summary.cost.unpricedModels);
    if (warning) console.error(`claude-batch: WARNING: ${warning}`);
    if (flags.to) {
      await copyFile(resultsPath, flags.to);
      print(`copied ${resultsPath} to ${flags.to}`, { from: resultsPath, to: flags.to });
    } else {
      process.stdout.write(await readFile(resultsPath));
    }
  });

program
  .command('cancel <workflowId>')
  .description('cancel a job: its live batches are canceled at the API and what finished is reported')
  .action(async (id: string) => {
    const jobs = await BatchJobClient.fromEnv();
    await jobs.cancel(id);
    print(`cancel requested for ${id}`, { workflowId: id, cancelRequested: true });
  });

/** One remote-control command: sends the update, prints the job's progress as it answers. */
function control(name: string, description: string, send: (jobs: BatchJobClient, id: string) => Promise<JobProgress>) {
  program
    .command(`${name} <workflowId>`)
    .description(description)
    .action(async (id: string) => {
      const jobs = await BatchJobClient.fromEnv();
      const progress = await send(jobs, id).catch((err: unknown) => {
        // A refused update (nothing to approve, a job that ended) is the operator's to read, not a crash.
        throw err instanceof WorkflowUpdateFailedError
          ? new UserError(`${name} refused: ${err.cause?.message ?? err.message}`)
          : err;
      });
      print(progressLine(progress), progress);
    });
}
control('pause', 'submit nothing new (live batches go on and are collected) until resume', (j, id) => j.pause(id));
control('resume', 'submit again after pause', (j, id) => j.resume(id));
control('approve', 'let a job held over its budget (awaiting-approval) send its round', (j, id) => j.approve(id));
control('check', 'check the live batches now and print what the check found', (j, id) => j.checkNowAndWait(id));
program
  .command('budget <workflowId> <usd>')
  .description("set a job's budget in US dollars; a hold the new budget covers is released")
  .action(async (id: string, usd: string) => {
    const jobs = await BatchJobClient.fromEnv();
    const progress = await jobs.setBudget(id, Number(usd)).catch((err: unknown) => {
      throw err instanceof WorkflowUpdateFailedError
        ? new UserError(`budget refused: ${err.cause?.message ?? err.message}`)
        : err;
    });
    print(progressLine(progress), progress);
  });

program
  .command('list')
  .description('recent batch jobs')
  .option('-n, --limit <n>', 'how many', '20')
  .action(async (flags: { limit: string }) => {
    const jobs = await BatchJobClient.fromEnv();
    const list = await jobs.list(Number(flags.limit));
    print(
      list
        .map((j) => `${j.workflowId}  ${j.status}${j.phase ? ` (${j.phase})` : ''}  ${j.startTime.toISOString()}`)
        .join('\n') || 'no batch jobs',
      list,
    );
  });

program
  .command('validate <requests>')
  .description('check a requests file offline: the same checks as the workflow, with line numbers')
  .option('--model <model>', 'default model (as the job would merge it)')
  .option('--max-tokens <n>', 'default max_tokens')
  .option('--models <catalogue.json>', 'your own model catalogue over ours (as CLAUDE_BATCH_MODELS)')
  .action(async (file: string, flags: { model?: string; maxTokens?: string; models?: string }) => {
    const n = await validateFile(
      file,
      {
        ...(flags.model ? { model: flags.model } : {}),
        ...(flags.maxTokens ? { max_tokens: Number(flags.maxTokens) } : {}),
      },
      { catalogue: catalogueFor(flags.models), unknownModels: 'problem' },
    );
    print(`${file}: ${n} valid requests`, { file, requests: n, problems: [] });
  });

program
  .command('build <documents...>')
  .description('turn documents (files or folders) plus a prompt template into a requests JSONL')
  .requiredOption(
    '-t, --template <prompt.txt>',
    'the prompt; {{document}} is replaced by each document, {{filename}} by its name',
  )
  .requiredOption('-o, --output <requests.jsonl>', 'the requests file to write')
  .option('--model <model>', 'model', 'claude-sonnet-4-5')
  .option('--max-tokens <n>', 'max_tokens', '1024')
  .option('--system <text>', 'system prompt')
  .action(
    async (
      documents: string[],
      flags: { template: string; output: string; model: string; maxTokens: string; system?: string },
    ) => {
      const built = await buildRequests({
        template: flags.template,
        inputs: documents,
        output: flags.output,
        model: flags.model,
        maxTokens: Number(flags.maxTokens),
        ...(flags.system ? { system: flags.system } : {}),
      });
      print(`${built.output}: ${built.requests} requests`, built);
    },
  );

program
  .command('estimate <requests>')
  .description('tokens and cost at batch vs standard prices, before anything is sent')
  .option('--count-tokens', "count input tokens with the API's free count_tokens endpoint instead of estimating")
  .option('--model <model>', 'default model')
  .option('--max-tokens <n>', 'default max_tokens')
  .option('--models <catalogue.json>', 'your own model catalogue over ours (as CLAUDE_BATCH_MODELS)')
  .action(
    async (file: string, flags: { countTokens?: boolean; model?: string; maxTokens?: string; models?: string }) => {
      const catalogue = catalogueFor(flags.models);
      const e = await estimateCost(
        file,
        {
          ...(flags.model ? { model: flags.model } : {}),
          ...(flags.maxTokens ? { max_tokens: Number(flags.maxTokens) } : {}),
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
      if (warning && json()) console.error(warning);
      print(
        [
          `${e.requests} requests, ${e.inputTokens} input tokens (${e.counted}), at most ${e.maxOutputTokens} output tokens`,
          `batch:    ${usd(e.batchUsd.input)} input + at most ${usd(e.batchUsd.maxOutput)} output`,
          `standard: ${usd(e.standardUsd.input)} input + at most ${usd(e.standardUsd.maxOutput)} output`,
          ...(warning ? [warning] : []),
        ].join('\n'),
        e,
      );
    },
  );

program
  .command('worker')
  .description(
    'run a worker (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TLS_*, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL)',
  )
  .option('--address <host:port>', 'Temporal frontend')
  .option('--namespace <ns>', 'Temporal namespace')
  .option('--task-queue <queue>', 'task queue', 'claude-batch')
  .action(async (flags: { address?: string; namespace?: string; taskQueue: string }) => {
    if (flags.address) process.env.TEMPORAL_ADDRESS = flags.address;
    if (flags.namespace) process.env.TEMPORAL_NAMESPACE = flags.namespace;
    process.env.CLAUDE_BATCH_TASK_QUEUE = flags.taskQueue;
    await runWorkerFromEnv();
  });

function devOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <folder>', 'where the dev server and emulator keep their state', '.data')
    .addOption(new Option('--port <n>', 'Temporal gRPC port').default('7233'))
    .addOption(new Option('--ui-port <n>', 'Web UI port').default('8233'))
    .addOption(new Option('--emulator-port <n>', 'emulator port').default('4010'));
}

async function devStack(flags: {
  dataDir: string;
  port: string;
  uiPort: string;
  emulatorPort: string;
}): Promise<DevStack> {
  const stack = await startDevStack({
    dataDir: flags.dataDir,
    port: Number(flags.port),
    uiPort: Number(flags.uiPort),
    emulatorPort: Number(flags.emulatorPort),
  });
  process.env.TEMPORAL_ADDRESS = stack.address;
  process.env.TEMPORAL_UI_URL = stack.webUi;
  return stack;
}

devOptions(
  program
    .command('dev')
    .description('Temporal dev server + Web UI, the emulator (without ANTHROPIC_API_KEY) and a worker'),
).action(async (flags: { dataDir: string; port: string; uiPort: string; emulatorPort: string }) => {
  const stack = await devStack(flags);
  console.log(
    [
      `Temporal   ${stack.address}`,
      `Web UI     ${stack.webUi}`,
      `API        ${stack.apiUrl}${stack.usingEmulator ? ' (emulator: ANTHROPIC_BASE_URL=' + stack.apiUrl + ')' : ''}`,
      `worker     task queue claude-batch`,
      'Ctrl-C stops everything.',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await stack.shutdown();
});

devOptions(
  program
    .command('demo')
    .description('the embedded default: dev stack + a job on the sample requests, then the summary'),
)
  .option('--requests <file>', 'the requests to run', 'examples/requests.jsonl')
  .option('--keep-ui', 'keep the dev server and Web UI up after the job')
  .action(
    async (flags: {
      dataDir: string;
      port: string;
      uiPort: string;
      emulatorPort: string;
      requests: string;
      keepUi?: boolean;
    }) => {
      const stack = await devStack(flags);
      try {
        await runDemo(stack, { requests: flags.requests, keepUi: Boolean(flags.keepUi), json: json() });
      } finally {
        await stack.shutdown();
      }
    },
  );

// Costs this CLI prints are priced from the user's catalogue (CLAUDE_BATCH_MODELS) when one is set.
priceFromEnvCatalogue();
program.parseAsync().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`claude-batch: ${message}`);
  if (process.env.CLAUDE_BATCH_DEBUG && err instanceof Error) console.error(err.stack);
  process.exit(err instanceof UserError ? 2 : 1);
});
