import type { Readable, Writable } from 'node:stream';
import { LocalStorage } from './local-storage';
import { S3Storage } from './s3-storage';
import { isS3Uri, StorageError, type JobStorage, type StoredObject } from './storage';

/** A URI of some scheme (`gs://…`, `https://…`), as opposed to a path. */
const OTHER_URI = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The storage a worker uses: each reference goes to the backend its scheme names (`s3://` to the object store,
 * anything else to the local file system), so a job may read its requests from one and write its output to another.
 * The S3 client is made on first use: a worker that never sees an `s3://` reference needs no AWS settings.
 */
export class StorageRouter implements JobStorage {
  private s3: JobStorage | undefined;

  constructor(
    private readonly local: JobStorage = new LocalStorage(),
    private readonly makeS3: () => JobStorage = () => new S3Storage(),
  ) {}

  private of(ref: string): JobStorage {
    if (!isS3Uri(ref)) {
      if (OTHER_URI.test(ref) && !/^file:/i.test(ref)) {
        throw new StorageError(
          ref,
          'UnsupportedUri',
          'only local paths, file:// and s3://bucket/key URIs are supported',
        );
      }
      return this.local;
    }
    this.s3 ??= this.makeS3();
    return this.s3;
  }

  join(folder: string, ...names: string[]): string {
    return this.of(folder).join(folder, ...names);
  }
  read(ref: string): Readable {
    return this.of(ref).read(ref);
  }
  write(ref: string, produce: (sink: Writable) => Promise<void>): Promise<void> {
    return this.of(ref).write(ref, produce);
  }
  blob(ref: string, type: string): Promise<Blob> {
    return this.of(ref).blob(ref, type);
  }
  size(ref: string): Promise<number> {
    return this.of(ref).size(ref);
  }
  exists(ref: string): Promise<boolean> {
    return this.of(ref).exists(ref);
  }
  list(folder: string): AsyncIterable<StoredObject> {
    return this.of(folder).list(folder);
  }
  remove(ref: string): Promise<void> {
    return this.of(ref).remove(ref);
  }
  removeIncompleteWrites(folder: string): Promise<number> {
    return this.of(folder).removeIncompleteWrites(folder);
  }
  removeIfEmpty(folder: string): Promise<void> {
    return this.of(folder).removeIfEmpty(folder);
  }
}
export { isS3Uri } from './storage';
