import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { parseIntegrationEvent } from '../../events/integration-event.js';
import { StreamConsumer, ensureConsumerGroup, type StreamMessage } from '../../events/stream-consumer.js';
import type { Logger } from '../../logger/logger.js';
import { duplicateConnection } from '../../redis/duplicate-connection.js';
import { routeIntegrationEvent, type LiveMessage } from './live-event-routing.js';

export interface LiveHubOptions {
  redis: Redis;
  logger: Logger;
  /** The brand's integration event stream (`{brand}:events`). */
  streamKey: string;
  /** Prefix of the gateway's own keys and channel. */
  keyPrefix: string;
  /** Messages kept per user for `Last-Event-ID` resume. Default 200. */
  backlogSize?: number;
  /** How long an idle user's backlog is kept. Default 1 h. */
  backlogTtlSeconds?: number;
  /** Consumer group on the events stream. Default `gateway`. */
  group?: string;
}

/** A delivery to one user: the backlog entry id is the SSE event id. */
export interface LiveDelivery {
  entryId: string;
  message: LiveMessage;
}

type Listener = (delivery: LiveDelivery) => void;

/**
 * The gateway's side of the push boundary: services publish integration events; the gateway
 * delivers them.
 *
 * Decision: one consumer group (`gateway`) on the events stream, not a pub/sub channel the
 * services publish to. Services already publish every event to the stream through their
 * outbox, so they need no push-specific code, and a group gives at-least-once delivery: an
 * event read by an instance that dies is re-claimed by another. Exactly one instance handles
 * each event; it appends the message to each recipient's bounded backlog (a Redis stream per
 * user, whose entry ids become SSE `id:`s for `Last-Event-ID` resume) and then fans it out on a
 * pub/sub channel every gateway instance listens to, each delivering to its own sockets and SSE
 * connections. A message lost in pub/sub (an instance reconnecting) is still in the backlog.
 */
export class LiveHub {
  readonly #options: Required<Omit<LiveHubOptions, 'redis' | 'logger'>> & Pick<LiveHubOptions, 'redis' | 'logger'>;
  readonly #listeners = new Map<string, Set<Listener>>();
  #subscriber: Redis | undefined;
  #consumer: StreamConsumer | undefined;
  readonly #channel: string;

  constructor(options: LiveHubOptions) {
    this.#options = { backlogSize: 200, backlogTtlSeconds: 3600, group: 'gateway', ...options };
    this.#channel = `${options.keyPrefix}live:fanout`;
  }

  async start(): Promise<void> {
    const { redis, logger, streamKey, group } = this.#options;
    this.#subscriber = await duplicateConnection(redis);
    await this.#subscriber.subscribe(this.#channel);
    this.#subscriber.on('message', (_channel: string, text: string) => this.#deliverLocally(text));
    await ensureConsumerGroup(redis, streamKey, group, '$');
    this.#consumer = new StreamConsumer({
      redis,
      stream: streamKey,
      group,
      consumer: `gateway-${process.pid}-${randomUUID().slice(0, 8)}`,
      deadLetterStream: `${streamKey}:dead-letter:${group}`,
      errorsKey: `${streamKey}:errors:${group}`,
      batchSize: 100,
      blockMs: 1000,
      claimIdleMs: 30_000,
      claimIntervalMs: 15_000,
      maxAttempts: 5,
      startId: '$',
      maxAgeMs: 0,
      deadLetterMaxLen: 10_000,
      partitionOf: (message) => message.fields['tenantId'] ?? '',
      handle: (message) => this.#handle(message),
      logger,
    });
    await this.#consumer.start();
  }

  async stop(): Promise<void> {
    await this.#consumer?.stop();
    this.#consumer = undefined;
    if (this.#subscriber) {
      this.#subscriber.disconnect();
      this.#subscriber = undefined;
    }
    this.#listeners.clear();
  }

  /** Delivers to this instance's connections of (tenant, user) until the returned function is called. */
  listen(tenantId: string, userId: string, listener: Listener): () => void {
    const key = userKey(tenantId, userId);
    let set = this.#listeners.get(key);
    if (!set) this.#listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(key) === set) this.#listeners.delete(key);
    };
  }

  /** Backlog entries after `lastEntryId` (exclusive), oldest first. */
  async backlogSince(tenantId: string, userId: string, lastEntryId: string): Promise<LiveDelivery[]> {
    if (!/^\d+-\d+$/.test(lastEntryId)) return [];
    const entries = await this.#options.redis.xrange(this.#backlogKey(tenantId, userId), `(${lastEntryId}`, '+');
    return entries.map(([entryId, fields]) => ({ entryId, message: JSON.parse(fields[1] ?? '{}') as LiveMessage }));
  }

  /** Publishes a message directly (tests, and services that do not use the outbox). */
  async publish(message: LiveMessage): Promise<void> {
    const { redis, backlogSize, backlogTtlSeconds } = this.#options;
    // At-least-once upstream: a re-claimed event must not be appended twice.
    const fresh = await redis.set(`${this.#options.keyPrefix}live:seen:${message.eventId}`, '1', 'EX', backlogTtlSeconds, 'NX');
    if (fresh === null) return;
    const entryIds: Record<string, string> = {};
    for (const userId of message.userIds) {
      const key = this.#backlogKey(message.tenantId, userId);
      const body = JSON.stringify({ ...message, userIds: [userId] });
      const entryId = await redis.xadd(key, 'MAXLEN', '~', String(backlogSize), '*', 'm', body);
      await redis.expire(key, backlogTtlSeconds);
      if (entryId) entryIds[userId] = entryId;
    }
    await redis.publish(this.#channel, JSON.stringify({ message, entryIds }));
  }

  async #handle(streamMessage: StreamMessage): Promise<void> {
    const event = parseIntegrationEvent(streamMessage.fields['event'] ?? '');
    const message = routeIntegrationEvent(event);
    if (message) await this.publish(message);
  }

  #deliverLocally(text: string): void {
    let parsed: { message: LiveMessage; entryIds: Record<string, string> };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      return;
    }
    for (const userId of parsed.message.userIds) {
      const listeners = this.#listeners.get(userKey(parsed.message.tenantId, userId));
      const entryId = parsed.entryIds[userId];
      if (!listeners || entryId === undefined) continue;
      const delivery = { entryId, message: { ...parsed.message, userIds: [userId] } };
      for (const listener of listeners) {
        try {
          listener(delivery);
        } catch (error) {
          this.#options.logger.warn({ err: error }, 'live listener failed');
        }
      }
    }
  }

  #backlogKey(tenantId: string, userId: string): string {
    return `${this.#options.keyPrefix}live:backlog:${userKey(tenantId, userId)}`;
  }
}

function userKey(tenantId: string, userId: string): string {
  return `${tenantId}:${userId}`;
}
