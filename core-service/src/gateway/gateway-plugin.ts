import type { IncomingMessage } from 'node:http';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import type { Logger } from '../logger/logger.js';

/** Who is calling, as far as the gateway could verify. */
export interface Caller {
  kind: 'anonymous' | 'user' | 'admin';
  userId?: string;
  tenantId?: string;
  roles: string[];
  permissions: string[];
  sessionId?: string;
  /** Access token expiry (seconds since the epoch); live transports disconnect then. */
  expiresAt?: number;
}

export const ANONYMOUS_CALLER: Caller = Object.freeze({ kind: 'anonymous', roles: [], permissions: [] }) as Caller;

/**
 * One HTTP request's context. Apollo Server creates it once per HTTP request and shares it
 * between the operations of a batch, which is what lets the cost limit count a batch as the
 * sum of its operations.
 */
export interface GatewayContext {
  caller: Caller;
  correlationId: string;
  /** Client address: the nearest X-Forwarded-For hop no proxy named by `trustProxy` vouches for, else the peer. */
  ip: string;
  req?: IncomingMessage;
  logger: Logger;
  /**
   * Cost of the operations of this HTTP request resolved so far. An object, not a number: Apollo
   * gives each operation of a batch a shallow copy of the context, and the batch must add up.
   */
  batch: { cost: number };
  /** Cost of the operation being resolved (the rate limit spends it). */
  costOfLastOperation?: number;
  /** Headers plugins want on the HTTP response (X-RateLimit-*). */
  responseHeaders: Map<string, string>;
}

export interface ResolvedOperation {
  context: GatewayContext;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | undefined;
  variables: Record<string, unknown>;
  /** The document's source text (tokens are counted on it). */
  source: string;
}

export interface SubgraphRequest {
  subgraph: string;
  /** Headers of the outgoing subgraph request. */
  setHeader(name: string, value: string): void;
  context: GatewayContext | undefined;
}

/**
 * A cross-cutting gateway concern, Envelop style: a `useX(config)` factory returns one of these,
 * hooking only the phases it needs. `createGateway` runs them in list order, so the pipeline
 * reads as the list.
 */
export interface GatewayPlugin {
  readonly name: string;
  /** Once per HTTP request (and per socket/SSE connection), before any operation. May replace `caller`. */
  onRequest?(context: GatewayContext, req: IncomingMessage | undefined, token: string | undefined): Promise<void> | void;
  /** After the operation is parsed, validated and chosen, variables known; before any subgraph is called. Throw to reject. */
  onOperation?(operation: ResolvedOperation): Promise<void> | void;
  /** Each request the gateway sends to a subgraph. */
  onSubgraphRequest?(request: SubgraphRequest): void;
}
