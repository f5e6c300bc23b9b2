import type { CircuitBreakerOptions } from '../resilience/circuit-breaker.js';

export interface CacheSettings {
  /** Most entries kept in memory (L1). */
  maxMemorySize: number;
  /** Optional bound on L1's approximate size in bytes (JSON length of the values). */
  maxMemoryBytes: number | undefined;
  memoryEnabled: boolean;
  redisEnabled: boolean;
  /** TTL in seconds when a call gives none. */
  defaultTtl: number;
  /**
   * Longest an entry lives in memory, seconds, whatever its TTL. Invalidation messages can be
   * lost (pub/sub is fire-and-forget); this bounds how long a missed one can serve stale data.
   */
  memoryMaxTtl: number;
  /**
   * Seconds a value may be served after its TTL while one refresh runs (stale-while-revalidate)
   * and while the source fails; 0 turns it off.
   */
  gracePeriod: number;
  /** Kept for the brief's API; lru-cache expires entries lazily, so no sweeper is needed. */
  cleanupInterval: number;
  /** Prefix of the Redis keys and of the invalidation channel. */
  keyPrefix: string;
  /** When L2 calls fail this much, L2 is skipped until a trial call succeeds. */
  redisCircuitBreaker: Pick<CircuitBreakerOptions, 'failureThreshold' | 'resetTimeout' | 'monitoringWindow'>;
}

export const DEFAULT_CACHE_SETTINGS: CacheSettings = {
  maxMemorySize: 10_000,
  maxMemoryBytes: undefined,
  memoryEnabled: true,
  redisEnabled: true,
  defaultTtl: 300,
  memoryMaxTtl: 60,
  gracePeriod: 0,
  cleanupInterval: 60_000,
  keyPrefix: 'cache:',
  redisCircuitBreaker: { failureThreshold: 5, resetTimeout: 5_000, monitoringWindow: 10_000 },
};
