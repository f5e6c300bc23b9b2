import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { Server as SocketServer, type Socket } from 'socket.io';
import { GraphQLError as BaseGraphQLError, type GraphQLSchema } from 'graphql';
import { formatError } from '../../errors/format-error.js';
import type { GatewayContext } from '../gateway-plugin.js';
import { wrapRedisCommand } from '../../redis/connection.js';
import { duplicateConnection } from '../../redis/duplicate-connection.js';
import type { LiveHub } from './live-hub.js';
import { liveEndError, type LiveSessionGuard } from './live-session-guard.js';
import { shapePayload, type LiveSubscription } from './live-subscription.js';

export interface SocketTransportOptions {
  httpServer: HttpServer;
  redis: Redis;
  hub: LiveHub;
  liveSchema: () => GraphQLSchema | undefined;
  /** Builds the context of a connection from its token (runs the auth plugin). */
  connectionContext: (token: string | undefined, ip: string) => Promise<GatewayContext>;
  /** prepareSubscription with the gateway's plugins bound. */
  prepare: (schema: GraphQLSchema, context: GatewayContext, query: unknown, variables: unknown, operationName: unknown) => Promise<LiveSubscription>;
  allowedOrigins: readonly string[];
  /** Ends a socket when its session is revoked or its token expires. */
  guard: LiveSessionGuard;
  onConnectionCountChange?: (delta: number) => void;
}

/**
 * Socket.IO with the Redis adapter, so rooms span every gateway instance (`io.in('user:42')`
 * reaches that user's sockets wherever they are connected; the admin console uses it to
 * disconnect a revoked user's sockets). Messages come from the LiveHub's fan-out.
 * Protocol (shared/API.md): `subscribe {id, query, variables}` → `next {id, payload}` /
 * `error {id, errors}` / `complete {id}`; `unsubscribe {id}`; `authenticate {token}` (ack or
 * `authenticated {expiresAt}`). When the session is revoked or the token expires the socket gets
 * `error {errors: [UNAUTHENTICATED, reason]}` and is disconnected.
 */
export async function createSocketTransport(options: SocketTransportOptions): Promise<{ io: SocketServer; close(): Promise<void> }> {
  const pub = await duplicateConnection(options.redis);
  const sub = await duplicateConnection(options.redis);
  guardAdapterClients(pub, sub);
  const io = new SocketServer(options.httpServer, {
    path: '/socket.io',
    cors: { origin: [...options.allowedOrigins], credentials: true },
    adapter: createAdapter(pub, sub),
    maxHttpBufferSize: 64 * 1024,
  });

  io.use((socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown };
    const token = typeof auth.token === 'string' ? auth.token : undefined;
    options
      .connectionContext(token, socket.handshake.address)
      .then((context) => {
        if (context.caller.userId === undefined) return next(new Error('UNAUTHENTICATED'));
        socket.data.context = context;
        next();
      })
      .catch((error: unknown) => next(new Error(error instanceof BaseGraphQLError ? String(error.extensions['code']) : 'UNAUTHENTICATED')));
  });

  io.on('connection', (socket: Socket) => {
    // Replaced by `authenticate`: subscriptions read the current caller at every delivery.
    let context = socket.data.context as GatewayContext;
    options.onConnectionCountChange?.(1);
    void socket.join(`user:${context.caller.userId}`);
    if (context.caller.kind === 'admin' && context.caller.tenantId) void socket.join(`tenant:${context.caller.tenantId}`);
    const stops = new Map<string, () => void>();
    const watched = options.guard.watch(context.caller, (reason) => {
      socket.emit('error', { errors: [liveEndError(reason)] });
      socket.disconnect(true);
    });

    // Frames of one socket are handled one after another, in arrival order: an `unsubscribe`
    // sent right after its `subscribe` must find the subscription registered, and a `subscribe`
    // sent after `authenticate` runs as the re-authenticated caller.
    let queue: Promise<unknown> = Promise.resolve();
    const inOrder =
      <A extends unknown[]>(handler: (...args: A) => unknown) =>
      (...args: A) => {
        queue = queue.then(() => handler(...args)).catch((error: unknown) => context.logger.warn({ err: error }, 'socket frame failed'));
      };
    socket.on(
      'subscribe',
      inOrder(async (frame: { id?: unknown; query?: unknown; variables?: unknown; operationName?: unknown }) => {
        const id = typeof frame?.id === 'string' || typeof frame?.id === 'number' ? String(frame.id) : undefined;
        if (id === undefined) return socket.emit('error', { errors: [{ message: 'subscribe needs an id', extensions: { code: 'BAD_USER_INPUT' } }] });
        if (stops.has(id)) return socket.emit('error', { id, errors: [{ message: `subscription ${id} already exists`, extensions: { code: 'BAD_USER_INPUT' } }] });
        const schema = options.liveSchema();
        if (!schema) return socket.emit('error', { id, errors: [{ message: 'The gateway is not ready', extensions: { code: 'MSCoreServiceUnavailable' } }] });
        try {
          const subscription = await options.prepare(schema, { ...context, batch: { cost: 0 }, responseHeaders: new Map() }, frame.query, frame.variables, frame.operationName);
          const { tenantId = '', userId = '' } = context.caller;
          const stop = options.hub.listen(tenantId, userId, (delivery) => {
            const payload = shapePayload(schema, subscription, delivery.message, context.caller);
            if (payload !== undefined) socket.emit('next', { id, payload });
          });
          stops.set(id, stop);
        } catch (error) {
          socket.emit('error', { id, errors: [formatError(toFormatted(error), error)] });
        }
        return undefined;
      }),
    );
    socket.on(
      'unsubscribe',
      inOrder((frame: { id?: unknown }) => {
        const id = String(frame?.id);
        const stop = stops.get(id);
        if (!stop) return;
        stop();
        stops.delete(id);
        socket.emit('complete', { id });
      }),
    );
    // A fresh access token for the same user, without reconnecting: subscriptions stay, the
    // expiry moves to the new token's. A token that fails changes nothing, so a client that
    // sends a bad one keeps the session it still has until that ends by itself.
    socket.on(
      'authenticate',
      inOrder(async (frame: { token?: unknown } | undefined, ack?: unknown) => {
        const reply = (result: AuthenticateResult): void => {
          if (typeof ack === 'function') (ack as (result: AuthenticateResult) => void)(result);
          else if (result.ok) socket.emit('authenticated', { expiresAt: result.expiresAt });
          else socket.emit('error', { operation: 'authenticate', errors: result.errors });
        };
        const token = typeof frame?.token === 'string' && frame.token.length > 0 ? frame.token : undefined;
        let next: GatewayContext;
        try {
          next = await options.connectionContext(token, socket.handshake.address);
        } catch (error) {
          return reply({ ok: false, errors: [formatError(toFormatted(error), error)] });
        }
        const caller = next.caller;
        if (caller.userId === undefined) {
          return reply({ ok: false, errors: [{ message: 'authenticate needs a valid access token', extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' } }] });
        }
        if (caller.userId !== context.caller.userId || caller.tenantId !== context.caller.tenantId) {
          // Subscriptions were authorized for the first user; another user connects anew.
          return reply({ ok: false, errors: [{ message: 'A socket stays with the user it was opened for', extensions: { code: 'FORBIDDEN', reason: 'DIFFERENT_USER' } }] });
        }
        const wasAdmin = context.caller.kind === 'admin';
        context = next;
        socket.data.context = next;
        watched.renew(caller);
        if (caller.tenantId && caller.kind === 'admin' && !wasAdmin) void socket.join(`tenant:${caller.tenantId}`);
        if (caller.tenantId && caller.kind !== 'admin' && wasAdmin) void socket.leave(`tenant:${caller.tenantId}`);
        return reply({ ok: true, ...(caller.expiresAt !== undefined ? { expiresAt: caller.expiresAt } : {}) });
      }),
    );
    socket.on('disconnect', () => {
      watched.release();
      for (const stop of stops.values()) stop();
      stops.clear();
      options.onConnectionCountChange?.(-1);
    });
  });

  return {
    io,
    async close() {
      await new Promise<void>((resolve) => {
        void io.close(() => resolve());
      });
      pub.disconnect();
      sub.disconnect();
    },
  };
}

type AuthenticateResult = { ok: true; expiresAt?: number } | { ok: false; errors: unknown[] };

function toFormatted(error: unknown) {
  if (error instanceof BaseGraphQLError) return error.toJSON();
  return { message: error instanceof Error ? error.message : String(error) };
}

/**
 * @socket.io/redis-adapter sends commands without handling their answers, and with Redis down
 * each becomes an unhandled rejection, which ends a Node process by default
 * (--unhandled-rejections=throw). Patched here because the adapter offers no option for it:
 * - `publish` (every broadcast and inter-instance request): a broadcast while Redis is down
 *   still reaches this instance's sockets, and other instances' would be lost anyway; answered 0.
 * - `unsubscribe` / `punsubscribe` (its `close()`): the connection is dropped right after, so a
 *   failed one loses nothing.
 * Its `subscribe` / `psubscribe` are covered by every core-service connection's own guard
 * (`watchRedisClient`: sent again at the next `ready` until confirmed).
 */
export function guardAdapterClients(pub: Redis, sub: Redis): void {
  const quiet =
    (send: (...args: unknown[]) => Promise<unknown>) =>
    (...args: unknown[]) =>
      send(...args).catch(() => 0);
  wrapRedisCommand(pub, 'publish', quiet);
  wrapRedisCommand(sub, 'unsubscribe', quiet);
  wrapRedisCommand(sub, 'punsubscribe', quiet);
}
