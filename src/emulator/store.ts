// Where batches live. In memory by default (large batches' logs spill to temporary files); with a data directory,
// every batch is four files that a restarted emulator loads again:
//   <id>.requests.jsonl  the requests as submitted, one a line
//   <id>.replies.jsonl   the message each request is answered with if it succeeds, worked out at creation, one a line
//   <id>.plan.json       what was decided per request (outcomes, cache use, errors)
//   <id>.meta.json       the rest (times, scenario, cancel, archive); written last, so its presence means complete
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CACHE_USES, OUTCOMES, type StoredBatch } from './batches';
import { NO_REPLY, replyLine, type MessageParams } from './completions';
import { linesInOrder, type IndexedLine } from './order';
import { FileRequestLog, MemoryRequestLog, RequestLogWriter, type RequestLog } from './request-log';
import type { ResultsOrder } from './types';

/** Bodies above this many bytes keep their logs in files even without a data directory. */
const SPILL_BYTES = 8 * 1024 * 1024;

type StoredMeta = Omit<StoredBatch, 'plan'> & { requestCount: number };

/** A batch's two logs, line i of each about request i. */
export interface BatchLogs<T> {
  requests: T;
  replies: T;
}

type Entry = { batch: StoredBatch } & BatchLogs<RequestLog>;

interface StoredPlan {
  customIds: string[];
  outcomes: string;
  cache: string;
  errors: [number, string, string][];
}

/** Replaces a file in one step, so a crash leaves the old or the new version, never half of one. */
function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export class BatchStore {
  private readonly entries = new Map<string, Entry>();
  private lastSeq = 0;
  private spillDir: string | undefined;

  private constructor(private readonly dir: string | undefined) {}

  static async open(dataDir: string | undefined, log: (line: string) => void): Promise<BatchStore> {
    const store = new BatchStore(dataDir === undefined ? undefined : join(dataDir, 'batches'));
    if (store.dir) {
      await mkdir(store.dir, { recursive: true });
      await store.load(log);
    }
    return store;
  }

  private async load(log: (line: string) => void): Promise<void> {
    const dir = this.dir!;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.meta.json'))) {
      const id = file.slice(0, -'.meta.json'.length);
      try {
        const { requestCount: _count, ...meta } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as StoredMeta;
        const plan = JSON.parse(readFileSync(join(dir, `${id}.plan.json`), 'utf8')) as StoredPlan;
        const batch: StoredBatch = {
          ...meta,
          plan: {
            customIds: plan.customIds,
            outcomes: new Uint8Array(Buffer.from(plan.outcomes, 'base64')),
            cache: new Uint8Array(Buffer.from(plan.cache, 'base64')),
            errors: new Map(plan.errors.map(([i, type, message]) => [i, { type, message }])),
          },
        };
        const requests = new FileRequestLog(join(dir, `${id}.requests.jsonl`));
        const repliesPath = join(dir, `${id}.replies.jsonl`);
        if (!existsSync(repliesPath)) await rebuildReplies(batch, requests, repliesPath);
        this.entries.set(id, {
          batch,
          requests,
          replies: new FileRequestLog(repliesPath),
        });
        this.lastSeq = Math.max(this.lastSeq, batch.seq);
      } catch (err) {
        log(`skipping unreadable batch ${id}: ${String(err)}`);
      }
    }
  }

  nextSeq(): number {
    return ++this.lastSeq;
  }

  /** Newest first, the order of the list endpoint. */
  all(): StoredBatch[] {
    return [...this.entries.values()].map((e) => e.batch).sort((a, b) => b.seq - a.seq);
  }

  get(id: string): StoredBatch | undefined {
    return this.entries.get(id)?.batch;
  }

  /** Files for a new batch's logs, or undefined when they are small enough to keep in memory. */
  async writersFor(id: string, bodyBytes: number): Promise<BatchLogs<RequestLogWriter> | undefined> {
    let dir = this.dir;
    if (!dir) {
      if (bodyBytes <= SPILL_BYTES) return undefined;
      dir = this.spillDir ??= mkdtempSync(join(tmpdir(), 'claude-batch-emulator-'));
    }
    return {
      requests: await RequestLogWriter.create(join(dir, `${id}.requests.jsonl`)),
      replies: await RequestLogWriter.create(join(dir, `${id}.replies.jsonl`)),
    };
  }

  get durable(): boolean {
    return this.dir !== undefined;
  }

  add(batch: StoredBatch, logs: BatchLogs<RequestLog | string[]>): void {
    const logOf = (log: RequestLog | string[]) => (Array.isArray(log) ? new MemoryRequestLog(log) : log);
    this.entries.set(batch.id, { batch, requests: logOf(logs.requests), replies: logOf(logs.replies) });
    if (!this.dir) return;
    const plan: StoredPlan = {
      customIds: batch.plan.customIds,
      outcomes: Buffer.from(batch.plan.outcomes).toString('base64'),
      cache: Buffer.from(batch.plan.cache).toString('base64'),
      errors: [...batch.plan.errors].map(([i, e]) => [i, e.type, e.message]),
    };
    writeAtomically(join(this.dir, `${batch.id}.plan.json`), JSON.stringify(plan));
    this.save(batch);
  }

  /** Persists what changes after creation (cancel, archive, retrieves). */
  save(batch: StoredBatch): void {
    if (!this.dir) return;
    const { plan, ...rest } = batch;
    const meta: StoredMeta = { ...rest, requestCount: plan.customIds.length };
    writeAtomically(join(this.dir, `${batch.id}.meta.json`), JSON.stringify(meta));
  }

  async delete(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    if (this.dir) {
      await rm(join(this.dir, `${id}.meta.json`), { force: true });
      await rm(join(this.dir, `${id}.plan.json`), { force: true });
    }
    await entry.requests.remove();
    await entry.replies.remove();
  }

  /** A batch's lines of one log in order; throws for an unknown (or deleted) batch. */
  lines(id: string, log: keyof BatchLogs<unknown>): AsyncIterable<string> {
    const entry = this.entries.get(id);
    if (!entry) throw new Error(`no batch ${id} (never created, or deleted)`);
    return entry[log].lines();
  }

  /** A batch's lines of one log with their request index, in request order or the batch's own seeded shuffle. */
  linesInOrder(id: string, log: keyof BatchLogs<unknown>, order: ResultsOrder): AsyncIterable<IndexedLine> {
    const entry = this.entries.get(id);
    if (!entry) throw new Error(`no batch ${id} (never created, or deleted)`);
    return linesInOrder(entry[log], entry.batch.plan.customIds.length, order, id);
  }

  /** Forgets every batch at once; their files go in the background of the returned promise. */
  async clear(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((id) => this.delete(id)));
  }

  /** Drops the temporary spill files (a data directory stays as it is). */
  async close(): Promise<void> {
    if (this.spillDir) await rm(this.spillDir, { recursive: true, force: true });
  }
}

/** Batches kept by an emulator from before the replies log get theirs worked out again from their requests and plan. */
async function rebuildReplies(batch: StoredBatch, requests: RequestLog, path: string): Promise<void> {
  const writer = await RequestLogWriter.create(`${path}.tmp`);
  const succeeded = OUTCOMES.indexOf('succeeded');
  let i = 0;
  for await (const line of requests.lines()) {
    const { params } = JSON.parse(line) as { params: MessageParams };
    const cache = CACHE_USES[batch.plan.cache[i]!] ?? 'none';
    await writer.add(batch.plan.outcomes[i] === succeeded ? replyLine(params, cache) : NO_REPLY);
    i += 1;
  }
  await writer.close(true);
  renameSync(`${path}.tmp`, path);
}
