import type { Readable, Writable } from 'node:stream';

/** Whether a reference names an object in an S3-compatible store (`s3://bucket/key`). */
export const isS3Uri = (ref: string): boolean => /^s3:\/\//i.test(ref);

/**
 * Where a job's bulk data lives: the input, its chunks, raw outcomes and the final results. The workflow only ever
 * holds the references this hands out (strings), never the data: local paths (or `file://` URIs) and `s3://` URIs.
 * Nothing outside a backend may assume the data is on the worker's disk: workers on many machines share only this.
 */
export interface JobStorage {
  /** A reference to `names` inside the folder `folder`. */
  join(folder: string, ...names: string[]): string;
  /** Streams the object. */
  read(ref: string): Readable;
  /**
   * Writes the object from what `produce` sends into the sink; it becomes visible only once complete, so a retried
   * activity never leaves (or reads) half an object.
   */
  write(ref: string, produce: (sink: Writable) => Promise<void>): Promise<void>;
  /** The object as a Blob that streams from storage when read (used as an HTTP request body). */
  blob(ref: string, type: string): Promise<Blob>;
  size(ref: string): Promise<number>;
  exists(ref: string): Promise<boolean>;
  /**
   * Every object under the folder, recursively, in ascending byte order of `key` (its path below the folder, with
   * `/` between names), so two listings of unchanged data agree. Objects still being written are not listed.
   */
  list(folder: string): AsyncIterable<StoredObject>;
  /** Removes an object or a folder and everything under it. */
  remove(ref: string): Promise<void>;
  /**
   * Removes what writes interrupted by a dying worker left directly in the folder (never a complete object), and says
   * how many it removed. Writes still running there are the caller's to rule out.
   */
  removeIncompleteWrites(folder: string): Promise<number>;
  /** Removes the folder if nothing is left in it. */
  removeIfEmpty(folder: string): Promise<void>;
}

/** One object found by `JobStorage.list`. */
export interface StoredObject {
  /** The reference to read it with. */
  ref: string;
  /** Its path below the listed folder, names joined with `/`. */
  key: string;
  size: number;
}

/**
 * The storage refused or could not find an object in a way that trying again will not fix. The message names the
 * object; `problem` is the same without the name, for a caller that names it in its own words (`output …: …`).
 * `code`: NoSuchKey, NoSuchBucket, NoCredentials, NoRegion, AccessDenied, BadRequest, Unreachable, UnsupportedUri.
 */
export class StorageError extends Error {
  override name = 'StorageError';
  constructor(
    readonly ref: string,
    readonly code: string,
    readonly problem: string,
    cause?: unknown,
  ) {
    super(`${ref}: ${problem}`, cause === undefined ? undefined : { cause });
  }
}
