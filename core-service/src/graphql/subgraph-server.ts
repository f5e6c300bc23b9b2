import type { Registry } from 'prom-client';
import { createSubgraphMetrics } from './subgraph-metrics.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLSchema } from 'graphql';
import { CORE_ERRORS } from '../errors/core-errors.js';
import { generateCorrelationId, runWithCorrelationId } from '../logger/correlation.js';
import { getLogger, type Logger } from '../logger/logger.js';
import { MIN_CONTEXT_SECRET_LENGTH, contextSecretsFromEnv, USER_CONTEXT_HEADER, USER_CONTEXT_SIGNATURE_HEADER, verifyUserContext, type UserContextClaims } from './context-signing.js';
import { formatSubgraphError } from './format-subgraph-error.js';
import { userFromClaims, type SubgraphContext } from './subgraph-context.js';
import { buildServiceSchema, type SubgraphResolvers, type TypeDefsInput } from './subgraph-schema.js';

export interface ReadinessReport {
  ready: boolean;
  /** Per-dependency detail shown on /health/ready (e.g. `{ mongo: 'ok', redis: 'down' }`). */
  checks?: Record<string, unknown>;
}

/**
 * The parts of core-service's `ServiceLifecycle` the server uses, stated structurally so any
 * lifecycle with these methods fits: health comes from it, and every GraphQL request is
 * counted as in flight, so its shutdown drains them before closing connections.
 */
export interface SubgraphLifecycleHooks {
  /** Throws (SERVICE_UNAVAILABLE) once shutdown began; call the returned function when done. */
  beginRequest(): () => void;
  getReadiness(): Promise<ReadinessReport> | ReadinessReport;
  getLiveness?(): { status: 'ok' | 'fail' };
}

export interface SubgraphServerOptions<TExtra extends object = object> {
  /** Service name: logs, health output. */
  name: string;
  typeDefs: TypeDefsInput;
  resolvers: SubgraphResolvers<SubgraphContext & TExtra> | ReadonlyArray<SubgraphResolvers<SubgraphContext & TExtra>>;
  /** The service's own per-request additions (data loaders, stores, ...), merged over the base context. */
  context?: (args: { base: SubgraphContext; req: IncomingMessage }) => TExtra | Promise<TExtra>;
  /** Listening port; 0 picks a free one (tests). Default 0. */
  port?: number;
  host?: string;
  /** GraphQL endpoint path. Default `/graphql`. */
  path?: string;
  /**
   * The gateway's signing secret (`INTERNAL_CONTEXT_SECRET`); a list during rotation. Defaults
   * to the environment variable. Never logged.
   */
  contextSecret?: string | readonly string[];
  /** Replay window for signed contexts. Default 60 s. */
  contextMaxAgeSeconds?: number;
  /** Backs /health/ready. Default: ready once started (or the lifecycle's readiness). */
  readiness?: () => boolean | ReadinessReport | Promise<boolean | ReadinessReport>;
  /** The service's lifecycle: health endpoints and in-flight request tracking come from it. */
  lifecycle?: SubgraphLifecycleHooks;
  /** Default: on outside production (subgraphs are reachable only with a signed context anyway). */
  introspection?: boolean;
  plugins?: ApolloServerPlugin<SubgraphContext & TExtra>[];
  /** Largest request body accepted. Default 1 MiB. */
  maxBodyBytes?: number;
  /** How long `stop()` waits for in-flight requests before closing their connections. Default 10 s. */
  stopGracePeriodMillis?: number;
  /**
   * Plain HTTP endpoints beside GraphQL, by exact path, for callers that are not the gateway
   * (a provider's delivery callbacks). They get no gateway context: each must authenticate its
   * caller itself (a signature check). The body is read up to `maxBodyBytes`.
   */
  routes?: Readonly<Record<string, SubgraphRoute>>;
  /** Process metrics (CPU, heap, event loop) on `/metrics` beside the operation metrics; default true. */
  defaultMetrics?: boolean;
}

/** A plain HTTP endpoint of a subgraph's server (see `SubgraphServerOptions.routes`). */
export type SubgraphRoute = (request: { req: IncomingMessage; url: URL; body: string }) => Promise<{ status: number; body?: string; contentType?: string }>;

export interface SubgraphServer {
  readonly name: string;
  readonly schema: GraphQLSchema;
  readonly httpServer: Server;
  /** Its Prometheus registry (served on `/metrics`); services register their own metrics here. */
  readonly metrics: Registry;
  /** Starts Apollo and listens; resolves with the GraphQL endpoint URL. */
  start(): Promise<{ url: string; port: number }>;
  /** Marks the service not ready, drains in-flight requests, closes the server. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * A federated subgraph on Apollo Server 5 served by Node's own http server.
 *
 * Why not `startStandaloneServer`: it owns the request listener, leaving no place for the
 * health routes or for rejecting unsigned requests before any GraphQL work. Why not Express
 * (`@as-integrations/express5`): three routes do not need a framework, and Apollo's
 * `executeHTTPGraphQLRequest` is the integration point it is meant for.
 */
export function createSubgraphServer<TExtra extends object = object>(options: SubgraphServerOptions<TExtra>): SubgraphServer {
  type Context = SubgraphContext & TExtra;
  const secret = options.contextSecret ?? contextSecretsFromEnv();
  if (secret === undefined || secret.length === 0) {
    throw new Error(`${options.name}: INTERNAL_CONTEXT_SECRET is not set; a subgraph accepts only signed gateway requests`);
  }
  // Checked here so a weak secret stops start-up instead of failing every request.
  for (const candidate of typeof secret === 'string' ? [secret] : secret) {
    if (candidate.length < MIN_CONTEXT_SECRET_LENGTH) {
      throw new Error(`${options.name}: INTERNAL_CONTEXT_SECRET must be at least ${MIN_CONTEXT_SECRET_LENGTH} characters`);
    }
  }
  const graphqlPath = options.path ?? '/graphql';
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = getLogger(options.name);
  const schema = buildServiceSchema(options.typeDefs, options.resolvers);
  const metrics = createSubgraphMetrics(options.name, options.defaultMetrics === false ? { defaultMetrics: false } : {});

  let state: 'created' | 'starting' | 'running' | 'stopping' | 'stopped' = 'created';
  const httpServer = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log.error({ err: error }, 'subgraph request handler failed');
      if (!res.headersSent) sendJson(res, 500, graphqlErrorBody('Internal server error', CORE_ERRORS.InternalServerError));
      else res.destroy();
    });
  });
  // Idle gateway connections stay open 30 s (Node's default is 5 s): the gateway's fetcher
  // retires them 2 s before this advertised limit, so it does not send on one being closed
  // (subgraph-fetcher.ts), and fewer connections are opened again after a pause.
  httpServer.keepAliveTimeout = 30_000;

  const apollo = new ApolloServer<Context>({
    schema,
    formatError: formatSubgraphError,
    includeStacktraceInErrorResponses: false,
    introspection: options.introspection ?? process.env['NODE_ENV'] !== 'production',
    logger: apolloLogger(log),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.stopGracePeriodMillis ?? 10_000 }),
      // Inline traces (ftv1) only feed Apollo Studio usage reporting, which we do not use; they
      // cost time on every request the gateway flags and carry error details back upstream.
      ApolloServerPluginInlineTraceDisabled(),
      // Cache hints (@cacheControl) feed HTTP caches and Apollo's response cache, neither used
      // here; installed implicitly, the plugin wraps every field's resolver on every request.
      ApolloServerPluginCacheControlDisabled(),
      // Nobody browses a subgraph: every request needs the gateway's signature.
      ApolloServerPluginLandingPageDisabled(),
      metrics.plugin as ApolloServerPlugin<Context>,
      ...(options.plugins ?? []),
    ],
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://subgraph.internal');
    if (url.pathname === '/health/live') {
      const liveness = options.lifecycle?.getLiveness?.() ?? { status: 'ok' as const, service: options.name };
      sendJson(res, liveness.status === 'ok' ? 200 : 503, liveness);
      return;
    }
    if (url.pathname === '/health/ready') {
      await handleReadiness(res);
      return;
    }
    if (url.pathname === '/metrics' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': metrics.registry.contentType });
      res.end(await metrics.registry.metrics());
      return;
    }
    const route = options.routes?.[url.pathname];
    if (route !== undefined) {
      const body = await readBody(req, maxBodyBytes);
      if (!body.ok) {
        sendJson(res, body.status, { error: body.message });
        return;
      }
      // JSON bodies arrive parsed; a route wants the text it can verify a signature over.
      const text = typeof body.value === 'string' ? body.value : body.value === undefined ? '' : JSON.stringify(body.value);
      const answer = await route({ req, url, body: text });
      res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'text/plain; charset=utf-8' });
      res.end(answer.body ?? '');
      return;
    }
    if (url.pathname !== graphqlPath) {
      sendJson(res, 404, { error: 'not found' });
      return;
    }

    const verification = verifyUserContext(
      singleHeader(req, USER_CONTEXT_HEADER),
      singleHeader(req, USER_CONTEXT_SIGNATURE_HEADER),
      secret as string | readonly string[],
      options.contextMaxAgeSeconds !== undefined ? { maxAgeSeconds: options.contextMaxAgeSeconds } : {},
    );
    if (!verification.ok) {
      // An unverified caller's correlation id is still useful in its own logs, but only as a
      // label: it is not trusted for anything else.
      const correlationId = sanitizeCorrelationId(singleHeader(req, 'x-correlation-id')) ?? generateCorrelationId();
      runWithCorrelationId(correlationId, () => log.warn({ reason: verification.reason, remoteAddress: req.socket.remoteAddress }, 'rejected request without a valid gateway context'));
      res.setHeader('www-authenticate', 'GatewayContext');
      sendJson(res, 401, graphqlErrorBody('Requests must come through the gateway', CORE_ERRORS.Unauthenticated, correlationId));
      return;
    }

    const claims = verification.claims;
    let endRequest: () => void = () => undefined;
    if (options.lifecycle) {
      try {
        endRequest = options.lifecycle.beginRequest();
      } catch {
        // Shutting down: 503 so the gateway's retry goes to another instance.
        res.setHeader('connection', 'close');
        sendJson(res, 503, graphqlErrorBody(`${options.name} is shutting down`, CORE_ERRORS.ServiceUnavailable, claims.correlationId));
        return;
      }
    }
    const fields = { tenantId: claims.tid, userId: claims.sub };
    try {
      await runWithCorrelationId(claims.correlationId, () => executeGraphQL(req, res, url, claims), fields);
    } finally {
      endRequest();
    }
  }

  async function executeGraphQL(req: IncomingMessage, res: ServerResponse, url: URL, claims: UserContextClaims): Promise<void> {
    const body = await readBody(req, maxBodyBytes);
    if (!body.ok) {
      sendJson(res, body.status, graphqlErrorBody(body.message, 'BAD_REQUEST', claims.correlationId));
      return;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      headers,
      search: url.search,
      body: body.value,
    };
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: async () => {
        const base: SubgraphContext = {
          user: userFromClaims(claims),
          tenantId: claims.tid ?? null,
          correlationId: claims.correlationId,
          clientAddress: claims.ip ?? null,
          logger: log,
          serviceName: options.name,
          claims,
        };
        const extra = options.context ? await options.context({ base, req }) : ({} as TExtra);
        return { ...base, ...extra };
      },
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.setHeader('x-correlation-id', claims.correlationId);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  async function handleReadiness(res: ServerResponse): Promise<void> {
    if (state !== 'running') {
      sendJson(res, 503, { status: state === 'stopping' || state === 'stopped' ? 'stopping' : 'starting', service: options.name });
      return;
    }
    let report: ReadinessReport;
    try {
      const lifecycle = options.lifecycle;
      const check = options.readiness ?? (lifecycle ? () => lifecycle.getReadiness() : undefined);
      const result = check ? await check() : true;
      report = typeof result === 'boolean' ? { ready: result } : result;
    } catch (error) {
      log.warn({ err: error }, 'readiness check failed');
      report = { ready: false };
    }
    sendJson(res, report.ready ? 200 : 503, {
      status: report.ready ? 'ready' : 'not-ready',
      service: options.name,
      ...(report.checks !== undefined ? { checks: report.checks } : {}),
    });
  }

  let stopping: Promise<void> | undefined;
  return {
    name: options.name,
    schema,
    httpServer,
    metrics: metrics.registry,
    async start() {
      if (state !== 'created') throw new Error(`${options.name}: subgraph server already ${state}`);
      state = 'starting';
      await apollo.start();
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(options.port ?? 0, options.host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      state = 'running';
      const address = httpServer.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address === '::' ? '::1' : address.address}]` : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
      const url = `http://${host}:${address.port}${graphqlPath}`;
      log.info({ url }, 'subgraph listening');
      return { url, port: address.port };
    },
    stop() {
      stopping ??= (async () => {
        const wasStarted = state === 'running' || state === 'starting';
        state = 'stopping';
        // The drain plugin closes the listener, lets in-flight requests finish within the grace
        // period, then closes what is left, including idle keep-alive connections.
        if (wasStarted) await apollo.stop();
        else if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        state = 'stopped';
        log.info('subgraph stopped');
      })();
      return stopping;
    },
  };
}

function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  // Two copies of a signed header is not something the gateway sends; treat it as absent.
  return typeof value === 'string' ? value : undefined;
}

function sanitizeCorrelationId(value: string | undefined): string | undefined {
  return value !== undefined && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined;
}

function graphqlErrorBody(message: string, code: string, correlationId?: string): unknown {
  return { errors: [{ message, extensions: { code, ...(correlationId !== undefined ? { correlationId } : {}) } }] };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

type BodyResult = { ok: true; value: unknown } | { ok: false; status: number; message: string };

/**
 * Reads a JSON request body up to `limit` bytes. Hand-written rather than `body-parser`: that is
 * connect middleware with its own error objects to translate, for what is a bounded read and a
 * `JSON.parse` here. Non-JSON bodies are passed through as text for Apollo to reject (its CSRF
 * and content-type rules give the right status).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const tooLarge: BodyResult = { ok: false, status: 413, message: `Request body larger than ${limit} bytes` };
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    req.resume();
    return Promise.resolve(tooLarge);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyResult): void => {
      if (done) return;
      done = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return; // answered already; the rest is drained and dropped
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        finish(tooLarge);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => finish({ ok: false, status: 400, message: 'Request body could not be read' }));
    req.on('end', () => {
      if (size === 0) return finish({ ok: true, value: undefined });
      const text = Buffer.concat(chunks).toString('utf8');
      const contentType = req.headers['content-type'] ?? '';
      if (!/^application\/(graphql-response\+)?json\b/i.test(contentType)) return finish({ ok: true, value: text });
      try {
        finish({ ok: true, value: JSON.parse(text) as unknown });
      } catch {
        finish({ ok: false, status: 400, message: 'Request body is not valid JSON' });
      }
    });
  });
}

/** Apollo logs plain strings; route them through the service's pino logger. */
function apolloLogger(log: Logger): { debug(m: string): void; info(m: string): void; warn(m: string): void; error(m: string): void } {
  return {
    debug: (message: string) => log.debug(message),
    info: (message: string) => log.info(message),
    warn: (message: string) => log.warn(message),
    error: (message: string) => log.error(message),
  };
}
