import { EventEmitter } from 'node:events';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Failures within the window that open the circuit (default 5). */
  failureThreshold?: number;
  /**
   * Failure percentage within the window that opens the circuit, once `minimumRequests` calls
   * were seen (default: off — only `failureThreshold` applies).
   */
  failureRateThreshold?: number;
  minimumRequests?: number;
  /** How long the circuit stays open before a trial call is let through, ms (default 30 000). */
  resetTimeout?: number;
  /** Length of the sliding window failures are counted in, ms (default 60 000). */
  monitoringWindow?: number;
  /** Successful trial calls in half-open needed to close (default 1). */
  successThreshold?: number;
  /** Concurrent trial calls allowed in half-open (default 1). */
  halfOpenMaxCalls?: number;
  /** Which errors count as failures of the dependency (default: all). */
  isFailure?: (error: unknown) => boolean;
  name?: string;
  /** Clock, injectable for tests. */
  now?: () => number;
}

export class CircuitOpenError extends Error {
  constructor(
    readonly breakerName: string,
    readonly retryAfterMs: number,
  ) {
    super(`circuit '${breakerName}' is open`);
    this.name = 'CircuitOpenError';
  }
}

const BUCKETS = 10;

/**
 * Closed → open when failures in the sliding window reach the threshold (count or rate);
 * open → half-open after `resetTimeout`; half-open → closed after `successThreshold` successful
 * trials, or back to open on any failed trial.
 *
 * Hand-written rather than opossum or cockatiel: the multi-level cache asks "may I call Redis?"
 * on every get, and needs that answer synchronously and without allocating a wrapper promise
 * (`isCallPermitted` + `recordSuccess`/`recordFailure`); opossum wraps a fixed function per
 * breaker with per-call timers, cockatiel only exposes `execute`. The window is a ring of time
 * buckets, so recording an outcome is O(1) whatever the call rate.
 *
 * Events: 'open', 'half-open', 'close', 'state-change' (from, to), 'reject', 'success', 'failure'.
 */
export class CircuitBreaker extends EventEmitter {
  readonly name: string;
  private readonly failureThreshold: number;
  private readonly failureRateThreshold: number | undefined;
  private readonly minimumRequests: number;
  private readonly resetTimeout: number;
  private readonly bucketWidth: number;
  private readonly successThreshold: number;
  private readonly halfOpenMaxCalls: number;
  private readonly isFailure: (error: unknown) => boolean;
  private readonly now: () => number;

  private currentState: CircuitState = 'closed';
  private openedAt = 0;
  private halfOpenInFlight = 0;
  private halfOpenSuccesses = 0;
  private readonly failures = new Array<number>(BUCKETS).fill(0);
  private readonly totals = new Array<number>(BUCKETS).fill(0);
  private readonly bucketStarts = new Array<number>(BUCKETS).fill(0);

  constructor(options: CircuitBreakerOptions = {}) {
    super();
    this.name = options.name ?? 'circuit';
    this.failureThreshold = options.failureThreshold ?? 5;
    this.failureRateThreshold = options.failureRateThreshold;
    this.minimumRequests = options.minimumRequests ?? 10;
    this.resetTimeout = options.resetTimeout ?? 30_000;
    this.bucketWidth = Math.max(1, Math.ceil((options.monitoringWindow ?? 60_000) / BUCKETS));
    this.successThreshold = options.successThreshold ?? 1;
    this.halfOpenMaxCalls = options.halfOpenMaxCalls ?? 1;
    this.isFailure = options.isFailure ?? (() => true);
    this.now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    if (this.currentState === 'open' && this.now() - this.openedAt >= this.resetTimeout) {
      this.transition('half-open');
    }
    return this.currentState;
  }

  /**
   * Whether a call may go ahead now. In half-open this reserves one trial slot, which the
   * matching `recordSuccess`/`recordFailure` releases.
   */
  isCallPermitted(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'half-open' && this.halfOpenInFlight < this.halfOpenMaxCalls) {
      this.halfOpenInFlight += 1;
      return true;
    }
    this.emit('reject');
    return false;
  }

  recordSuccess(): void {
    this.count(false);
    this.emit('success');
    if (this.currentState === 'half-open') {
      this.halfOpenInFlight = Math.max(0, this.halfOpenInFlight - 1);
      this.halfOpenSuccesses += 1;
      if (this.halfOpenSuccesses >= this.successThreshold) this.transition('closed');
    }
  }

  recordFailure(error?: unknown): void {
    if (error !== undefined && !this.isFailure(error)) {
      this.recordSuccess();
      return;
    }
    this.count(true);
    this.emit('failure', error);
    if (this.currentState === 'half-open') {
      this.halfOpenInFlight = Math.max(0, this.halfOpenInFlight - 1);
      this.transition('open');
    } else if (this.currentState === 'closed' && this.isThresholdReached()) {
      this.transition('open');
    }
  }

  /** Runs `fn` through the breaker; rejects with `CircuitOpenError` without calling it when open. */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.isCallPermitted()) {
      throw new CircuitOpenError(this.name, Math.max(0, this.resetTimeout - (this.now() - this.openedAt)));
    }
    try {
      const result = await fn();
      this.recordSuccess();
      return result;
    } catch (error) {
      this.recordFailure(error);
      throw error;
    }
  }

  /** Forces the circuit closed and forgets the window (after a known recovery). */
  reset(): void {
    this.failures.fill(0);
    this.totals.fill(0);
    this.transition('closed');
  }

  getStats(): { state: CircuitState; failures: number; total: number; failureRate: number } {
    const { failures, total } = this.windowCounts();
    return { state: this.state, failures, total, failureRate: total === 0 ? 0 : (failures / total) * 100 };
  }

  private count(isFailure: boolean): void {
    const now = this.now();
    const start = now - (now % this.bucketWidth);
    const index = Math.floor(now / this.bucketWidth) % BUCKETS;
    if (this.bucketStarts[index] !== start) {
      this.bucketStarts[index] = start;
      this.failures[index] = 0;
      this.totals[index] = 0;
    }
    this.totals[index] = (this.totals[index] ?? 0) + 1;
    if (isFailure) this.failures[index] = (this.failures[index] ?? 0) + 1;
  }

  private windowCounts(): { failures: number; total: number } {
    const oldest = this.now() - this.bucketWidth * BUCKETS;
    let failures = 0;
    let total = 0;
    for (let index = 0; index < BUCKETS; index += 1) {
      if ((this.bucketStarts[index] ?? 0) > oldest) {
        failures += this.failures[index] ?? 0;
        total += this.totals[index] ?? 0;
      }
    }
    return { failures, total };
  }

  private isThresholdReached(): boolean {
    const { failures, total } = this.windowCounts();
    if (failures >= this.failureThreshold) return true;
    return this.failureRateThreshold !== undefined && total >= this.minimumRequests && (failures / total) * 100 >= this.failureRateThreshold;
  }

  private transition(to: CircuitState): void {
    const from = this.currentState;
    if (from === to) return;
    this.currentState = to;
    if (to === 'open') this.openedAt = this.now();
    if (to === 'half-open') {
      this.halfOpenInFlight = 0;
      this.halfOpenSuccesses = 0;
    }
    if (to === 'closed') {
      this.failures.fill(0);
      this.totals.fill(0);
    }
    this.emit('state-change', from, to);
    this.emit(to === 'closed' ? 'close' : to);
  }
}

export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  return new CircuitBreaker(options);
}
