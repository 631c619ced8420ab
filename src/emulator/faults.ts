// Injected faults, consumed one matching call at a time.
import type { Endpoint, FaultInjection, FaultStatus } from './types';

type Remaining = FaultInjection & { left: number };

const applies = (fault: { endpoint?: Endpoint | 'any' }, endpoint: Endpoint | 'unknown') =>
  fault.endpoint === undefined || fault.endpoint === 'any' || fault.endpoint === endpoint;

export class FaultQueue {
  private faults: Remaining[] = [];

  add(fault: FaultInjection): void {
    const left = 'kind' in fault && fault.kind === 'stall' ? (fault.count ?? 1) : fault.count;
    if (left > 0) this.faults.push({ ...fault, left });
  }

  clear(): void {
    this.faults = [];
  }

  private take<T extends Remaining>(found: (f: Remaining) => f is T): T | undefined {
    const fault = this.faults.find((f) => found(f) && f.left > 0) as T | undefined;
    if (!fault) return undefined;
    fault.left -= 1;
    if (fault.left === 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }

  /** Real milliseconds this call should wait before it is handled, if a stall applies. */
  takeStall(endpoint: Endpoint | 'unknown'): number | undefined {
    return this.take(
      (f): f is Remaining & { kind: 'stall'; ms: number } => 'kind' in f && f.kind === 'stall' && applies(f, endpoint),
    )?.ms;
  }

  /** The error status this call should get, if a status fault applies. */
  takeStatus(endpoint: Endpoint | 'unknown'): { status: FaultStatus; retryAfterSeconds?: number } | undefined {
    return this.take(
      (f): f is Remaining & { status: FaultStatus; retryAfterSeconds?: number } =>
        'status' in f && applies(f, endpoint),
    );
  }

  /** Whether this create should lose its response. */
  takeDrop(): boolean {
    return this.take((f): f is Remaining => 'kind' in f && f.kind === 'drop-after-create') !== undefined;
  }
}
