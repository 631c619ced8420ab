// The prompt cache, on the emulator clock. An entry is keyed by a digest of the cached prefix (the model and every
// piece of the prompt up to the breakpoint, see tokens.ts `cachePrefixOf`). A request reads an entry only if it was
// available when the request started and has not expired; reading refreshes its lifetime (the docs: "the cache is
// refreshed for no additional cost each time the cached content is used"). A request that finds nothing writes the
// entry, which becomes available once that request is done: requests started before then miss it too.

/** The docs' two lifetimes: 5 minutes (default) and 1 hour. */
export const CACHE_TTL_MS = { '5m': 5 * 60 * 1000, '1h': 60 * 60 * 1000 } as const;
export type CacheTtl = keyof typeof CACHE_TTL_MS;

/**
 * Requests of a batch are processed in parallel waves: those done within the same second of a batch's processing
 * (`rate` requests at the batch's rate) form a wave, started together at the beginning of that second.
 */
export const WAVE_MS = 1000;

interface Entry {
  /** From when a request can read it (the end of the request, or wave, that wrote it). */
  availableAt: number;
  /** When it is gone unless read again before. */
  expiresAt: number;
}

/** Two lifetimes of the same entry that meet become one; otherwise the one that lasts longer wins. */
function merged(a: Entry | undefined, b: Entry): Entry {
  if (!a) return b;
  if (a.expiresAt >= b.availableAt && b.expiresAt >= a.availableAt) {
    return { availableAt: Math.min(a.availableAt, b.availableAt), expiresAt: Math.max(a.expiresAt, b.expiresAt) };
  }
  return a.expiresAt > b.expiresAt ? a : b;
}

export class PromptCache {
  private readonly entries = new Map<string, Entry>();

  /** A view whose writes and refreshes stay its own until `commit()` (a batch refused midway leaves none). */
  view(): PromptCacheView {
    return new PromptCacheView(this.entries);
  }

  clear(): void {
    this.entries.clear();
  }
}

export class PromptCacheView {
  private readonly staged = new Map<string, Entry>();

  constructor(private readonly committed: Map<string, Entry>) {}

  /**
   * The cache use of a request that starts at `startsAt` and is done at `doneAt` (when what it writes becomes
   * readable): `read` when an entry is available at its start, `write` otherwise.
   */
  use(key: string, ttl: CacheTtl, startsAt: number, doneAt: number): 'read' | 'write' {
    const entry = this.staged.get(key) ?? this.committed.get(key);
    const ttlMs = CACHE_TTL_MS[ttl];
    if (entry && entry.availableAt <= startsAt && startsAt < entry.expiresAt) {
      this.staged.set(key, { availableAt: entry.availableAt, expiresAt: Math.max(entry.expiresAt, startsAt + ttlMs) });
      return 'read';
    }
    const written = { availableAt: doneAt, expiresAt: doneAt + ttlMs };
    this.staged.set(key, entry && startsAt < entry.expiresAt ? merged(entry, written) : written);
    return 'write';
  }

  commit(): void {
    for (const [key, entry] of this.staged) this.committed.set(key, merged(this.committed.get(key), entry));
    this.staged.clear();
  }
}
