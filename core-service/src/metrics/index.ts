export { registerServiceMetrics } from './service-metrics.js';
export type { ServiceMetricSources } from './service-metrics.js';
export { registerPoolMetrics } from './pool-metrics.js';
export { registerTransactionMetrics } from './transaction-metrics.js';
export { registerEventBusMetrics } from './event-bus-metrics.js';
export { registerCacheMetrics } from './cache-metrics.js';
export type { CacheStatsSource } from './cache-metrics.js';
export { registerBreakerMetrics, BREAKER_STATE_VALUES } from './breaker-metrics.js';
export type { BreakerView } from './breaker-metrics.js';
export { registerQueueMetrics } from './queue-metrics.js';
export type { QueueCountsSource, QueueJobState } from './queue-metrics.js';
export { counterFromTotals, perScrape } from './scrape-snapshot.js';
// Services define their own counters with these, on the registry their server hands them,
// without a prom-client dependency of their own (one copy, one Registry class).
export { Counter, Gauge, Histogram, Registry } from 'prom-client';
export { createServiceMetricsCatalog, idleServiceMetricSources } from './metrics-catalog.js';
