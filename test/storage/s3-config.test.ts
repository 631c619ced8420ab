// The S3 client is configured from the environment the way AWS users expect.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { S3Storage, s3ClientFromEnv } from '../../src/storage/s3-storage';
import { StorageError } from '../../src/storage/storage';

describe('S3 settings from the environment', () => {
  it('addresses a self-hosted endpoint path-style, in us-east-1 unless AWS_REGION says otherwise', async () => {
    const client = s3ClientFromEnv({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:7070' });
    assert.equal(client.config.forcePathStyle, true);
    assert.equal(await client.config.region(), 'us-east-1');
    const endpoint = await client.config.endpoint!();
    assert.equal(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`, 'http://127.0.0.1:7070');
    const general = s3ClientFromEnv({ AWS_ENDPOINT_URL: 'http://store:9000', AWS_REGION: 'eu-west-1' });
    assert.equal(await general.config.region(), 'eu-west-1');
    assert.equal((await general.config.endpoint!()).hostname, 'store');
  });

  it('tells a worker with no region at all to set AWS_REGION', async () => {
    const saved = { ...process.env };
    for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE']) delete process.env[name];
    Object.assign(process.env, { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' });
    try {
      const storage = new S3Storage(s3ClientFromEnv({}));
      const err = await storage.exists('s3://bucket/in.jsonl').then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof StorageError, `failed with ${String(err)}`);
      assert.equal(err.message, 's3://bucket/in.jsonl: no AWS region set for the worker (set AWS_REGION)');
    } finally {
      process.env = saved;
    }
  });
});
