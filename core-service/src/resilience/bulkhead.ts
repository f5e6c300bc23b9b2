export interface BulkheadOptions {
  /** Calls running at once. */
  maxConcurrent: number;
  /** Calls waiting for a slot; beyond it calls are rejected at once (default 0). */
  maxQueue?: number;
  /** How long a call may wait in the queue, ms (default: no limit). */
  queueTimeout?: number;
  name?: string;
}

export class BulkheadRejectedError extends Error {
  constructor(readonly bulkheadName: string) {
    super(`bulkhead '${bulkheadName}' is full`);
    this.name = 'BulkheadRejectedError';
  }
}

export class BulkheadQueueTimeoutError extends Error {
  constructor(
    readonly bulkheadName: string,
    readonly waitedMs: number,
  ) {
    super(`bulkhead '${bulkheadName}': no slot within ${waitedMs} ms`);
    this.name = 'BulkheadQueueTimeoutError';
  }
}

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Concurrency limit with a bounded FIFO queue and a queue timeout: one slow dependency can tie
 * up at most `maxConcurrent` requests, and callers learn quickly when it is saturated.
 * Hand-written because cockatiel's bulkhead has no queue timeout and opossum has no bulkhead.
 */
export class Bulkhead {
  readonly name: string;
  private readonly maxConcurrent: number;
  private readonly maxQueue: number;
  private readonly queueTimeout: number | undefined;
  private running = 0;
  private readonly queue: Waiter[] = [];

  constructor(options: BulkheadOptions) {
    if (options.maxConcurrent < 1) throw new RangeError('maxConcurrent must be at least 1');
    this.name = options.name ?? 'bulkhead';
    this.maxConcurrent = options.maxConcurrent;
    this.maxQueue = options.maxQueue ?? 0;
    this.queueTimeout = options.queueTimeout;
  }

  execute<T>(fn: () => Promise<T>): Promise<T> {
    // A free slot starts the call synchronously, as a direct call would; only waiters queue.
    if (this.running < this.maxConcurrent) {
      this.running += 1;
      return this.run(fn);
    }
    return this.enqueue().then(() => this.run(fn));
  }

  getStats(): { running: number; queued: number; maxConcurrent: number; maxQueue: number } {
    return { running: this.running, queued: this.queue.length, maxConcurrent: this.maxConcurrent, maxQueue: this.maxQueue };
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private enqueue(): Promise<void> {
    if (this.queue.length >= this.maxQueue) return Promise.reject(new BulkheadRejectedError(this.name));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { grant: resolve, timer: undefined };
      if (this.queueTimeout !== undefined) {
        const timeout = this.queueTimeout;
        waiter.timer = setTimeout(() => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) this.queue.splice(index, 1);
          reject(new BulkheadQueueTimeoutError(this.name, timeout));
        }, timeout);
      }
      this.queue.push(waiter);
    });
  }

  private release(): void {
    const next = this.queue.shift();
    if (next === undefined) {
      this.running -= 1;
      return;
    }
    // The slot passes straight to the next waiter; `running` stays the same.
    if (next.timer !== undefined) clearTimeout(next.timer);
    next.grant();
  }
}

export function createBulkhead(options: BulkheadOptions): Bulkhead {
  return new Bulkhead(options);
}
