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

/** One registered listener and how far its deliveries go. */
interface ListenerState {
  listener: Listener;
  /** Highest backlog id delivered to it; at registration `<ms>-0`, where a catch-up starts. */
  last: string;
}

/** The listeners of one user on this instance. */
interface UserListeners {
  tenantId: string;
  userId: string;
  states: Set<ListenerState>;
}

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
 * connections. A message lost in pub/sub (an instance reconnecting) is still in the backlog:
 * when this instance's fan-out connection comes back, each connection's listeners are caught up
 * from their users' backlogs (what an SSE client gets with `Last-Event-ID`, done here for the
 * connections that stayed open).
 */
export class LiveHub {
  readonly #options: Required<Omit<LiveHubOptions, 'redis' | 'logger'>> & Pick<LiveHubOptions, 'redis' | 'logger'>;
  readonly #listeners = new Map<string, UserListeners>();
  #subscriber: Redis | undefined;
  /** Fan-out messages that arrive while a catch-up reads the backlogs; delivered after it. */
  #held: string[] | undefined;
  #isCatchUpDue = false;
  #isCatchingUp = false;
  #running = false;
  #consumer: StreamConsumer | undefined;
  readonly #channel: string;

  constructor(options: LiveHubOptions) {
    this.#options = { backlogSize: 200, backlogTtlSeconds: 3600, group: 'gateway', ...options };
    this.#channel = `${options.keyPrefix}live:fanout`;
  }

  async start(): Promise<void> {
    const { redis, logger, streamKey, group } = this.#options;
    this.#running = true;
    const subscriber = await duplicateConnection(redis, {}, 'live-fanout');
    this.#subscriber = subscriber;
    await subscriber.subscribe(this.#channel);
    subscriber.on('message', (_channel: string, text: string) => (this.#held ? this.#held.push(text) : this.#deliverLocally(text)));
    // Whatever was published while the connection was down never reaches it: catch up once it is back.
    let isLost = false;
    subscriber.on('close', () => {
      isLost = this.#running;
    });
    subscriber.on('ready', () => {
      if (!isLost) return;
      isLost = false;
      this.#isCatchUpDue = true;
      if (this.#isCatchingUp) return;
      this.#isCatchingUp = true;
      void this.#catchUp(subscriber).finally(() => {
        this.#isCatchingUp = false;
      });
    });
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
    this.#running = false;
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
    let user = this.#listeners.get(key);
    if (!user) this.#listeners.set(key, (user = { tenantId, userId, states: new Set() }));
    // Entry ids are Redis's clock in ms: a catch-up reads what was added after this moment.
    const state: ListenerState = { listener, last: `${Date.now()}-0` };
    user.states.add(state);
    return () => {
      user.states.delete(state);
      if (user.states.size === 0 && this.#listeners.get(key) === user) this.#listeners.delete(key);
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

  /** A fan-out message to this instance's listeners of its users; `skip` holds `<user key> <entry id>`s already delivered. */
  #deliverLocally(text: string, skip?: ReadonlySet<string>): void {
    let parsed: { message: LiveMessage; entryIds: Record<string, string> };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      return;
    }
    for (const userId of parsed.message.userIds) {
      const key = userKey(parsed.message.tenantId, userId);
      const entryId = parsed.entryIds[userId];
      const user = this.#listeners.get(key);
      if (!user || entryId === undefined || skip?.has(`${key} ${entryId}`)) continue;
      this.#deliver(user.states, { entryId, message: { ...parsed.message, userIds: [userId] } });
    }
  }

  #deliver(states: Iterable<ListenerState>, delivery: LiveDelivery): void {
    for (const state of states) {
      if (compareEntryIds(delivery.entryId, state.last) > 0) state.last = delivery.entryId;
      try {
        state.listener(delivery);
      } catch (error) {
        this.#options.logger.warn({ err: error }, 'live listener failed');
      }
    }
  }

  /**
   * After the fan-out connection was lost: once its subscription is confirmed again, each
   * listener gets its user's backlog entries after the highest it had, then the fan-out messages
   * that arrived meanwhile, less those the backlog read already delivered. Retried while Redis
   * refuses.
   */
  async #catchUp(subscriber: Redis): Promise<void> {
    this.#held = [];
    const delivered = new Set<string>();
    try {
      // Again when the connection dropped and came back during the catch-up.
      for (let attempt = 1; this.#isCatchUpDue && this.#running && this.#subscriber === subscriber; attempt += 1) {
        this.#isCatchUpDue = false;
        try {
          // Answered once the server has the subscription: nothing published after it is missed.
          if ((await subscriber.subscribe(this.#channel)) === 0) throw new Error('fan-out subscription not confirmed');
          await this.#readBacklogs(delivered);
          attempt = 0;
        } catch (error) {
          this.#isCatchUpDue = true;
          this.#options.logger.warn({ err: error, attempt }, 'live catch-up after a fan-out reconnect failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * attempt)).unref());
        }
      }
    } finally {
      const held = this.#held;
      this.#held = undefined;
      for (const text of held) this.#deliverLocally(text, delivered);
    }
  }

  async #readBacklogs(delivered: Set<string>): Promise<void> {
    const users = [...this.#listeners.values()];
    if (users.length === 0) return;
    const pipeline = this.#options.redis.pipeline();
    for (const { tenantId, userId, states } of users) {
      // From the lowest point any of the user's listeners stands at; each takes what is after its own.
      const from = [...states].map((state) => state.last).reduce((a, b) => (compareEntryIds(a, b) <= 0 ? a : b));
      pipeline.xrange(this.#backlogKey(tenantId, userId), `(${from}`, '+');
    }
    const replies = (await pipeline.exec()) ?? [];
    for (const [index, { tenantId, userId, states }] of users.entries()) {
      const [error, entries] = replies[index] ?? [new Error('no reply')];
      if (error) throw error;
      for (const [entryId, fields] of entries as Array<[string, string[]]>) {
        const behind = [...states].filter((state) => compareEntryIds(entryId, state.last) > 0);
        if (behind.length === 0) continue;
        delivered.add(`${userKey(tenantId, userId)} ${entryId}`);
        this.#deliver(behind, { entryId, message: JSON.parse(fields[1] ?? '{}') as LiveMessage });
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

/** Orders stream entry ids (`<ms>-<seq>`); '' is before every id. */
export function compareEntryIds(a: string, b: string): number {
  if (a === b) return 0;
  if (b === '') return 1;
  if (a === '') return -1;
  const [am = 0, as = 0] = a.split('-').map(Number);
  const [bm = 0, bs = 0] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}
