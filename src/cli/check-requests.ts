// The checks the CLI makes on a requests file before anything starts (the workflow's own, with line numbers).
import { createReadStream } from 'node:fs';
import { StorageRouter } from '../storage/router';
import { isS3Uri, StorageError } from '../storage/storage';
import { describeProblems, scanRequests, type ScanReport } from '../requests/scan-requests';
import { loadCatalogue } from '../models/load-catalogue';
import type { ModelCatalogue } from '../models/catalogue';
import type { RequestDefaults } from '../shared/job';
import { UserError } from './exit-codes';

/** A requests file with problems: the message lists them, the report has them for --json. */
export class RequestsProblemsError extends UserError {
  constructor(
    readonly file: string,
    readonly report: ScanReport,
  ) {
    super(describeProblems(file, report));
  }
}

/**
 * Checks the file the way the workflow will, so mistakes show before a job starts; `validate` also refuses models the
 * catalogue does not know (the job sends them, unpriced: `start` warns).
 */
export async function validateFile(
  file: string,
  defaults: RequestDefaults = {},
  models: { catalogue?: ModelCatalogue; unknownModels?: 'problem' | 'allow' } = {},
): Promise<number> {
  // An s3:// file is read with this process's AWS settings, as a worker reads it with its own.
  const input = isS3Uri(file) ? new StorageRouter().read(file) : createReadStream(file);
  const report = await scanRequests(input, {
    defaults,
    ...(models.catalogue ? { catalogue: models.catalogue } : {}),
    unknownModels: models.unknownModels ?? 'allow',
  }).catch((err: NodeJS.ErrnoException) => {
    if (err instanceof StorageError) throw new UserError(err.message);
    const reason: Record<string, string> = {
      ENOENT: 'no such file',
      EISDIR: 'is a folder, not a requests file (give the path of a JSONL file)',
    };
    throw new UserError(`${file}: ${(err.code && reason[err.code]) ?? err.message}`);
  });
  if (report.problemCount > 0) throw new RequestsProblemsError(file, report);
  for (const u of report.unknownModels) {
    console.error(
      `warning: ${u.requests} request${u.requests === 1 ? '' : 's'} (first on line ${u.firstLine}) name ${u.model}, a model not in the model catalogue: the API decides whether it exists, and its cost will not be counted (add it to CLAUDE_BATCH_MODELS's file)`,
    );
  }
  return report.requests;
}

/** The catalogue a command runs with: --models over CLAUDE_BATCH_MODELS over the built-in one. */
export function catalogueFor(file: string | undefined): ModelCatalogue {
  try {
    return loadCatalogue(file ? { file } : {});
  } catch (err) {
    throw new UserError((err as Error).message);
  }
}
