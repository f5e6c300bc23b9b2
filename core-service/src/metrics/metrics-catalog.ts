import { MongoClient } from 'mongodb';
import type { Registry } from 'prom-client';
import { createSubgraphMetrics } from '../graphql/subgraph-metrics.js';
import { registerServiceMetrics, type ServiceMetricSources } from './service-metrics.js';

/**
 * Sources that register every family of `registerServiceMetrics` without reaching a server: a
 * client that is never connected, an event bus with nothing pending, no caches, breakers or
 * queues (their families are registered all the same).
 */
export function idleServiceMetricSources(): ServiceMetricSources {
  return {
    client: new MongoClient('mongodb://127.0.0.1:9/?directConnection=true'),
    events: {
      getStats: async () => ({ listening: false, subscriptions: 0, lag: 0, pending: 0, deadLetters: 0, relay: { running: false, leader: false }, outboxPending: 0, oldestOutboxPendingMs: 0 }),
    },
    caches: {},
    breakers: () => [],
    queues: () => [],
  };
}

/**
 * The registry a subgraph serves on `/metrics`, built by the same functions its server and
 * wiring call (`createSubgraphMetrics`, `registerServiceMetrics`, then the service's own
 * `register`) on idle sources: what dashboards and alert rules may reference, checked without
 * starting the service (deploy/test/observability.test.ts).
 */
export function createServiceMetricsCatalog(service: string, register: (registry: Registry) => void = () => undefined): Registry {
  const { registry } = createSubgraphMetrics(service);
  registerServiceMetrics(registry, idleServiceMetricSources());
  register(registry);
  return registry;
}
