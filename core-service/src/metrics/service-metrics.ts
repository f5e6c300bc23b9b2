import type { MongoClient } from 'mongodb';
import type { Registry } from 'prom-client';
import type { EventBus } from '../events/event-bus.js';
import { registerBreakerMetrics, type BreakerView } from './breaker-metrics.js';
import { registerCacheMetrics, type CacheStatsSource } from './cache-metrics.js';
import { registerEventBusMetrics } from './event-bus-metrics.js';
import { registerPoolMetrics } from './pool-metrics.js';
import { registerQueueMetrics, type QueueCountsSource } from './queue-metrics.js';
import { registerTransactionMetrics } from './transaction-metrics.js';

/** The parts of a service its SDK metrics read; each is optional, and absent parts export nothing. */
export interface ServiceMetricSources {
  /** MongoDB pool (CMAP events) and `withTransaction` outcomes and retries on this client. */
  client?: MongoClient;
  /** Outbox backlog and age, consumer-group lag and pending entries, dead letters. */
  events?: Pick<EventBus, 'getStats'>;
  /** Named caches: hits and misses per level; each cache's Redis breaker joins the breakers as `cache:<name>`. */
  caches?: Readonly<Record<string, CacheStatsSource>>;
  /** Circuit breakers of the service (providers, subgraphs). */
  breakers?: () => Iterable<BreakerView>;
  /** BullMQ queues of the service. */
  queues?: () => Iterable<QueueCountsSource | undefined>;
}

/**
 * Registers the SDK's operational metrics of one service on its registry (the subgraph
 * server's `server.metrics`, served at `/metrics`), once, at wiring time. Everything but the
 * transaction counters is read when Prometheus scrapes, so the request path pays nothing; the
 * transaction counters are one increment per transaction. The families are listed in
 * `src/metrics/README.md`. Returns what stops the transaction observer (tests that reuse a client).
 */
export function registerServiceMetrics(registry: Registry, sources: ServiceMetricSources): { stop(): void } {
  let stopTransactions = (): void => undefined;
  if (sources.client !== undefined) {
    registerPoolMetrics(registry, sources.client);
    stopTransactions = registerTransactionMetrics(registry, sources.client);
  }
  if (sources.events !== undefined) registerEventBusMetrics(registry, sources.events);
  const caches = sources.caches ?? {};
  registerCacheMetrics(registry, caches);
  registerBreakerMetrics(registry, function* () {
    if (sources.breakers !== undefined) yield* sources.breakers();
    for (const [name, cache] of Object.entries(caches)) yield { name: `cache:${name}`, state: cache.getStats().redis.circuit };
  });
  registerQueueMetrics(registry, sources.queues ?? (() => []));
  return { stop: stopTransactions };
}
