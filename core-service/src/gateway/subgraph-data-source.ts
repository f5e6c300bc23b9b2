import { GraphQLError as BaseGraphQLError } from 'graphql';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { CORE_ERRORS } from '../errors/core-errors.js';
import { createServiceError } from '../errors/graphql-error.js';
import { getLogger } from '../logger/logger.js';
import { Bulkhead, BulkheadQueueTimeoutError, BulkheadRejectedError } from '../resilience/bulkhead.js';
import { CircuitBreaker, CircuitOpenError, type CircuitBreakerOptions } from '../resilience/circuit-breaker.js';
import { createSubgraphFetcher } from './subgraph-fetcher.js';
import type { GatewayContext, GatewayPlugin } from './gateway-plugin.js';

export interface SubgraphResilienceConfig {
  breaker?: CircuitBreakerOptions;
  /** Concurrent requests to one subgraph; more wait in the queue, beyond it fail fast. Default 100 / 200. */
  maxConcurrent?: number;
  maxQueue?: number;
  queueTimeoutMs?: number;
  /** A subgraph request still unanswered after this long fails (and counts for the breaker). Default 30 s. */
  requestTimeoutMs?: number;
}

// Apollo's request kinds (the package root does not export the enum): only client operations
// go through the bulkhead and the breaker; schema loading and health checks must reach a
// subgraph whose breaker is open, or a tripped breaker would also stop recomposition.
const INCOMING_OPERATION = 'incoming operation';

/**
 * What opens a subgraph's breaker: it could not be reached, timed out, or answered with an HTTP
 * error of its own (5xx: it says it is unhealthy). A GraphQL error in a 200 answer (a refused
 * transfer, one wallet's conflict) is the subgraph working, and must not cut every user off.
 */
function isSubgraphFailure(error: unknown): boolean {
  if (!(error instanceof BaseGraphQLError)) return true;
  const status = (error.extensions['response'] as { status?: number } | undefined)?.status;
  return status === undefined || status >= 500;
}

/**
 * One subgraph as the query planner sees it: every fetch goes through the plugins'
 * `onSubgraphRequest` (context signing), then the subgraph's bulkhead and circuit breaker. A
 * fetch refused by either fails only the fields that subgraph serves: the query plan goes on
 * with the others and the response carries partial data and an MSCoreServiceUnavailable error.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly breaker: CircuitBreaker;
  readonly bulkhead: Bulkhead;
  /** Metrics hook: a fetch this subgraph could not serve. */
  onUnavailable?: (subgraph: string, reason: string) => void;

  constructor(
    readonly subgraphName: string,
    url: string,
    private readonly plugins: readonly GatewayPlugin[],
    resilience: SubgraphResilienceConfig = {},
  ) {
    // node:http on a keep-alive agent (subgraph-fetcher.ts says why not fetch).
    const fetcher = createSubgraphFetcher({ timeoutMs: resilience.requestTimeoutMs ?? 30_000 });
    super({ url, fetcher });
    // Half-open after one second: once the subgraph answers again, traffic is back within a
    // second (a trial request per second while it is still down costs little).
    this.breaker = new CircuitBreaker({ name: subgraphName, failureThreshold: 5, resetTimeout: 1_000, isFailure: isSubgraphFailure, ...resilience.breaker });
    this.bulkhead = new Bulkhead({
      name: subgraphName,
      maxConcurrent: resilience.maxConcurrent ?? 100,
      maxQueue: resilience.maxQueue ?? 200,
      ...(resilience.queueTimeoutMs !== undefined ? { queueTimeout: resilience.queueTimeoutMs } : { queueTimeout: 5_000 }),
    });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    const gatewayContext = context && 'caller' in context ? (context as GatewayContext) : undefined;
    for (const plugin of this.plugins) {
      plugin.onSubgraphRequest?.({ subgraph: this.subgraphName, context: gatewayContext, setHeader: (name, value) => headers.set(name, value) });
    }
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): ReturnType<RemoteGraphQLDataSource<GatewayContext>['process']> {
    if ((options.kind as string) !== INCOMING_OPERATION) return super.process(options);
    try {
      return await this.bulkhead.execute(() => this.breaker.execute(() => super.process(options)));
    } catch (error) {
      // Refused by the breaker or bulkhead, or the subgraph could not be reached: a stable code
      // the client can act on instead of a masked internal error. Only the fields this subgraph
      // serves are lost; the rest of the plan still answers.
      if (error instanceof BaseGraphQLError) throw error;
      const reason = error instanceof CircuitOpenError ? 'circuit-open' : error instanceof BulkheadRejectedError || error instanceof BulkheadQueueTimeoutError ? 'overloaded' : 'unreachable';
      this.onUnavailable?.(this.subgraphName, reason);
      // The client is told only that the subgraph is unavailable; the operator needs why. A
      // refusal by the breaker or the bulkhead says nothing new (the metric counts those), and
      // an open breaker keeps the failures that are logged to a handful per second.
      if (reason === 'unreachable') getLogger('gateway').warn({ err: error, subgraph: this.subgraphName }, 'subgraph request failed');
      throw createServiceError(CORE_ERRORS.ServiceUnavailable, `${this.subgraphName} is temporarily unavailable`, {
        subgraph: this.subgraphName,
        reason,
      });
    }
  }
}
