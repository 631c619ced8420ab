/**
 * The emulator's time. Real time plus an offset by default; tests set, advance or freeze it so a batch can take
 * "20 hours" or reach its 24 h expiry in an instant. Batch state is computed from it on every read.
 */
export class EmulatorClock {
  private offsetMs = 0;
  private frozenAt: number | undefined;

  constructor(start?: number) {
    if (start !== undefined) this.set(start);
  }

  now(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }

  set(ms: number): void {
    if (this.frozenAt !== undefined) this.frozenAt = ms;
    else this.offsetMs = ms - Date.now();
  }

  advance(ms: number): void {
    this.set(this.now() + ms);
  }

  /** Stops the clock: it then moves only by set() and advance(). */
  freeze(): void {
    this.frozenAt = this.now();
  }

  resume(): void {
    if (this.frozenAt === undefined) return;
    const at = this.frozenAt;
    this.frozenAt = undefined;
    this.set(at);
  }
}
