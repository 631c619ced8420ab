// `claude-batch build`: documents plus a prompt template → a requests JSONL and its manifest, offline. The same code as
// a job's build step, so the preview is what a job given the same source would send.
import { Command, InvalidArgumentError } from 'commander';
import type { BuildReport } from '../../shared/job';
import { buildRequestsFromDocuments, DocumentSourceError } from '../../sources/build-requests';
import { StorageRouter } from '../../storage/router';
import type { JobStorage } from '../../storage/storage';
import { UserError, type CliContext } from '../context';
import { collect, DOCUMENT_DEFAULTS, refOf, sourceOf } from '../document-source';

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
      source: sourceOf(documents, flags),
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
    .option('--model <model>', 'model', DOCUMENT_DEFAULTS.model)
    .option('--max-tokens <n>', 'max_tokens', positiveInt, DOCUMENT_DEFAULTS.max_tokens)
    .option('--system <text>', 'system prompt')
    .action(async (documents: string, flags: BuildFlags) => {
      await build(ctx, documents, flags);
    });
}
