// Request bodies, bounded by the API's 256 MB: as a stream of chunks (a batch create parses as they arrive, see
// create-body.ts) or whole, for the small ones (a single message, a token count).
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-errors';

export const MAX_BODY_BYTES = 256 * 1024 * 1024;

const tooLarge = () => new HttpError(413, `Request exceeds the maximum allowed number of bytes (${MAX_BODY_BYTES}).`);

/** The body's chunks as they arrive; throws 413 as soon as it is known to be over the limit. */
export async function* bodyChunks(req: IncomingMessage): AsyncGenerator<Buffer, void, undefined> {
  if (Number(req.headers['content-length']) > MAX_BODY_BYTES) throw tooLarge();
  let size = 0;
  // Leaving early (a 413, or a caller that stops) must not destroy the socket: the answer still goes out on it.
  for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    yield chunk;
  }
}

/** The parsed body of a small request. */
export async function readJson(req: IncomingMessage): Promise<{ value: unknown }> {
  const chunks: Buffer[] = [];
  for await (const chunk of bodyChunks(req)) chunks.push(chunk);
  try {
    return { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    throw new HttpError(400, 'The request body is not valid JSON.');
  }
}
