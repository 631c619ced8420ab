// Reading catalogue files: the user's own (CLAUDE_BATCH_MODELS, or --models on estimate/validate) over the built-in
// one. I/O, so activities and the CLI only, never workflow code.
//
// Importing this module makes the process price with `catalogueFromEnv()` (read when first needed): the worker gets
// it through the job's validation (../requests/scan-requests imports it), the CLI directly. The job's validation
// refuses a broken file for good (before any batch); pricing afterwards retries instead.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { useCatalogue } from '../pricing/prices';
import { builtInCatalogue, builtInCatalogueFile, type CatalogueFile, type ModelCatalogue } from './catalogue';
import { catalogueFileSchema, describeCatalogueIssues } from './schema';

/** The environment variable naming the user's catalogue file. */
export const MODELS_ENV = 'CLAUDE_BATCH_MODELS';

/** A catalogue file that cannot be used: never retried (the job fails before any batch), shown to CLI users. */
export function catalogueFileError(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: 'InvalidModelCatalogue', nonRetryable: true });
}

/** Reads and checks one catalogue file. */
export function readCatalogueFile(path: string): CatalogueFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (err as Error).message;
    throw catalogueFileError(`model catalogue ${path}: ${reason}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw catalogueFileError(`model catalogue ${path}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = catalogueFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = describeCatalogueIssues(parsed.error);
    throw catalogueFileError(
      `model catalogue ${path}: ${issues.slice(0, 5).join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`,
    );
  }
  return parsed.data;
}

export interface LoadCatalogueOptions {
  /** A catalogue file given on the command line (applied after the environment's). */
  file?: string;
  env?: NodeJS.ProcessEnv;
}

/** The built-in catalogue with the environment's file, then `file`, over it. */
export function loadCatalogue({ file, env = process.env }: LoadCatalogueOptions = {}): ModelCatalogue {
  let catalogue = builtInCatalogue;
  for (const path of [env[MODELS_ENV], file]) {
    if (path) catalogue = catalogue.withFile(readCatalogueFile(resolve(path)), resolve(path));
  }
  return catalogue;
}

let cached: { path: string; catalogue: ModelCatalogue } | undefined;
let builtInChecked = false;

/** The process's catalogue: the built-in one with CLAUDE_BATCH_MODELS's file over it (read again when it changes). */
export function catalogueFromEnv(): ModelCatalogue {
  if (!builtInChecked) {
    // The shipped file is checked by the tests; checking it here too costs one parse per process.
    const parsed = catalogueFileSchema.safeParse(builtInCatalogueFile);
    if (!parsed.success) {
      throw catalogueFileError(`built-in model catalogue: ${describeCatalogueIssues(parsed.error).join('; ')}`);
    }
    builtInChecked = true;
  }
  const path = process.env[MODELS_ENV] ?? '';
  if (!path) return builtInCatalogue;
  if (cached?.path !== path) cached = { path, catalogue: loadCatalogue() };
  return cached.catalogue;
}

/**
 * Prices this process's costs from CLAUDE_BATCH_MODELS's catalogue (read again when the variable changes): the worker
 * and the CLI call it at start. Pricing runs after batches exist (collecting results): a file broken since the job's
 * validation must not fail the job there, so that error is retryable (the step waits for the file to be fixed) where
 * validation's is final.
 */
export function priceFromEnvCatalogue(): void {
  useCatalogue(() => {
    try {
      return catalogueFromEnv();
    } catch (err) {
      if (!(err instanceof ApplicationFailure)) throw err;
      throw ApplicationFailure.create({
        message: `${err.message} (fix the file or unset ${MODELS_ENV}; the job keeps its batches and tries again)`,
        type: err.type ?? 'InvalidModelCatalogue',
        nonRetryable: false,
      });
    }
  });
}
