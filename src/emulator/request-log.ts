// The requests of one batch as JSON lines, in order: kept in memory for small batches, in a file otherwise, so a
// 200 MB batch is not held as strings for its whole life. Results are generated from it line by line.
import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/** Lines per block for reading a log out of order (see order.ts): a few MB of replies at most. */
export const BLOCK_LINES = 4096;

export interface RequestLog {
  lines(): AsyncIterable<string>;
  /** Lines `b * BLOCK_LINES` up to the next block's first (fewer at the end; none past it). */
  block(b: number): Promise<string[]>;
  remove(): Promise<void>;
}

export class MemoryRequestLog implements RequestLog {
  constructor(private readonly kept: string[]) {}

  // eslint-disable-next-line @typescript-eslint/require-await -- the file log's lines are asynchronous
  async *lines(): AsyncIterable<string> {
    yield* this.kept;
  }

  block(b: number): Promise<string[]> {
    return Promise.resolve(this.kept.slice(b * BLOCK_LINES, (b + 1) * BLOCK_LINES));
  }

  async remove(): Promise<void> {
    this.kept.length = 0;
    return Promise.resolve();
  }
}

export class FileRequestLog implements RequestLog {
  /** Byte offsets of each block's first line, then of the file's end: found by one scan, at the first block read. */
  private blockStarts: Promise<number[]> | undefined;

  constructor(readonly path: string) {}

  async *lines(): AsyncIterable<string> {
    const input = createReadStream(this.path);
    try {
      for await (const line of createInterface({ input, crlfDelay: Infinity })) if (line) yield line;
    } finally {
      input.destroy();
    }
  }

  async block(b: number): Promise<string[]> {
    const starts = await (this.blockStarts ??= blockStartsOf(this.path));
    const from = starts[b];
    const to = starts[b + 1];
    if (from === undefined || to === undefined) return [];
    const handle = await open(this.path, 'r');
    try {
      const bytes = Buffer.allocUnsafe(to - from);
      let read = 0;
      while (read < bytes.length) {
        const { bytesRead } = await handle.read(bytes, read, bytes.length - read, from + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      return bytes
        .subarray(0, read)
        .toString('utf8')
        .split('\n')
        .filter((line) => line.length > 0);
    } finally {
      await handle.close();
    }
  }

  async remove(): Promise<void> {
    await rm(this.path, { force: true });
  }
}

/** One pass over a log file for the offset of every BLOCK_LINES-th line (and the end), reading 1 MB at a time. */
async function blockStartsOf(path: string): Promise<number[]> {
  const starts = [0];
  const handle = await open(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    let position = 0;
    let lines = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      for (let at = chunk.indexOf(10); at !== -1 && at < bytesRead; at = chunk.indexOf(10, at + 1)) {
        lines += 1;
        if (lines % BLOCK_LINES === 0) starts.push(position + at + 1);
      }
      position += bytesRead;
    }
    if (starts.at(-1) !== position) starts.push(position);
    return starts;
  } finally {
    await handle.close();
  }
}

/** Writes lines to a file in large chunks as they are produced (one line in flight, not the whole batch). */
export class RequestLogWriter {
  private chunk: string[] = [];
  private chunkChars = 0;

  private constructor(
    private readonly handle: Awaited<ReturnType<typeof open>>,
    readonly path: string,
  ) {}

  static async create(path: string): Promise<RequestLogWriter> {
    return new RequestLogWriter(await open(path, 'w'), path);
  }

  async add(line: string): Promise<void> {
    this.chunk.push(line);
    this.chunkChars += line.length + 1;
    if (this.chunkChars >= 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.chunk.length === 0) return;
    const text = this.chunk.join('\n') + '\n';
    this.chunk = [];
    this.chunkChars = 0;
    await this.handle.write(text);
  }

  /** `durable`: flush to the disk too, for a data directory that must survive a crash. */
  async close(durable: boolean): Promise<FileRequestLog> {
    await this.flush();
    if (durable) await this.handle.sync();
    await this.handle.close();
    return new FileRequestLog(this.path);
  }

  async abandon(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.path, { force: true });
  }
}
