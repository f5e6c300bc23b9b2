import { setTimeout as delay } from 'node:timers/promises';

export type RetryStrategy = 'exponential' | 'linear' | 'fixed';

export interface RetryConfig {
  /** Total attempts, the first included. */
  maxAttempts: number;
  strategy?: RetryStrategy;
  /** Delay before the second attempt, in ms. */
  initialDelay: number;
  /** Upper bound of any delay, in ms. */
  maxDelay?: number;
  /** Growth factor of the exponential strategy (default 2). */
  multiplier?: number;
  /**
   * Full jitter (a random delay in [0, computed]) rather than none: retries of many clients
   * that failed together must not hit the dependency again together.
   */
  jitter?: boolean;
  /** Whether an error is worth another attempt; default: every error. */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Aborts the wait between attempts (and stops further attempts). */
  signal?: AbortSignal;
}

export const RetryConfigs = {
  fast: { maxAttempts: 3, strategy: 'exponential', initialDelay: 100, maxDelay: 1_000, jitter: true },
  standard: { maxAttempts: 5, strategy: 'exponential', initialDelay: 1_000, maxDelay: 15_000, jitter: true },
  slow: { maxAttempts: 10, strategy: 'exponential', initialDelay: 5_000, maxDelay: 60_000, jitter: true },
} as const satisfies Record<string, RetryConfig>;

/** The delay before attempt `attempt + 1`, `attempt` counting from 1. Pure: tested without timers. */
export function computeRetryDelay(config: RetryConfig, attempt: number, random: () => number = Math.random): number {
  const strategy = config.strategy ?? 'exponential';
  const base = strategy === 'fixed' ? config.initialDelay : strategy === 'linear' ? config.initialDelay * attempt : config.initialDelay * (config.multiplier ?? 2) ** (attempt - 1);
  const capped = Math.min(base, config.maxDelay ?? Number.POSITIVE_INFINITY);
  return config.jitter ? Math.floor(random() * capped) : capped;
}

/**
 * Runs `fn` until it succeeds, the predicate says stop, or attempts run out; the last error is
 * thrown. Hand-written (cockatiel's `retry` would do) because it is twenty lines with the
 * brief's option names and no policy objects for callers to learn.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, config: RetryConfig): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (error) {
      const isLast = attempt >= config.maxAttempts;
      if (isLast || config.signal?.aborted || (config.shouldRetry !== undefined && !config.shouldRetry(error, attempt))) {
        throw error;
      }
      const wait = computeRetryDelay(config, attempt);
      config.onRetry?.(error, attempt, wait);
      await delay(wait, undefined, config.signal !== undefined ? { signal: config.signal } : undefined);
    }
  }
}
