import { Gauge, type Registry } from 'prom-client';
import type { CircuitState } from '../resilience/circuit-breaker.js';

/** A breaker as the metrics see it (a `CircuitBreaker` fits). */
export interface BreakerView {
  readonly name: string;
  readonly state: CircuitState;
}

/** The number each state is exported as: ordered by how bad it is, so `max` is meaningful. */
export const BREAKER_STATE_VALUES: Readonly<Record<CircuitState, number>> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * `circuit_breaker_state{breaker}`: 0 closed, 1 half-open, 2 open, read when scraped. Breakers
 * are named by what they guard (a subgraph, a provider, a cache's Redis), which bounds the label.
 */
export function registerBreakerMetrics(registry: Registry, breakers: () => Iterable<BreakerView>): void {
  new Gauge({
    name: 'circuit_breaker_state',
    help: 'Circuit breaker state by breaker: 0 closed, 1 half-open, 2 open',
    labelNames: ['breaker'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const breaker of breakers()) this.set({ breaker: breaker.name }, BREAKER_STATE_VALUES[breaker.state]);
    },
  });
}
