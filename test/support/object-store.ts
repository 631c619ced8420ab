// A real S3-compatible store for a test file: versitygw (installed by scripts/setup) on a free loopback port, with an
// empty bucket in a temporary folder, stopped and removed by `stop()`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startObjectStore, type ObjectStore } from '../../src/dev/object-store';
import { S3Storage } from '../../src/storage/s3-storage';

export interface TestObjectStore extends ObjectStore {
  /** Where versitygw keeps the bucket's objects as files (for looking behind the API's back). */
  dataDir: string;
  /** Job storage on this store. */
  storage: S3Storage;
  /** `s3://<bucket>/<key>`. */
  uri(key: string): string;
}

export async function startTestObjectStore(bucket = 'claude-batch-test'): Promise<TestObjectStore> {
  const dataDir = await mkdtemp(join(tmpdir(), 'claude-batch-s3-'));
  const store = await startObjectStore({ dataDir, bucket });
  return {
    ...store,
    dataDir,
    storage: new S3Storage(store.client()),
    uri: (key) => `s3://${bucket}/${key}`,
    async stop() {
      await store.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
