import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { GraphQLError as BaseGraphQLError } from 'graphql';
import { formatError } from '../../errors/format-error.js';
import type { GatewayContext } from '../gateway-plugin.js';
import { compareEntryIds, type LiveHub, type LiveDelivery } from './live-hub.js';
import { liveEndError, type LiveSessionGuard } from './live-session-guard.js';
import { shapePayload, type LiveSubscription } from './live-subscription.js';

export interface SseRequestOptions {
  hub: LiveHub;
  schema: GraphQLSchema;
  context: GatewayContext;
  prepare: (schema: GraphQLSchema, context: GatewayContext, query: unknown, variables: unknown, operationName: unknown) => Promise<LiveSubscription>;
  params: { query?: unknown; variables?: unknown; operationName?: unknown };
  heartbeatMs: number;
  /** Ends the stream when its session is revoked or its token expires. */
  guard: LiveSessionGuard;
  onConnectionCountChange?: (delta: number) => void;
}

/**
 * `GET|POST /graphql/stream`: one subscription per connection, `event: next` frames whose `id:`
 * is the backlog entry id, so a client reconnecting with `Last-Event-ID` first gets what it
 * missed from the Redis backlog, then live messages. Comment-line heartbeats keep proxies from
 * closing an idle stream. When the session is revoked or the access token expires the stream
 * ends with `event: complete` carrying `{errors: [UNAUTHENTICATED, reason]}`.
 */
export async function handleSseRequest(req: IncomingMessage, res: ServerResponse, options: SseRequestOptions): Promise<void> {
  const { context, schema, hub } = options;
  let subscription: LiveSubscription;
  try {
    subscription = await options.prepare(schema, context, options.params.query, options.params.variables, options.params.operationName);
  } catch (error) {
    const formatted = formatError(error instanceof BaseGraphQLError ? error.toJSON() : { message: String(error) }, error);
    const code = formatted.extensions?.['code'];
    const status = code === 'UNAUTHENTICATED' ? 401 : code === 'RATE_LIMITED' ? 429 : 400;
    const text = JSON.stringify({ errors: [formatted] });
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  const caller = context.caller;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(': connected\n\n');
  options.onConnectionCountChange?.(1);

  // Entry ids increase per user, so "already sent" is one comparison. A live message can reach
  // this instance after the backlog read already returned it (pub/sub lags the XADD it follows),
  // and such a duplicate must not be sent twice.
  let lastSent = '';
  const send = (delivery: LiveDelivery): void => {
    if (compareEntryIds(delivery.entryId, lastSent) <= 0) return;
    lastSent = delivery.entryId;
    const payload = shapePayload(schema, subscription, delivery.message, caller);
    if (payload === undefined) return;
    res.write(`id: ${delivery.entryId}\nevent: next\ndata: ${JSON.stringify(payload)}\n\n`);
  };
  // Live messages that arrive while the backlog is being read are held and sent after it, in order.
  let replaying = true;
  const held: LiveDelivery[] = [];
  const stop = hub.listen(caller.tenantId ?? '', caller.userId ?? '', (delivery) => (replaying ? held.push(delivery) : send(delivery)));
  const lastEventId = singleHeader(req, 'last-event-id');
  if (lastEventId) {
    for (const delivery of await hub.backlogSince(caller.tenantId ?? '', caller.userId ?? '', lastEventId)) send(delivery);
  }
  replaying = false;
  for (const delivery of held) send(delivery);

  const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), options.heartbeatMs);
  // The final frame says why, so a client knows to refresh or sign in rather than reconnect as is
  // (a reconnect with the same token is refused with 401, which stops an EventSource). Named
  // `complete`, not `error`: an EventSource fires `error` for its own connection failures too.
  const watched = options.guard.watch(caller, (reason) => {
    // Torn down first: nothing may be written to the stream after its final frame.
    teardown();
    res.write(`event: complete\ndata: ${JSON.stringify({ errors: [liveEndError(reason)] })}\n\n`);
    res.end();
  });
  let closed = false;
  const teardown = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    watched.release();
    stop();
    options.onConnectionCountChange?.(-1);
  };
  res.on('close', teardown);
  req.on('close', teardown);
  // The client may have gone while the backlog was read, before these listeners existed.
  if (res.destroyed) teardown();
}

function singleHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}
