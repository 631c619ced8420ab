// The custom_ids of a requests file and the line each first appeared on, for the uniqueness check. A Map of the ids
// as strings took ~60 bytes an id in the V8 heap, and the heap's growth around it another as much: validating a
// million requests peaked near 400 MB. Here each id is a 96-bit digest in one typed array outside that heap, 16 bytes
// a slot. Two different ids share a digest with a chance below 1e-16 in a million ids (and custom_ids are the user's
// own: nobody gains by crafting a collision).
import * as crypto from 'node:crypto';

/** MD5 of a string: the one-shot `crypto.hash` where Node has it (20.12 on), a third faster than a Hash object. */
const md5: (text: string) => Buffer =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => crypto.hash('md5', text, 'buffer')
    : (text) => crypto.createHash('md5').update(text).digest();

/** Four 32-bit words a slot: three of digest, then the line number (0: the slot is free). */
const WORDS = 4;

export class CustomIdIndex {
  private slots = new Uint32Array(WORDS * 1024);
  private count = 0;

  /** The line this id first appeared on, or undefined (and it is recorded as appearing on `line`, counted from 1). */
  firstLineOf(id: string, line: number): number | undefined {
    const digest = md5(id);
    const d0 = digest.readUInt32LE(0);
    const d1 = digest.readUInt32LE(4);
    const d2 = digest.readUInt32LE(8);
    const mask = this.slots.length / WORDS - 1;
    for (let slot = d0 & mask; ; slot = (slot + 1) & mask) {
      const at = slot * WORDS;
      const seenOn = this.slots[at + 3]!;
      if (seenOn === 0) {
        this.slots[at] = d0;
        this.slots[at + 1] = d1;
        this.slots[at + 2] = d2;
        this.slots[at + 3] = line;
        if (++this.count * 2 > mask + 1) this.grow();
        return undefined;
      }
      if (this.slots[at] === d0 && this.slots[at + 1] === d1 && this.slots[at + 2] === d2) return seenOn;
    }
  }

  /** Doubles the table once it is half full, so probe runs stay short. */
  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    const mask = this.slots.length / WORDS - 1;
    for (let at = 0; at < old.length; at += WORDS) {
      if (old[at + 3] === 0) continue;
      let slot = old[at]! & mask;
      while (this.slots[slot * WORDS + 3] !== 0) slot = (slot + 1) & mask;
      this.slots.set(old.subarray(at, at + WORDS), slot * WORDS);
    }
  }
}
