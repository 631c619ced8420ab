import type { Writable } from 'node:stream';
import { writeChunk } from './local-storage';

/**
 * Gathers many small writes (a line per request) into writes of about a megabyte: a 200 MB chunk body goes out in a
 * few hundred writes instead of 100,000, each with its own buffer and callback.
 */
export class CoalescedWrites {
  private parts: string[] = [];
  private chars = 0;

  constructor(
    private readonly sink: Writable,
    private readonly flushAtChars = 1 << 20,
  ) {}

  /** Returns a promise only when it writes out (the caller awaits that); gathering is synchronous. */
  write(text: string): Promise<void> | undefined {
    this.parts.push(text);
    this.chars += text.length;
    return this.chars >= this.flushAtChars ? this.flush() : undefined;
  }

  /** Writes out what is gathered; call before ending the sink. */
  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.chars = 0;
    await writeChunk(this.sink, text);
  }
}
