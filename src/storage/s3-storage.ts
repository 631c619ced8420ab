import { PassThrough, Readable, type Writable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import './aws-sdk-settings';
import { StorageError, type JobStorage, type StoredObject } from './storage';

/** `s3://bucket/key` → its bucket and key (the key may be empty: the bucket's top). */
export function parseS3Uri(ref: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(ref);
  if (!match) throw new StorageError(ref, 'UnsupportedUri', 'not an S3 URI (write s3://bucket/key)');
  return { bucket: match[1]!, key: match[2]! };
}

/**
 * The client configured the way AWS users expect: region, credentials (the SDK's default chain: environment, profile,
 * SSO, container and instance roles) and endpoint from the environment. A custom endpoint (AWS_ENDPOINT_URL_S3 or
 * AWS_ENDPOINT_URL: a self-hosted store) gets path-style addressing, which such stores need.
 */
export function s3ClientFromEnv(env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? (endpoint ? 'us-east-1' : undefined);
  const config: S3ClientConfig = {
    // Unset, the SDK reads the profile's region; a self-hosted store needs one even when it ignores it.
    ...(region ? { region } : {}),
    // A store that never answers a connect fails the call instead of holding the activity until its timeout.
    requestHandler: { connectionTimeout: 10_000 },
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  };
  return new S3Client(config);
}

/** Parts of a streamed upload: memory per write is about a part times (queue size + 1). */
const PART_BYTES = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 3;

/**
 * Job storage in an S3-compatible object store: references are `s3://bucket/key` URIs, a folder is a key prefix.
 * Writes are streamed multipart uploads (lib-storage), so an object exists only once complete, and a write that fails
 * or is given up aborts its upload: a retried activity overwrites a complete object or leaves none.
 */
export class S3Storage implements JobStorage {
  constructor(private readonly client: S3Client = s3ClientFromEnv()) {}

  join(folder: string, ...names: string[]): string {
    const { bucket, key } = parseS3Uri(folder);
    const parts = [key.replace(/\/+$/, ''), ...names].filter((p) => p.length > 0);
    return `s3://${bucket}/${parts.join('/')}`;
  }

  read(ref: string): Readable {
    const { bucket, key } = parseS3Uri(ref);
    const describe = (err: unknown) => this.describe(err, ref);
    const client = this.client;
    return Readable.from(
      (async function* () {
        let body: AsyncIterable<Uint8Array>;
        try {
          const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          body = object.Body as Readable;
        } catch (err) {
          throw await describe(err);
        }
        for await (const bytes of body) yield Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
      })(),
      { objectMode: false, highWaterMark: 64 * 1024 },
    );
  }

  async write(ref: string, produce: (sink: Writable) => Promise<void>): Promise<void> {
    const { bucket, key } = parseS3Uri(ref);
    const sink = new PassThrough({ highWaterMark: 1024 * 1024 });
    // Errors reach the producer through its waits and the upload's promise; one emitted with no reader left must not
    // crash the worker.
    sink.on('error', () => undefined);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: bucket, Key: key, Body: sink },
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    const uploaded = upload.done();
    let uploadFailure: unknown;
    // An upload that fails stops the producer too (its next wait for the sink sees the error).
    uploaded.catch((err: unknown) => {
      uploadFailure = err;
      sink.destroy(err instanceof Error ? err : new Error(String(err)));
    });
    try {
      await produce(sink);
      sink.end();
      await uploaded;
    } catch (err) {
      // The store's refusal, when it came first, is the reason: the producer's error is only its echo.
      const reason = uploadFailure ?? err;
      // Abort before the body ends in an error: an ended body would complete the upload with what it holds so far.
      await upload.abort().catch(() => undefined);
      sink.destroy(new Error('write abandoned'));
      await uploaded.catch(() => undefined);
      throw await this.describe(reason, ref);
    }
  }

  async blob(ref: string, type: string): Promise<Blob> {
    const { bucket, key } = parseS3Uri(ref);
    const head = await this.head(ref);
    const client = this.client;
    const describe = (err: unknown) => this.describe(err, ref);
    const stream = () =>
      Readable.from(
        (async function* () {
          let body: AsyncIterable<Uint8Array>;
          try {
            // IfMatch: the bytes sent are those whose size was announced, even if the object were replaced meanwhile.
            const object = await client.send(
              new GetObjectCommand({ Bucket: bucket, Key: key, ...(head.etag ? { IfMatch: head.etag } : {}) }),
            );
            body = object.Body as Readable;
          } catch (err) {
            throw await describe(err);
          }
          for await (const bytes of body) yield Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
        })(),
        { objectMode: false },
      );
    return new StreamedBlob(head.size, type, stream);
  }

  async size(ref: string): Promise<number> {
    return (await this.head(ref)).size;
  }

  async exists(ref: string): Promise<boolean> {
    try {
      await this.head(ref);
      return true;
    } catch (err) {
      if (err instanceof StorageError && err.code === 'NoSuchKey') return false;
      throw err;
    }
  }

  async *list(folder: string): AsyncIterable<StoredObject> {
    const { bucket, key } = parseS3Uri(folder);
    const prefix = key.length === 0 || key.endsWith('/') ? key : `${key}/`;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }),
        );
      } catch (err) {
        throw await this.describe(err, folder);
      }
      // S3 lists keys in ascending UTF-8 byte order, the order promised.
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        yield { ref: `s3://${bucket}/${object.Key}`, key: object.Key.slice(prefix.length), size: object.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async remove(ref: string): Promise<void> {
    const { bucket, key } = parseS3Uri(ref);
    const batch: string[] = [key];
    const flush = async () => {
      if (batch.length === 0) return;
      const keys = batch.splice(0);
      try {
        await this.client.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
        );
      } catch (err) {
        throw await this.describe(err, ref);
      }
    };
    for await (const object of this.list(ref)) {
      batch.push(parseS3Uri(object.ref).key);
      if (batch.length === 1000) await flush();
    }
    await flush();
    await this.abortUploads(ref, true);
  }

  removeIncompleteWrites(folder: string): Promise<number> {
    return this.abortUploads(folder, false);
  }

  removeIfEmpty(): Promise<void> {
    // A prefix holds nothing of its own: once its objects are gone, so is it.
    return Promise.resolve();
  }

  /** Aborts the multipart uploads a dying worker left in the folder (with `deep`, anywhere under it). */
  private async abortUploads(folder: string, deep: boolean): Promise<number> {
    const { bucket, key } = parseS3Uri(folder);
    const prefix = key.length === 0 || key.endsWith('/') ? key : `${key}/`;
    let aborted = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      let page;
      try {
        page = await this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: bucket,
            Prefix: prefix,
            ...(keyMarker ? { KeyMarker: keyMarker } : {}),
            ...(uploadIdMarker ? { UploadIdMarker: uploadIdMarker } : {}),
          }),
        );
      } catch (err) {
        throw await this.describe(err, folder);
      }
      for (const upload of page.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId) continue;
        if (!deep && upload.Key.slice(prefix.length).includes('/')) continue;
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }))
          .catch(() => undefined);
        aborted += 1;
      }
      if (!page.IsTruncated) return aborted;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }

  private async head(ref: string): Promise<{ size: number; etag: string | undefined }> {
    const { bucket, key } = parseS3Uri(ref);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return { size: head.ContentLength ?? 0, etag: head.ETag };
    } catch (err) {
      throw await this.describe(err, ref);
    }
  }

  /** An S3 failure as a StorageError naming the object and what to fix, when it is one trying again will not fix. */
  private async describe(err: unknown, ref: string): Promise<Error> {
    if (err instanceof StorageError) return err;
    const e = err as Error & { $metadata?: { httpStatusCode?: number }; code?: string; Code?: string };
    const status = e.$metadata?.httpStatusCode;
    const name = e.name ?? '';
    const { bucket } = parseS3Uri(ref);
    const endpoint = await this.endpoint();
    const where = endpoint ? ` at ${endpoint}` : '';
    if (name === 'NoSuchBucket') return this.noSuchBucket(ref, bucket, where);
    if (name === 'InvalidBucketName') {
      return new StorageError(ref, 'NoSuchBucket', `${JSON.stringify(bucket)} is not a valid bucket name`, err);
    }
    if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
      // A HEAD's 404 has no body to say whether the bucket or the key is missing.
      const bucketThere = await this.client.send(new HeadBucketCommand({ Bucket: bucket })).then(
        () => true,
        () => false,
      );
      if (!bucketThere) return this.noSuchBucket(ref, bucket, where);
      return new StorageError(ref, 'NoSuchKey', 'no such object (check the key)', err);
    }
    if (/Region is missing/i.test(e.message)) {
      return new StorageError(ref, 'NoRegion', 'no AWS region set for the worker (set AWS_REGION)', err);
    }
    if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(e.message)) {
      return new StorageError(
        ref,
        'NoCredentials',
        'no AWS credentials found for the worker (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, ' +
          'or give the worker a role)',
        err,
      );
    }
    if (
      ['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden', 'AllAccessDisabled'].includes(
        name,
      ) ||
      status === 403
    ) {
      return new StorageError(
        ref,
        'AccessDenied',
        `access denied${where} (${name || `HTTP ${status}`}): check the worker's AWS credentials and the bucket's policy`,
        err,
      );
    }
    if (status === 400) {
      // A HEAD's 400 has no body to name the fault: what a request can get wrong is its bucket name or key.
      return new StorageError(
        ref,
        'BadRequest',
        `the store refused the request as malformed (HTTP 400${name && name !== 'BadRequest' ? ` ${name}` : ''}): ` +
          `check that ${JSON.stringify(bucket)} is a valid bucket name and the key a valid key`,
        err,
      );
    }
    const code = e.code ?? (e.cause as { code?: string } | undefined)?.code;
    if (code && ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT'].includes(code)) {
      return new StorageError(
        ref,
        'Unreachable',
        `cannot reach the S3 endpoint ${endpoint ?? 'of AWS'} (${code}): check AWS_ENDPOINT_URL_S3 ` +
          '(or AWS_ENDPOINT_URL) and AWS_REGION, and that the store is up',
        err,
      );
    }
    return err instanceof Error ? err : new Error(String(err));
  }

  private noSuchBucket(ref: string, bucket: string, where: string): StorageError {
    return new StorageError(
      ref,
      'NoSuchBucket',
      `bucket ${JSON.stringify(bucket)} does not exist${where} (create it, or correct the URI)`,
    );
  }

  private async endpoint(): Promise<string | undefined> {
    const endpoint = await this.client.config.endpoint?.();
    if (!endpoint) return undefined;
    return `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? `:${endpoint.port}` : ''}`;
  }
}

/**
 * A Blob of a known size whose bytes stream from storage when sent: fetch announces its size (Content-Length) and
 * reads it through `stream()`, so a 256 MB create body never sits whole in memory.
 */
class StreamedBlob extends Blob {
  constructor(
    size: number,
    type: string,
    private readonly open: () => Readable,
  ) {
    super([]);
    // Blob's size and type are read-only accessors of the prototype: own properties shadow them.
    Object.defineProperties(this, { size: { value: size }, type: { value: type } });
  }

  override stream(): ReadableStream<Uint8Array> {
    return Readable.toWeb(this.open()) as ReadableStream<Uint8Array>;
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    const parts: Buffer[] = [];
    for await (const part of this.open()) parts.push(part as Buffer);
    const whole = Buffer.concat(parts);
    return whole.buffer.slice(whole.byteOffset, whole.byteOffset + whole.byteLength);
  }

  override async text(): Promise<string> {
    return Buffer.from(await this.arrayBuffer()).toString('utf8');
  }
}
