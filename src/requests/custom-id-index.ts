// The custom_ids of a requests file and the line each first appeared on, for the uniqueness check. A Map of the ids
// as strings took ~60 bytes an id in the V8 heap, and the heap's growth around it as much again: validating a million
// requests peaked near 400 MB. Here the ids' characters sit in one byte buffer and everything else in typed arrays,
// about 30 bytes an id outside the V8 heap, and lookups still compare the ids themselves (no digest to trust).

/** A checked custom_id is 1 to 64 characters of [A-Za-z0-9_-]: one byte each. */
const MAX_ID_LENGTH = 64;

/** FNV-1a with a final mix: only places ids in the table, so equal hashes cost a comparison, never a wrong answer. */
function hashOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

export class CustomIdIndex {
  private chars = Buffer.alloc(1 << 16);
  private charsUsed = 0;
  /** Per id, in order of first appearance. */
  private starts = new Int32Array(1024);
  private lengths = new Uint8Array(1024);
  private lines = new Int32Array(1024);
  private hashes = new Uint32Array(1024);
  private count = 0;
  /** Open addressing: an id's number plus one, 0 for a free slot; never more than half full. */
  private slots = new Int32Array(2048);

  /** The line this id first appeared on, or undefined (and it is recorded as appearing on `line`). */
  firstLineOf(id: string, line: number): number | undefined {
    if (id.length > MAX_ID_LENGTH) throw new RangeError(`custom_id longer than ${MAX_ID_LENGTH} characters`);
    const hash = hashOf(id);
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const held = this.slots[slot]! - 1;
      if (held < 0) {
        this.add(id, line, hash, slot);
        return undefined;
      }
      if (this.hashes[held] === hash && this.sameId(held, id)) return this.lines[held];
    }
  }

  private sameId(entry: number, id: string): boolean {
    if (this.lengths[entry] !== id.length) return false;
    const start = this.starts[entry]!;
    for (let i = 0; i < id.length; i++) if (this.chars[start + i] !== id.charCodeAt(i)) return false;
    return true;
  }

  private add(id: string, line: number, hash: number, slot: number): void {
    if (this.count === this.starts.length) this.growEntries();
    if (this.charsUsed + id.length > this.chars.length) {
      const chars = Buffer.alloc(this.chars.length * 2);
      this.chars.copy(chars, 0, 0, this.charsUsed);
      this.chars = chars;
    }
    const entry = this.count++;
    this.starts[entry] = this.charsUsed;
    this.lengths[entry] = id.length;
    this.lines[entry] = line;
    this.hashes[entry] = hash;
    this.charsUsed += this.chars.write(id, this.charsUsed, 'latin1');
    this.slots[slot] = entry + 1;
    if (this.count * 2 > this.slots.length) this.growSlots();
  }

  private growEntries(): void {
    const size = this.starts.length * 2;
    const grown = <T extends Int32Array | Uint8Array | Uint32Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.starts = grown(this.starts, (n) => new Int32Array(n));
    this.lengths = grown(this.lengths, (n) => new Uint8Array(n));
    this.lines = grown(this.lines, (n) => new Int32Array(n));
    this.hashes = grown(this.hashes, (n) => new Uint32Array(n));
  }

  private growSlots(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let slot = this.hashes[entry]! & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = entry + 1;
    }
  }
}
