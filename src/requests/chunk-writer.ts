import type { ChunkRef } from '../shared/job';
import type { JobStorage } from '../storage/storage';
import { CoalescedWrites } from '../storage/coalesced-writes';

// A chunk is stored as the exact create body, one request per line, so it can be streamed to the API as is and
// read back line by line for a retry round.
const HEADER = '{"requests":[\n';
const SEPARATOR = ',\n';
const FOOTER = '\n]}\n';
const HEADER_BYTES = Buffer.byteLength(HEADER);
const SEPARATOR_BYTES = Buffer.byteLength(SEPARATOR);
const FOOTER_BYTES = Buffer.byteLength(FOOTER);

/** A request that no create body under the byte limit can hold, however the requests are chunked. */
export class RequestTooLargeError extends RangeError {
  override name = 'RequestTooLargeError';
  constructor(
    /** The smallest create body holding it. */
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(`one request is ${bytes} bytes, over the ${maxBytes}-byte batch limit`);
  }
}

/** Splits a stream of request lines into create bodies under both limits (request count and body bytes). */
export class ChunkWriter {
  private readonly chunks: ChunkRef[] = [];
  private sink: CoalescedWrites | undefined;
  private finishSink: (() => void) | undefined;
  private failSink: ((reason: Error) => void) | undefined;
  private stored: Promise<void> | undefined;
  private count = 0;
  private bytes = 0;

  constructor(
    private readonly storage: JobStorage,
    private readonly refFor: (index: number) => string,
    private readonly limits: { maxRequests: number; maxBytes: number },
  ) {}

  /**
   * Adds one request. `render` gives its JSON line for the chunk it lands in (the chunk is part of its internal
   * custom_id), so it is called again if the request opens a new chunk. Throws RequestTooLargeError at once (not in the
   * promise) for a request over the byte limit on its own, so the caller can name the request. `landed` is told, once,
   * the chunk the request ends up in.
   */
  add(render: (chunk: number) => string, landed?: (chunk: number) => void): Promise<void> | undefined {
    const line = render(this.chunks.length);
    const size = Buffer.byteLength(line);
    const sizeAlone = HEADER_BYTES + size + FOOTER_BYTES;
    if (sizeAlone > this.limits.maxBytes) throw new RequestTooLargeError(sizeAlone, this.limits.maxBytes);
    const grown = this.bytes + SEPARATOR_BYTES + size;
    if (this.sink && this.count < this.limits.maxRequests && grown <= this.limits.maxBytes) {
      // The common case stays synchronous: one promise per request is a measurable share of a 100,000-line split.
      this.bytes = grown;
      this.count += 1;
      landed?.(this.chunks.length);
      return this.sink.write(SEPARATOR + line);
    }
    return this.startChunkWith(render, line, size, landed);
  }

  private async startChunkWith(
    render: (chunk: number) => string,
    line: string,
    size: number,
    landed: ((chunk: number) => void) | undefined,
  ): Promise<void> {
    if (this.sink) {
      await this.close();
      line = render(this.chunks.length);
      size = Buffer.byteLength(line);
    }
    landed?.(this.chunks.length);
    await this.open();
    await this.sink!.write(HEADER + line);
    this.bytes = HEADER_BYTES + size + FOOTER_BYTES;
    this.count = 1;
  }

  /** Closes the last chunk and returns every chunk written. */
  async finish(): Promise<ChunkRef[]> {
    if (this.sink) await this.close();
    return this.chunks;
  }

  /** Gives up the chunk being written, leaving no partial body; for a split that fails midway. */
  async abort(): Promise<void> {
    if (!this.sink) return;
    this.sink = undefined;
    this.failSink!(new Error('split abandoned'));
    await this.stored?.catch(() => undefined);
  }

  private async open(): Promise<void> {
    const index = this.chunks.length;
    let ready!: () => void;
    const opened = new Promise<void>((resolve) => (ready = resolve));
    this.stored = this.storage.write(
      this.refFor(index),
      (sink) =>
        new Promise<void>((resolve, reject) => {
          this.sink = new CoalescedWrites(sink);
          this.finishSink = resolve;
          this.failSink = reject;
          ready();
        }),
    );
    await Promise.race([opened, this.stored]);
    this.count = 0;
    this.bytes = 0;
  }

  private async close(): Promise<void> {
    await this.sink!.write(FOOTER);
    await this.sink!.flush();
    this.finishSink!();
    await this.stored;
    this.chunks.push({
      index: this.chunks.length,
      body: this.refFor(this.chunks.length),
      requestCount: this.count,
      bytes: this.bytes,
    });
    this.sink = undefined;
  }
}

/** The request lines of a stored chunk body (inverse of the writer's framing). */
export function requestLineOf(bodyLine: string): string | undefined {
  if (bodyLine === HEADER.trim() || bodyLine === FOOTER.trim() || bodyLine.length === 0) return undefined;
  return bodyLine.endsWith(',') ? bodyLine.slice(0, -1) : bodyLine;
}
