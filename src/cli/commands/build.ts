// `claude-batch build`: documents plus a prompt template → a requests JSONL and its manifest, offline. The same code as
// a job's build step, so the preview is what a job given the same source would send.
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { BuildReport } from '../../shared/job';
import { buildRequestsFromDocuments, DocumentSourceError } from '../../sources/build-requests';
import { isS3Uri, StorageRouter } from '../../storage/router';
import type { JobStorage } from '../../storage/storage';
import { UserError, type CliContext } from '../context';

export interface BuildFlags {
  template: string;
  output: string;
  manifest?: string;
  include: string[];
  exclude: string[];
  model: string;
  maxTokens: number;
  system?: string;
}

/** A path as the user means it from where they stand; `s3://` references as they are. */
const refOf = (path: string) => (isS3Uri(path) ? path : resolve(path)).replace(/(.)\/+$/, '$1');

/** `requests.jsonl` → `requests.manifest.jsonl`. */
const manifestBeside = (output: string) => output.replace(/(\.jsonl)?$/, '.manifest.jsonl');

export async function build(
  ctx: CliContext,
  documents: string,
  flags: BuildFlags,
  storage: JobStorage = new StorageRouter(),
): Promise<BuildReport> {
  const folder = refOf(documents);
  const requests = refOf(flags.output);
  const manifest = refOf(flags.manifest ?? manifestBeside(flags.output));
  for (const written of [requests, manifest]) {
    if (written.startsWith(`${folder}/`)) {
      throw new UserError(
        `${written} lies inside the documents folder ${folder}: the next build would read it as a document; write it elsewhere`,
      );
    }
  }
  let report: BuildReport;
  try {
    report = await buildRequestsFromDocuments(storage, {
      source: { documents: folder, template: refOf(flags.template), include: flags.include, exclude: flags.exclude },
      defaults: { model: flags.model, max_tokens: flags.maxTokens, ...(flags.system ? { system: flags.system } : {}) },
      requests,
      manifest,
    });
  } catch (err) {
    throw err instanceof DocumentSourceError ? new UserError(err.message) : err;
  }
  const { binary, empty, excluded } = report.skipped;
  ctx.print(
    [
      `${report.requests}: ${report.documents} requests, one per document`,
      `skipped: ${binary} binary, ${empty} empty, ${excluded} left out by include/exclude`,
      `manifest: ${report.manifest} (custom_id → document)`,
    ].join('\n'),
    report,
  );
  return report;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError(`a whole number of at least 1, not ${value}`);
  return n;
}

export function buildCommand(ctx: CliContext): Command {
  return new Command('build')
    .argument('<folder>', 'the documents: a folder (or s3:// prefix), read recursively')
    .description('turn a folder of documents plus a prompt template into a requests JSONL and its manifest')
    .requiredOption(
      '-t, --template <prompt.txt>',
      'the prompt; {{document}} is replaced by each document, {{filename}} by its name, {{path}} by its path below the folder',
    )
    .requiredOption('-o, --output <requests.jsonl>', 'the requests file to write')
    .option('--manifest <file>', 'where the manifest (custom_id → document) goes (default: <output>.manifest.jsonl)')
    .option('--include <glob>', 'only documents matching it (repeatable; `*.md` matches at any depth)', collect, [])
    .option('--exclude <glob>', 'leave out documents matching it (repeatable), e.g. drafts/**', collect, [])
    .option('--model <model>', 'model', 'claude-sonnet-4-5')
    .option('--max-tokens <n>', 'max_tokens', positiveInt, 1024)
    .option('--system <text>', 'system prompt')
    .action(async (documents: string, flags: BuildFlags) => {
      await build(ctx, documents, flags);
    });
}
