import type { CircuitState } from '../resilience/circuit-breaker.js';

export interface CacheStats {
  memory: {
    size: number;
    maxSize: number;
    utilizationPercent: number;
    /** Entries still fresh. */
    validEntries: number;
    /** Entries past their TTL still held (serving grace, or not yet purged by the LRU). */
    expiredEntries: number;
    /** Approximate bytes held, when `maxMemoryBytes` is set. */
    calculatedSize: number | undefined;
    evictions: number;
  };
  hits: { memory: number; redis: number; total: number };
  /** `total` counts lookups that reached neither layer (went to the source or returned null). */
  misses: { memory: number; redis: number; total: number };
  hitRate: { memory: number; redis: number; overall: number };
  operations: { writes: number; deletes: number; loads: number; staleServed: number; redisErrors: number };
  redis: { enabled: boolean; available: boolean; circuit: CircuitState };
  invalidation: { published: number; received: number; flushesAfterReconnect: number };
}

/** Plain counters; read into `CacheStats` on demand so the hot path only increments. */
export class CacheCounters {
  memoryHits = 0;
  memoryMisses = 0;
  redisHits = 0;
  redisMisses = 0;
  writes = 0;
  deletes = 0;
  loads = 0;
  staleServed = 0;
  redisErrors = 0;
  evictions = 0;
  published = 0;
  received = 0;
  flushesAfterReconnect = 0;
}

export function hitRate(hits: number, misses: number): number {
  const total = hits + misses;
  return total === 0 ? 0 : Math.round((hits / total) * 10_000) / 100;
}
