// The requests of one batch as JSON lines, in order: kept in memory for small batches, in a file otherwise, so a
// 200 MB batch is not held as strings for its whole life. Results are generated from it line by line.
import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';

export interface RequestLog {
  lines(): AsyncIterable<string>;
  remove(): Promise<void>;
}

export class MemoryRequestLog implements RequestLog {
  constructor(private readonly kept: string[]) {}

  // eslint-disable-next-line @typescript-eslint/require-await -- the file log's lines are asynchronous
  async *lines(): AsyncIterable<string> {
    yield* this.kept;
  }

  async remove(): Promise<void> {
    this.kept.length = 0;
    return Promise.resolve();
  }
}

export class FileRequestLog implements RequestLog {
  constructor(readonly path: string) {}

  async *lines(): AsyncIterable<string> {
    const input = createReadStream(this.path);
    try {
      for await (const line of createInterface({ input, crlfDelay: Infinity })) if (line) yield line;
    } finally {
      input.destroy();
    }
  }

  async remove(): Promise<void> {
    await rm(this.path, { force: true });
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
