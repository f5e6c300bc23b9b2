import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { Server as SocketServer, type Socket } from 'socket.io';
import { GraphQLError as BaseGraphQLError, type GraphQLSchema } from 'graphql';
import { formatError } from '../../errors/format-error.js';
import type { Caller, GatewayContext } from '../gateway-plugin.js';
import { duplicateConnection } from '../../redis/duplicate-connection.js';
import type { LiveHub } from './live-hub.js';
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
  onConnectionCountChange?: (delta: number) => void;
}

/**
 * Socket.IO with the Redis adapter, so rooms span every gateway instance (`io.in('user:42')`
 * reaches that user's sockets wherever they are connected; the admin console uses it to
 * disconnect a revoked user's sockets). Messages come from the LiveHub's fan-out.
 * Protocol (shared/API.md): `subscribe {id, query, variables}` → `next {id, payload}` /
 * `error {id, errors}` / `complete {id}`; `unsubscribe {id}`.
 */
export async function createSocketTransport(options: SocketTransportOptions): Promise<{ io: SocketServer; close(): Promise<void> }> {
  const pub = await duplicateConnection(options.redis);
  const sub = await duplicateConnection(options.redis);
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
    const context = socket.data.context as GatewayContext;
    const caller: Caller = context.caller;
    options.onConnectionCountChange?.(1);
    void socket.join(`user:${caller.userId}`);
    if (caller.kind === 'admin' && caller.tenantId) void socket.join(`tenant:${caller.tenantId}`);
    const stops = new Map<string, () => void>();
    const expiry = caller.expiresAt !== undefined ? setTimeout(() => {
      socket.emit('error', { errors: [{ message: 'The access token has expired', extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' } }] });
      socket.disconnect(true);
    }, Math.max(0, caller.expiresAt * 1000 - Date.now())) : undefined;
    expiry?.unref();

    // Frames of one socket are handled one after another, in arrival order: an `unsubscribe`
    // sent right after its `subscribe` must find the subscription registered.
    let queue: Promise<unknown> = Promise.resolve();
    const inOrder = <T>(handler: (frame: T) => unknown) => (frame: T) => {
      queue = queue.then(() => handler(frame)).catch((error: unknown) => context.logger.warn({ err: error }, 'socket frame failed'));
    };
    socket.on('subscribe', inOrder(async (frame: { id?: unknown; query?: unknown; variables?: unknown; operationName?: unknown }) => {
      const id = typeof frame?.id === 'string' || typeof frame?.id === 'number' ? String(frame.id) : undefined;
      if (id === undefined) return socket.emit('error', { errors: [{ message: 'subscribe needs an id', extensions: { code: 'BAD_USER_INPUT' } }] });
      if (stops.has(id)) return socket.emit('error', { id, errors: [{ message: `subscription ${id} already exists`, extensions: { code: 'BAD_USER_INPUT' } }] });
      const schema = options.liveSchema();
      if (!schema) return socket.emit('error', { id, errors: [{ message: 'The gateway is not ready', extensions: { code: 'MSCoreServiceUnavailable' } }] });
      try {
        const subscription = await options.prepare(schema, { ...context, batch: { cost: 0 }, responseHeaders: new Map() }, frame.query, frame.variables, frame.operationName);
        const stop = options.hub.listen(caller.tenantId ?? '', caller.userId ?? '', (delivery) => {
          const payload = shapePayload(schema, subscription, delivery.message, caller);
          if (payload !== undefined) socket.emit('next', { id, payload });
        });
        stops.set(id, stop);
      } catch (error) {
        socket.emit('error', { id, errors: [formatError(toFormatted(error), error)] });
      }
      return undefined;
    }));
    socket.on('unsubscribe', inOrder((frame: { id?: unknown }) => {
      const id = String(frame?.id);
      const stop = stops.get(id);
      if (!stop) return;
      stop();
      stops.delete(id);
      socket.emit('complete', { id });
    }));
    socket.on('disconnect', () => {
      if (expiry) clearTimeout(expiry);
      for (const stop of stops.values()) stop();
      stops.clear();
      options.onConnectionCountChange?.(-1);
    });
  });

  return {
    io,
    async close() {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      pub.disconnect();
      sub.disconnect();
    },
  };
}

function toFormatted(error: unknown) {
  if (error instanceof BaseGraphQLError) return error.toJSON();
  return { message: error instanceof Error ? error.message : String(error) };
}
