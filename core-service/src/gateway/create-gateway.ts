import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSchema, GraphQLError as BaseGraphQLError, type GraphQLSchema } from 'graphql';
import type { Redis } from 'ioredis';
import type { AccessTokenKeys } from '../auth/access-token-keys.js';
import type { ComplexityConfig } from '../complexity/complexity-config.js';
import { CORE_ERRORS } from '../errors/core-errors.js';
import { formatError } from '../errors/format-error.js';
import { createServiceError } from '../errors/graphql-error.js';
import { formatGatewayError } from './format-gateway-error.js';
import { createGraphqlIde, type GraphqlIdeOptions } from './graphql-ide.js';
import { readBody, sendJson } from '../graphql/subgraph-server.js';
import { generateCorrelationId, getCorrelationId, runWithCorrelationId } from '../logger/correlation.js';
import type { HealthCheckResult } from '../lifecycle/health-checks.js';
import { getLogger, type Logger } from '../logger/logger.js';
import { ANONYMOUS_CALLER, type GatewayContext, type GatewayPlugin } from './gateway-plugin.js';
import { createGatewayMetrics, type GatewayMetrics } from './gateway-metrics.js';
import { buildLiveSchema } from './live/live-schema.js';
import { LiveHub } from './live/live-hub.js';
import { LiveSessionGuard } from './live/live-session-guard.js';
import { prepareSubscription } from './live/live-subscription.js';
import { createSocketTransport } from './live/socket-transport.js';
import { handleSseRequest } from './live/sse-transport.js';
import { waitForRedisReady } from '../redis/connection.js';
import { RedisKeyValueCache } from './redis-key-value-cache.js';
import { applyCors, setSecurityHeaders } from './security-headers.js';
import { SubgraphDataSource, type SubgraphResilienceConfig } from './subgraph-data-source.js';
import { introspectWithRetries, type SubgraphDefinition } from './supergraph-source.js';
import { bearerToken, useAuth } from './use-auth.js';
import { useContextSigning } from './use-context-signing.js';
import { useCostLimit } from './use-cost-limit.js';
import { usePersistedOperations, sha256Hex } from './use-persisted-operations.js';
import { requestErrorStatus, useVariableCoercion } from './use-variable-coercion.js';
import { ErrorCodeCatalog } from './error-code-catalog.js';
import proxyAddr, { compile as compileTrust } from 'proxy-addr';
import { useRateLimit, type UseRateLimitConfig } from './use-rate-limit.js';

export interface GatewaySubgraph extends SubgraphDefinition {
  /** A critical subgraph being down makes the gateway not ready; others only degrade answers. */
  critical?: boolean;
}

export interface GatewayConfig {
  port?: number;
  host?: string;
  subgraphs: readonly GatewaySubgraph[];
  /** Production: the supergraph composed at build time. Without it, composed from the running subgraphs. */
  supergraphSdl?: string;
  /** Default: NODE_ENV === 'production'. Turns introspection and suggestions off. */
  production?: boolean;
  redis: Redis;
  /** Key prefix of the gateway's Redis keys (the brand). */
  brand?: string | null;
  /** INTERNAL_CONTEXT_SECRET. */
  contextSecret: string;
  tokenKeys: AccessTokenKeys;
  cost?: { measureOnly?: boolean; presets?: Partial<Record<'anonymous' | 'user' | 'admin', ComplexityConfig>> };
  rateLimit?: Omit<UseRateLimitConfig, 'redis' | 'keyPrefix' | 'onLimited'> | false;
  /** Persisted operations (sha256 → document); `only` rejects anything else. */
  persistedOperations?: { operations: ReadonlyMap<string, string>; only?: boolean };
  resilience?: SubgraphResilienceConfig;
  allowedOrigins?: readonly string[];
  maxBodyBytes?: number;
  /** Operations allowed in one batched HTTP request (an array body). Default 10. */
  maxBatchSize?: number;
  /**
   * Which proxies' X-Forwarded-For is believed (proxy-addr's trust: `'loopback'`, addresses and
   * CIDRs, a list of them, or a hop count). The client address is the nearest one no trusted
   * proxy vouches for; without this, it is the connection's peer and the header is ignored.
   */
  trustProxy?: string | readonly string[] | number;
  /** Live updates: the integration events stream. Default `{brand}:events`. */
  eventsStreamKey?: string;
  sseHeartbeatMs?: number;
  /** How often live connections' sessions are re-checked for revocation. Default 2 s. */
  liveSessionSweepMs?: number;
  /**
   * How long a session Redis said is not revoked is believed without asking again (use-auth.ts).
   * Default 1 000 ms. An announced revocation (all of the auth-service's) applies from the next
   * request whatever this is; this bounds only one whose announcement was lost.
   */
  revocationCheckCacheMs?: number;
  /** GraphiQL at `GET /graphql` for browsers. Default: on outside production; never in production. */
  graphqlIde?: GraphqlIdeOptions | false;
  /** Extra plugins, appended after the built-in list. */
  plugins?: readonly GatewayPlugin[];
  logger?: Logger;
}

/** `/health/ready`, in the same shape as a subgraph's (`ServiceLifecycle.getReadiness`). */
export interface GatewayReadiness {
  ready: boolean;
  status: 'ready' | 'not-ready';
  service: 'gateway';
  checks: Record<string, HealthCheckResult & { critical: boolean }>;
}

export interface Gateway {
  readonly plugins: readonly GatewayPlugin[];
  readonly metrics: GatewayMetrics;
  readonly hub: LiveHub;
  readonly dataSources: ReadonlyMap<string, SubgraphDataSource>;
  /** Listens, composes the supergraph (retrying in development), starts live updates. */
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  /** The full supergraph schema the cost limit scores against (undefined before composition). */
  supergraphSchema(): GraphQLSchema | undefined;
  readiness(): Promise<GatewayReadiness>;
}

/**
 * The federated gateway: Apollo Gateway + Apollo Server 5 on node http, protected by a list of
 * small plugins, with live updates over Socket.IO and SSE. Only public entry point of the
 * platform; subgraphs accept only requests it signed.
 */
/** How long readiness waits for Redis and for each subgraph's own readiness. */
const READINESS_PROBE_MS = 2_000;

export function createGateway(config: GatewayConfig): Gateway {
  const log = config.logger ?? getLogger('gateway');
  const production = config.production ?? process.env['NODE_ENV'] === 'production';
  const prefix = config.brand ? `${config.brand}:` : '';
  const dataSources = new Map<string, SubgraphDataSource>();
  const metrics = createGatewayMetrics({ breakers: () => [...dataSources.values()].map((source) => source.breaker) });
  let supergraphSchema: GraphQLSchema | undefined;
  let apiSchema: GraphQLSchema | undefined;
  let liveSchema: GraphQLSchema | undefined;

  const auth = useAuth({
    keys: config.tokenKeys,
    redis: config.redis,
    brand: config.brand ?? null,
    ...(config.revocationCheckCacheMs !== undefined ? { revocationCheckCacheMs: config.revocationCheckCacheMs } : {}),
  });
  // The pipeline, in the order it runs. Each entry is one file, one concern.
  const plugins: GatewayPlugin[] = [
    auth,
    ...(config.persistedOperations ? [usePersistedOperations({ operations: config.persistedOperations.operations, only: config.persistedOperations.only ?? false })] : []),
    useVariableCoercion({ schema: () => apiSchema }),
    useCostLimit({
      schema: () => supergraphSchema,
      ...(config.cost?.presets ? { presets: config.cost.presets } : {}),
      measureOnly: config.cost?.measureOnly ?? false,
      onAnalysis: (analysis, rejected, caller) => {
        metrics.cost.observe({ caller: caller.kind }, analysis.cost);
        if (rejected) metrics.rejected.inc({ reason: analysis.violations[0]?.measure ?? 'cost' });
      },
    }),
    ...(config.rateLimit === false ? [] : [useRateLimit({ redis: config.redis, keyPrefix: `${prefix}gateway`, ...config.rateLimit, onLimited: () => metrics.rejected.inc({ reason: 'rate-limit' }) })]),
    useContextSigning({ secret: config.contextSecret }),
    ...(config.plugins ?? []),
  ];

  const errorCodes = new ErrorCodeCatalog({ subgraphs: config.subgraphs, contextSecret: config.contextSecret, logger: log });
  const apolloGateway = new ApolloGateway({
    ...(config.supergraphSdl !== undefined ? { supergraphSdl: config.supergraphSdl } : { supergraphSdl: introspectWithRetries({ subgraphs: config.subgraphs, logger: log, pollIntervalMs: 10_000 }) }),
    buildService: ({ name, url }) => {
      // A build-time supergraph carries default URLs; where the subgraph runs is configuration.
      const configured = config.subgraphs.find((s) => s.name === name)?.url;
      const source = new SubgraphDataSource(name, configured ?? url ?? '', plugins, config.resilience);
      source.onUnavailable = (subgraph) => metrics.subgraphErrors.inc({ subgraph });
      dataSources.set(name, source);
      return source;
    },
    logger: apolloLogger(log),
  });
  apolloGateway.onSchemaLoadOrUpdate(({ apiSchema: served, coreSupergraphSdl }) => {
    apiSchema = served;
    supergraphSchema = buildSchema(coreSupergraphSdl, { assumeValidSDL: true });
    void errorCodes.refresh();
    liveSchema = buildLiveSchema(served);
  });

  const httpServer = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error({ err: error }, 'gateway request handler failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: CORE_ERRORS.InternalServerError } }] });
      else res.destroy();
    });
  });

  const pipelinePlugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async didResolveOperation({ contextValue, document, operation, operationName, request, source }) {
          if (!operation) return;
          // Subscriptions are in the public schema (so clients generate their types) but live on
          // the push layer; over plain HTTP they get a pointer there, not a planner failure.
          if (operation.operation === 'subscription') {
            throw createServiceError('BAD_REQUEST', 'Subscriptions are served over Socket.IO (/socket.io) and Server-Sent Events (GET or POST /graphql/stream), not over plain HTTP', {
              transports: ['/socket.io', '/graphql/stream'],
              http: { status: requestErrorStatus(contextValue.req) },
            });
          }
          for (const plugin of plugins) {
            await plugin.onOperation?.({
              context: contextValue,
              document,
              operation,
              operationName: operationName ?? undefined,
              variables: request.variables ?? {},
              source,
            });
          }
        },
        async willSendResponse({ contextValue, response, operation, errors }) {
          if (response.body.kind === 'single') await errorCodes.fill(operation ?? undefined, response.body.singleResult.data as Record<string, unknown> | null | undefined);
          for (const [name, value] of contextValue.responseHeaders) response.http.headers.set(name, value);
          response.http.headers.set('x-correlation-id', contextValue.correlationId);
          metrics.requests.inc({ operation: operation?.operation ?? 'unknown', outcome: errors && errors.length > 0 ? 'error' : 'ok' });
          metrics.latency.observe({ operation: operation?.operation ?? 'unknown' }, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };

  const apollo = new ApolloServer<GatewayContext>({
    gateway: apolloGateway,
    formatError: formatGatewayError,
    includeStacktraceInErrorResponses: false,
    introspection: !production,
    hideSchemaDetailsFromClientErrors: production,
    // CSRF prevention is done in `handle` (see isCsrfSuspect): Apollo's version refuses every
    // simple request, cookie or not, which also refuses the plain GETs GraphQL over HTTP allows.
    csrfPrevention: false,
    allowBatchedHttpRequests: true,
    persistedQueries: { cache: new RedisKeyValueCache(config.redis, `${prefix}gateway:`), ttl: 7 * 24 * 3600 },
    logger: apolloLogger(log),
    // No cache hints are used (see the subgraph server): the implicit cache-control plugin only adds work per field.
    plugins: [pipelinePlugin, ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled()],
  });

  const hub = new LiveHub({
    redis: config.redis,
    logger: log,
    streamKey: config.eventsStreamKey ?? `${prefix}events`,
    keyPrefix: `${prefix}gateway:`,
  });
  const guard = new LiveSessionGuard({
    redis: config.redis,
    logger: log,
    brand: config.brand ?? null,
    ...(config.liveSessionSweepMs !== undefined ? { sweepIntervalMs: config.liveSessionSweepMs } : {}),
    // The announcement that ends live connections also ends the auth plugin's short trust in the
    // session (use-auth.ts): revoked sessions are refused from the next request on.
    onRevoked: (sessionIds) => auth.forgetSessions(sessionIds),
  });
  // A development tool: production never serves it, whatever the configuration says.
  const ide = production || config.graphqlIde === false ? undefined : createGraphqlIde(config.graphqlIde ?? {});
  const prepare = (schema: GraphQLSchema, context: GatewayContext, query: unknown, variables: unknown, operationName: unknown) =>
    prepareSubscription(schema, plugins, context, query, variables, operationName);
  let sockets: Awaited<ReturnType<typeof createSocketTransport>> | undefined;

  async function buildContext(req: IncomingMessage | undefined, token: string | undefined, ip: string): Promise<GatewayContext> {
    const context: GatewayContext = {
      caller: ANONYMOUS_CALLER,
      // The request's id when it has one (HTTP requests run inside runWithCorrelationId): one id
      // per request from the gateway's log line to every subgraph's.
      correlationId: getCorrelationId() ?? generateCorrelationId(),
      ip,
      ...(req ? { req } : {}),
      logger: log,
      batch: { cost: 0 },
      responseHeaders: new Map(),
    };
    for (const plugin of plugins) await plugin.onRequest?.(context, req, token);
    return context;
  }

  // proxy-addr walks X-Forwarded-For from the nearest hop and stops at the first address no
  // trusted proxy vouches for: a client cannot pick its own address by sending the header.
  const trust = config.trustProxy;
  const isTrustedProxy: (address: string, hop: number) => boolean =
    trust === undefined
      ? () => false
      : typeof trust === 'number'
        ? (_address, hop) => hop < trust
        : compileTrust(typeof trust === 'string' ? trust.split(',').map((entry) => entry.trim()) : [...trust]);
  function clientIp(req: IncomingMessage): string {
    if (req.socket.remoteAddress === undefined) return 'unknown';
    // One spelling per address: an IPv4 client on a dual-stack socket appears as ::ffff:a.b.c.d,
    // and per-address limits must not count it as two clients.
    return proxyAddr(req, isTrustedProxy).replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
  }

  let apolloStarted = false;
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://gateway.internal');
    setSecurityHeaders(res, production);
    if (applyCors(req, res, { allowedOrigins: config.allowedOrigins ?? [] })) return;
    if (url.pathname === '/health/live') return sendJson(res, 200, { status: 'ok', service: 'gateway' });
    if (url.pathname === '/health/ready') {
      const report = await readiness();
      return sendJson(res, report.ready ? 200 : 503, report);
    }
    if (url.pathname === '/metrics') {
      res.setHeader('content-type', metrics.registry.contentType);
      res.end(await metrics.registry.metrics());
      return;
    }
    if (ide && (await ide.handle(req, res, url))) return;
    if (url.pathname !== '/graphql' && url.pathname !== '/graphql/stream') return sendJson(res, 404, { error: 'not found' });
    if (!apolloStarted) {
      res.setHeader('retry-after', '1');
      return sendJson(res, 503, { errors: [{ message: 'The gateway is starting', extensions: { code: CORE_ERRORS.ServiceUnavailable } }] });
    }
    const body = req.method === 'GET' || req.method === 'HEAD' ? ({ ok: true, value: undefined } as const) : await readBody(req, config.maxBodyBytes ?? 100 * 1024);
    if (!body.ok) return sendJson(res, body.status, { errors: [{ message: body.message, extensions: { code: 'BAD_REQUEST' } }] });
    // A batch is capped by length as well as by cost: 200 free `{ __typename }` operations are
    // still 200 parses, validations and plans.
    const maxBatch = config.maxBatchSize ?? 10;
    if (Array.isArray(body.value) && body.value.length > maxBatch) {
      metrics.rejected.inc({ reason: 'batch-size' });
      return sendJson(res, 400, {
        errors: [
          {
            message: `A batch may hold at most ${maxBatch} operations; this one holds ${body.value.length}`,
            extensions: { code: CORE_ERRORS.BatchTooLarge, limit: maxBatch, value: body.value.length },
          },
        ],
      });
    }
    const token = bearerToken(req.headers.authorization);
    const ip = clientIp(req);

    if (url.pathname === '/graphql/stream') {
      let context: GatewayContext;
      try {
        context = await buildContext(req, token, ip);
      } catch (error) {
        return sendJson(res, 401, { errors: [formatError(error instanceof BaseGraphQLError ? error.toJSON() : { message: 'Unauthenticated' }, error)] });
      }
      if (!liveSchema) return sendJson(res, 503, { errors: [{ message: 'The gateway is starting', extensions: { code: CORE_ERRORS.ServiceUnavailable } }] });
      const params =
        req.method === 'GET'
          ? { query: url.searchParams.get('query') ?? undefined, variables: parseJsonParam(url.searchParams.get('variables')), operationName: url.searchParams.get('operationName') ?? undefined }
          : ((body.value ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown });
      await runWithCorrelationId(context.correlationId, () =>
        handleSseRequest(req, res, {
          hub,
          schema: liveSchema as GraphQLSchema,
          context,
          prepare,
          params,
          heartbeatMs: config.sseHeartbeatMs ?? 15_000,
          guard,
          onConnectionCountChange: (delta) => metrics.sockets.inc({ transport: 'sse' }, delta),
        }),
      );
      return;
    }

    if (isCsrfSuspect(req)) {
      return sendJson(res, 400, {
        errors: [{ message: 'This request has cookies but no preflight header (apollo-require-preflight or a JSON content-type)', extensions: { code: 'BAD_REQUEST' } }],
      });
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = { method: (req.method ?? 'GET').toUpperCase(), headers, search: url.search, body: body.value };
    const correlationId = generateCorrelationId();
    const response = await runWithCorrelationId(correlationId, () => apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: () => buildContext(req, token, ip) }));
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    // GraphQL over HTTP: with `application/json` responses, request errors (parse, validation,
    // variable coercion) SHOULD come with 200 (clients of the legacy type cannot tell a 400 from
    // a proxy's). Apollo answers 400; statuses plugins chose (401, 429, 413) are left alone.
    // Malformed HTTP requests (no body, wrong parameter types) stay 400.
    if (res.statusCode === 400 && response.body.kind === 'complete' && String(response.headers.get('content-type') ?? '').startsWith('application/json') && isRequestErrorBody(response.body.string)) {
      res.statusCode = 200;
    }
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  async function readiness(): Promise<GatewayReadiness> {
    const checks: GatewayReadiness['checks'] = {};
    checks['supergraph'] = { healthy: supergraphSchema !== undefined, critical: true, ...(supergraphSchema ? {} : { error: 'not composed yet' }) };
    checks['live'] = { healthy: sockets !== undefined, critical: true, ...(sockets ? {} : { error: 'starting' }) };
    // Every probe at once, each bounded: one slow dependency must not make the answer slow.
    const probe = async (run: () => Promise<string | undefined>): Promise<HealthCheckResult> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${READINESS_PROBE_MS} ms`)), READINESS_PROBE_MS);
        });
        const failure = await Promise.race([run(), timeout]);
        const latencyMs = Math.round(performance.now() - started);
        return failure === undefined ? { healthy: true, latencyMs } : { healthy: false, latencyMs, error: failure };
      } catch (error) {
        return { healthy: false, error: error instanceof Error ? error.message : String(error) };
      } finally {
        clearTimeout(timer);
      }
    };
    const [redisCheck, ...subgraphChecks] = await Promise.all([
      probe(async () => {
        await config.redis.ping();
        return undefined;
      }),
      ...config.subgraphs.map((subgraph) =>
        probe(async () => {
          const response = await fetch(new URL('/health/ready', subgraph.url), { signal: AbortSignal.timeout(READINESS_PROBE_MS) });
          return response.ok ? undefined : `not ready (HTTP ${response.status})`;
        }),
      ),
    ]);
    // Reported, not required: the gateway serves without Redis (README, "When Redis is down"),
    // and an unready gateway would turn a cache outage into a full one at the load balancer.
    checks['redis'] = { ...redisCheck, critical: false };
    config.subgraphs.forEach((subgraph, index) => {
      const reached = subgraphChecks[index] ?? { healthy: false, error: 'not probed' };
      const breaker = dataSources.get(subgraph.name)?.breaker.state ?? 'unknown';
      const healthy = reached.healthy && breaker !== 'open';
      checks[subgraph.name] = {
        ...reached,
        healthy,
        critical: subgraph.critical ?? true,
        details: { breaker },
        ...(reached.healthy && breaker === 'open' ? { error: 'circuit breaker open' } : {}),
      };
    });
    const ready = apolloStarted && Object.values(checks).every((check) => check.healthy || !check.critical);
    return { ready, status: ready ? 'ready' : 'not-ready', service: 'gateway', checks };
  }

  let stopping: Promise<void> | undefined;
  return {
    plugins,
    metrics,
    hub,
    dataSources,
    supergraphSchema: () => supergraphSchema,
    readiness,
    async start() {
      // Listen first: health endpoints answer (not ready) while the supergraph is composed.
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port ?? 0, config.host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      const address = httpServer.address() as AddressInfo;
      const url = `http://127.0.0.1:${address.port}/graphql`;
      await apollo.start();
      apolloStarted = true;
      // Starting needs Redis (the live hub joins its consumer group); once started, the gateway
      // serves through an outage. Waited for here because the warm-up's writes, like every
      // Redis feature, are skipped while the client is not ready yet.
      await waitForRedisReady(config.redis, 10_000);
      if (config.persistedOperations) {
        const planned = await warmPersistedOperations(config.persistedOperations.operations);
        log.info({ planned, persisted: config.persistedOperations.operations.size }, 'query plans warmed from persisted operations');
      }
      await hub.start();
      await guard.start();
      sockets = await createSocketTransport({
        httpServer,
        redis: config.redis,
        hub,
        liveSchema: () => liveSchema,
        connectionContext: (token, ip) => buildContext(undefined, token, ip),
        prepare,
        allowedOrigins: config.allowedOrigins ?? [],
        guard,
        onConnectionCountChange: (delta) => metrics.sockets.inc({ transport: 'socket.io' }, delta),
      });
      log.info({ url, production }, 'gateway listening');
      return { url, port: address.port };
    },
    stop() {
      stopping ??= (async () => {
        await sockets?.close();
        await guard.stop();
        await hub.stop();
        if (apolloStarted) await apollo.stop();
        httpServer.closeAllConnections();
        if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      })();
      return stopping;
    },
  };

  /**
   * APQ: known hashes resolve at once on every instance. Query plans: each persisted query is
   * run once before traffic, so the first client does not pay for planning. Apollo Gateway
   * exposes no plan-only entry point, so this executes the queries (never mutations or
   * subscriptions) as an anonymous caller: side-effect free, and whatever the subgraphs answer
   * (UNAUTHENTICATED, most likely) the plan is cached, keyed by the operation, not the caller.
   */
  async function warmPersistedOperations(operations: ReadonlyMap<string, string>): Promise<number> {
    const cache = new RedisKeyValueCache(config.redis, `${prefix}gateway:`);
    let planned = 0;
    for (const [hash, document] of operations) {
      if (sha256Hex(document) !== hash) throw new Error(`persisted operation ${hash} does not match its document`);
      await cache.set(`apq:${hash}`, document, { ttl: null });
      if (!/^\s*(query\b|\{)/.test(document)) continue;
      try {
        await apollo.executeOperation({ query: document }, { contextValue: await buildContext(undefined, undefined, 'gateway-warm-up') });
        planned++;
      } catch (error) {
        log.warn({ err: error, hash }, 'could not warm the query plan of a persisted operation');
      }
    }
    return planned;
  }
}

/**
 * A request a browser could send cross-site without a CORS preflight (simple method, simple
 * content type, no custom header) is only dangerous when it carries ambient credentials. The
 * gateway authenticates by bearer token, which a cross-site page cannot attach; cookies are
 * the ambient authority to guard against, so a cookie-carrying simple request is refused.
 */
function isCsrfSuspect(req: IncomingMessage): boolean {
  if (req.headers.cookie === undefined) return false;
  if (req.headers['apollo-require-preflight'] !== undefined || req.headers['x-apollo-operation-name'] !== undefined) return false;
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const simple = contentType === '' || contentType === 'text/plain' || contentType === 'application/x-www-form-urlencoded' || contentType === 'multipart/form-data';
  return (req.method === 'GET' || req.method === 'POST' || req.method === 'HEAD') && simple;
}

const REQUEST_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

function isRequestErrorBody(text: string): boolean {
  try {
    const body = JSON.parse(text) as { errors?: Array<{ extensions?: { code?: unknown } }> };
    return Array.isArray(body.errors) && body.errors.length > 0 && body.errors.every((e) => REQUEST_ERROR_CODES.has(String(e.extensions?.code)));
  } catch {
    return false;
  }
}

function parseJsonParam(value: string | null): unknown {
  if (value === null || value.length === 0) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

function apolloLogger(log: Logger) {
  return {
    debug: (message: string) => log.debug(message),
    info: (message: string) => log.info(message),
    warn: (message: string) => log.warn(message),
    error: (message: string) => log.error(message),
  };
}
