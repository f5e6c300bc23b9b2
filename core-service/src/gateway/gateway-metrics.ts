import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { registerBreakerMetrics, type BreakerView } from '../metrics/breaker-metrics.js';

/**
 * The gateway's Prometheus metrics on a registry of its own (two gateways in one test process
 * must not collide on the global one).
 */
export function createGatewayMetrics(options: { defaultMetrics?: boolean; breakers?: () => Iterable<BreakerView> } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'gateway_' });
  // The subgraphs' breakers (circuit_breaker_state{breaker=<subgraph>}), read when scraped.
  registerBreakerMetrics(registry, options.breakers ?? (() => []));
  return {
    registry,
    requests: new Counter({ name: 'gateway_graphql_requests_total', help: 'GraphQL operations by type and outcome', labelNames: ['operation', 'outcome'] as const, registers: [registry] }),
    latency: new Histogram({
      name: 'gateway_graphql_request_duration_seconds',
      help: 'Time from request to response per HTTP GraphQL request, by operation type',
      labelNames: ['operation'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    cost: new Histogram({
      name: 'gateway_operation_cost',
      help: 'Computed cost of operations (measure-only mode included)',
      labelNames: ['caller'] as const,
      buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
      registers: [registry],
    }),
    rejected: new Counter({ name: 'gateway_rejected_operations_total', help: 'Operations refused before execution, by reason', labelNames: ['reason'] as const, registers: [registry] }),
    sockets: new Gauge({ name: 'gateway_live_connections', help: 'Open live-update connections by transport', labelNames: ['transport'] as const, registers: [registry] }),
    subgraphErrors: new Counter({ name: 'gateway_subgraph_unavailable_total', help: 'Subgraph fetches refused by a breaker or bulkhead', labelNames: ['subgraph'] as const, registers: [registry] }),
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
