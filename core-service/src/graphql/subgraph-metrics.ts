import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * A subgraph's Prometheus metrics, on a registry of its own (several services in one test
 * process must not collide on the global one), labelled with the service name. Operations are
 * counted by root field, not operation name: root fields are bounded by the schema, operation
 * names by nobody. Services add their own metrics to `registry`; `/metrics` serves it.
 */
export function createSubgraphMetrics(service: string, options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const operations = new Counter({
    name: 'subgraph_operations_total',
    help: 'GraphQL operations by root field, type and outcome',
    labelNames: ['field', 'type', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'subgraph_operation_duration_seconds',
    help: 'Time from parsed request to response, by root field',
    labelNames: ['field'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const plugin: ApolloServerPlugin = {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operation, errors }) {
          const selection = operation?.selectionSet.selections.find((s) => s.kind === 'Field');
          const field = selection?.kind === 'Field' ? selection.name.value : 'unknown';
          const type = operation?.operation ?? 'unknown';
          operations.inc({ field, type, outcome: errors !== undefined && errors.length > 0 ? 'error' : 'ok' });
          duration.observe({ field }, (performance.now() - started) / 1000);
        },
      };
    },
  };
  return { registry, plugin };
}

export type SubgraphMetrics = ReturnType<typeof createSubgraphMetrics>;
