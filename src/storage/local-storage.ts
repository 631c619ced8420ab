import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, openAsBlob } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Readable, Writable } from 'node:stream';
import { uriToPath } from '../shared/options';
import type { JobStorage, StoredObject } from './storage';

/** Job storage on the worker's file system (or a shared volume): references are paths or `file://` URIs. */
export class LocalStorage implements JobStorage {
  join(folder: string, ...names: string[]): string {
    return join(uriToPath(folder), ...names);
  }

  read(ref: string): Readable {
    // Node's default chunk size on purpose: with 1 MB chunks, lines cut from them (and anything built from those lines
    // still waiting to be written) kept whole megabytes alive, and validating a 1 GB file peaked at ~500 MB RSS, not ~270.
    return createReadStream(uriToPath(ref), { highWaterMark: 64 * 1024 });
  }

  async write(ref: string, produce: (sink: Writable) => Promise<void>): Promise<void> {
    const path = resolve(uriToPath(ref));
    await mkdir(dirname(path), { recursive: true });
    // Unique across processes and machines sharing a volume: two writers of one object never share a temporary file.
    const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.partial`;
    const sink = createWriteStream(tmp, { highWaterMark: 1024 * 1024 });
    // Errors surface through finished() or the producer; a write still in flight when we give up must not crash.
    sink.on('error', () => undefined);
    try {
      await produce(sink);
      sink.end();
      await finished(sink);
      await rename(tmp, path);
    } catch (err) {
      sink.destroy();
      await rm(tmp, { force: true });
      throw err;
    }
  }

  blob(ref: string, type: string): Promise<Blob> {
    return openAsBlob(uriToPath(ref), { type });
  }

  async size(ref: string): Promise<number> {
    return (await stat(uriToPath(ref))).size;
  }

  async exists(ref: string): Promise<boolean> {
    try {
      await stat(uriToPath(ref));
      return true;
    } catch {
      return false;
    }
  }

  async *list(folder: string): AsyncIterable<StoredObject> {
    yield* listFolder(resolve(uriToPath(folder)), '');
  }

  async remove(ref: string): Promise<void> {
    await rm(uriToPath(ref), { recursive: true, force: true });
  }

  async removeIncompleteWrites(folder: string): Promise<number> {
    const names = await readdir(uriToPath(folder)).catch(() => [] as string[]);
    const partial = names.filter((name) => PARTIAL.test(name));
    await Promise.all(partial.map((name) => rm(join(uriToPath(folder), name), { force: true })));
    return partial.length;
  }

  async removeIfEmpty(folder: string): Promise<void> {
    // rmdir refuses a folder that is not empty (or gone): both mean there is nothing to do.
    await rmdir(uriToPath(folder)).catch(() => undefined);
  }
}

/**
 * Walks a folder in ascending byte order of the keys below it: a folder sorts as its name plus `/`, as its objects'
 * keys do, so a per-folder sort gives the order of the whole listing.
 */
async function* listFolder(root: string, prefix: string): AsyncIterable<StoredObject> {
  const entries = await readdir(join(root, prefix), { withFileTypes: true }).catch(() => []);
  const named = entries
    .filter((entry) => entry.isDirectory() || (entry.isFile() && !PARTIAL.test(entry.name)))
    .map((entry) => ({ entry, sortKey: Buffer.from(entry.isDirectory() ? `${entry.name}/` : entry.name) }))
    .sort((a, b) => Buffer.compare(a.sortKey, b.sortKey));
  for (const { entry } of named) {
    const key = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) yield* listFolder(root, key);
    else yield { ref: join(root, key), key, size: (await stat(join(root, key))).size };
  }
}

/** How `write` names an object while it is being written: `<name>.<pid>-<random>.partial` (`<pid>.<n>` before). */
const PARTIAL = /\.\d+(?:-[0-9a-f]{8}|\.\d+)\.partial$/;

/** Writes a string to a sink, waiting when the sink is full, so big outputs stream with bounded memory. */
export async function writeChunk(sink: Writable, text: string): Promise<void> {
  if (!sink.write(text)) {
    await new Promise<void>((done, fail) => {
      const onDrain = () => {
        sink.off('error', onError);
        done();
      };
      const onError = (err: Error) => {
        sink.off('drain', onDrain);
        fail(err);
      };
      sink.once('drain', onDrain);
      sink.once('error', onError);
    });
  }
}
