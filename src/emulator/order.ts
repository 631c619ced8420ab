// The order a batch's results come back in. The API does not promise request order (results are matched by
// custom_id), so by default the emulator does not give it: a shuffle seeded by the batch id, the same on every read
// and after a restart on the same data directory. It is computed per block of lines, so a 100,000-line batch is never
// held whole: the blocks are read in a shuffled order, and the lines of each block in a shuffled order of their own.
import { createHash } from 'node:crypto';
import { BLOCK_LINES, type RequestLog } from './request-log';
import type { ResultsOrder } from './types';

/** A small seeded generator (sfc32) over the first 16 bytes of the seed's SHA-256: uniform in [0, 1). */
function seededRandom(seed: string): () => number {
  const digest = createHash('sha256').update(seed).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** A permutation of 0..n-1 from the seed, never the identity when n ≥ 2 (so the order always differs). */
export function seededPermutation(n: number, seed: string): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const random = seededRandom(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const held = order[i]!;
    order[i] = order[j]!;
    order[j] = held;
  }
  if (n >= 2 && order.every((v, i) => v === i)) {
    order[0] = 1;
    order[1] = 0;
  }
  return order;
}

/** One line of a log with its request index. */
export interface IndexedLine {
  index: number;
  line: string;
}

/**
 * The `size` lines of a log in the given order: as written, or shuffled by `seed`. Shuffled, at most one block of
 * lines (BLOCK_LINES) is held at a time; with several blocks their order is shuffled (never the identity), and within
 * each block the lines' order too.
 */
export async function* linesInOrder(
  log: RequestLog,
  size: number,
  order: ResultsOrder,
  seed: string,
): AsyncIterable<IndexedLine> {
  if (order === 'request') {
    let index = 0;
    for await (const line of log.lines()) yield { index: index++, line };
    return;
  }
  const blocks = Math.ceil(size / BLOCK_LINES);
  for (const block of seededPermutation(blocks, `${seed}/blocks`)) {
    const lines = await log.block(block);
    const start = block * BLOCK_LINES;
    for (const k of seededPermutation(lines.length, `${seed}/block/${block}`)) {
      yield { index: start + k, line: lines[k]! };
    }
  }
}
