import { readFileSync } from 'node:fs';

/** A process's peak RSS in bytes as the kernel keeps it (VmHWM, Linux), not sampled: no short peak is missed. */
export function peakRssOf(pid: number | 'self'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
}

/** A process's RSS now, in bytes (VmRSS). */
export function rssOf(pid: number | 'self'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
}
