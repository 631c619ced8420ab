// Reading small request bodies (a single message, a token count) whole. A batch create streams instead: create-body.ts.
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-errors';

export const MAX_BODY_BYTES = 256 * 1024 * 1024;

export const tooLarge = () =>
  new HttpError(413, `Request exceeds the maximum allowed number of bytes (${MAX_BODY_BYTES}).`);

/** The whole body. Sized up front from content-length so a 200 MB body is not also held as a list of chunks. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > MAX_BODY_BYTES) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    let buffer = Number.isInteger(declared) && declared >= 0 ? Buffer.allocUnsafe(declared) : undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > MAX_BODY_BYTES) {
        // Stop reading but keep the socket: the 413 still has to be answered on it.
        req.off('data', onData);
        req.pause();
        reject(tooLarge());
        return;
      }
      if (buffer && size + chunk.length <= buffer.length) chunk.copy(buffer, size);
      else {
        if (buffer) chunks.push(buffer.subarray(0, size));
        buffer = undefined;
        chunks.push(chunk);
      }
      size += chunk.length;
    };
    req.on('data', onData);
    req.once('error', reject);
    req.once('end', () => resolve(buffer ? buffer.subarray(0, size) : Buffer.concat(chunks, size)));
  });
}

/** The parsed body and its size in bytes. */
export async function readJson(req: IncomingMessage): Promise<{ value: unknown; bytes: number }> {
  // Only the string outlives this line, and only until it is parsed.
  const text = (await readBody(req)).toString('utf8');
  try {
    return { value: JSON.parse(text) as unknown, bytes: Buffer.byteLength(text) };
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.');
  }
}
