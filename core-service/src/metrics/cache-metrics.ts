import type { Registry } from 'prom-client';
import type { CacheStats } from '../cache/cache-stats.js';
import { counterFromTotals } from './scrape-snapshot.js';

/** What the metrics read of a cache (a `MultiLevelCache`). */
export interface CacheStatsSource {
  getStats(): CacheStats;
}

/**
 * Hits and misses per cache and level (l1 = in-process memory, l2 = Redis), from the cache's own
 * counters at scrape time: the lookup path keeps its plain increments. The hit ratio is left to
 * Prometheus, e.g. `sum by (cache, level) (rate(cache_hits_total[5m])) / (… hits + misses …)`.
 */
export function registerCacheMetrics(registry: Registry, caches: Readonly<Record<string, CacheStatsSource>>): void {
  const totals = (pick: (stats: CacheStats) => { memory: number; redis: number }) => () =>
    Object.entries(caches).flatMap(([cache, source]) => {
      const counts = pick(source.getStats());
      return [
        [{ cache, level: 'l1' }, counts.memory],
        [{ cache, level: 'l2' }, counts.redis],
      ] as const;
    });
  counterFromTotals(
    { name: 'cache_hits_total', help: 'Cache lookups answered, by cache and level (l1 memory, l2 Redis)', labelNames: ['cache', 'level'] as const, registers: [registry] },
    totals((s) => s.hits),
  );
  counterFromTotals(
    { name: 'cache_misses_total', help: 'Cache lookups a level could not answer, by cache and level (l1 memory, l2 Redis)', labelNames: ['cache', 'level'] as const, registers: [registry] },
    totals((s) => s.misses),
  );
}
