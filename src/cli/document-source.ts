// What `build`, `run` and `start` share when given a folder of documents instead of a requests file.
import { resolve } from 'node:path';
import type { DocumentSource } from '../shared/job';
import { isS3Uri } from '../storage/router';

/** The model and max_tokens of requests built from documents when no flag names them (`build`, `run`, `start`). */
export const DOCUMENT_DEFAULTS = { model: 'claude-sonnet-4-5', max_tokens: 1024 } as const;

/** A path as the user means it from where they stand, without a closing `/`; `s3://` references as they are. */
export const refOf = (path: string): string => (isS3Uri(path) ? path : resolve(path)).replace(/(.)\/+$/, '$1');

export interface DocumentFlags {
  template?: string;
  include?: string[];
  exclude?: string[];
}

/** The job's `source` for a folder (or s3:// prefix) and the document flags. */
export function sourceOf(documents: string, flags: DocumentFlags & { template: string }): DocumentSource {
  return {
    documents: refOf(documents),
    template: refOf(flags.template),
    ...(flags.include?.length ? { include: flags.include } : {}),
    ...(flags.exclude?.length ? { exclude: flags.exclude } : {}),
  };
}

/** Repeatable string flags (`--include a --include b`). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
