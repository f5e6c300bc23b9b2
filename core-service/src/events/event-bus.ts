import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ClientSession, Db, MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import { runAfterCommit } from '../database/after-commit.js';
import { withTransaction } from '../database/transaction.js';
import { getCorrelationId, getLogger, runWithCorrelationId } from '../logger/index.js';
import { OutboxRelay, type OutboxRelayHooks } from '../outbox/outbox-relay.js';
import { OutboxStore, type OutboxEntry } from '../outbox/outbox-store.js';
import { isEventPattern, matchesEventPattern } from './event-pattern.js';
import { createIntegrationEvent, parseIntegrationEvent, type IntegrationEvent } from './integration-event.js';
import { EventAlreadyProcessedError, ProcessedEvents } from './processed-events.js';
import { endPublishSpans, runInConsumeSpan, startPublishSpans, withinPublishSpans } from './event-tracing.js';
import { duplicateConnection } from '../redis/duplicate-connection.js';
import { withRedisFallback } from '../redis/redis-fallback.js';
import { PoisonMessageError, StreamConsumer, readDeadLetters, type DeadLetter, type HandleOutcome, type StreamMessage } from './stream-consumer.js';

export interface EventHandlerContext {
  /**
   * The transaction the processed-event record is written in. Handler writes made through it
   * commit together with that record, so they happen exactly once. Absent for handlers
   * registered with `transaction: false` or when the bus has no MongoDB.
   */
  session?: ClientSession;
  /** 1 on first delivery. */
  attempt: number;
  logger: Logger;
}

export type EventHandler<TData = unknown> = (event: IntegrationEvent<TData>, context: EventHandlerContext) => unknown;

export interface SubscribeOptions {
  /**
   * Identity of the handler for deduplication (`<service>:<name>`). Defaults to the type or
   * pattern plus the registration index; set it when handlers may be reordered across deploys.
   */
  name?: string;
  /**
   * Default true: the handler runs inside a transaction with its processed-event record.
   * Set false for handlers doing no MongoDB writes (an HTTP call, a Redis publish): the
   * record is then written after the handler returns, before the ack, so a crash in between
   * can run it twice.
   */
  transaction?: boolean;
}

export interface EmitOptions {
  /** A session inside a transaction: the event goes to the outbox and is published after commit. */
  session?: ClientSession;
  /** Overrides the id taken from the logger's async context. */
  correlationId?: string;
  /** Fixed event id (re-emitting a known event). */
  id?: string;
  /** Set by the unified emitter: dispatch webhooks once the event is published. */
  dispatchWebhooks?: boolean;
}

/** One event of `EventBus.emitAll`. */
export interface EmitAllItem {
  type: string;
  tenantId: string;
  userId: string | null | undefined;
  data: unknown;
  dispatchWebhooks?: boolean;
}

/** What the bus needs from a webhook manager (kept structural: events do not import webhooks). */
export interface WebhookEventDispatcher {
  /** Queues the deliveries of several events at once (the relay's batch). */
  dispatchEvents(events: ReadonlyArray<IntegrationEvent>): Promise<unknown>;
}

export interface EventBusOptions {
  serviceName: string;
  /** Connection for publishing and consumer-group commands; the bus duplicates it for blocking reads. */
  redis: Redis;
  /** The service's database and its client: processed-event records, outbox, relay lease. */
  mongo?: { client: MongoClient; db: Db };
  /** Stream all services publish to; default `events:stream`. */
  streamKey?: string;
  /** This instance's name in the consumer group; default host-pid-random. */
  consumerName?: string;
  /** Attempts before an event goes to the dead-letter stream; default 5. */
  maxAttempts?: number;
  /** Pending entries idle this long are re-claimed (crash recovery and retry delay); default 30 s. */
  claimIdleMs?: number;
  claimIntervalMs?: number;
  blockMs?: number;
  batchSize?: number;
  /** Approximate stream length cap applied on every XADD; default 1,000,000. */
  maxLength?: number;
  /** Entries older than this are trimmed; default 7 days. */
  maxAgeMs?: number;
  /** Must exceed `maxAgeMs` so a record outlives every redelivery; default 14 days. */
  processedEventTtlSeconds?: number;
  /** Where a newly created consumer group starts; default `new` (events after creation). */
  startFrom?: 'new' | 'all';
  outbox?: {
    collection?: string;
    pollIntervalMs?: number;
    leaseMs?: number;
    batchSize?: number;
    /** Start the relay on the first outbox emit in this process; default true. */
    autoStart?: boolean;
    hooks?: OutboxRelayHooks<IntegrationEvent>;
  };
  logger?: Logger;
  /** Writes the audit entry of each emitted event that has one, in the emit's transaction (core-service/audit). */
  auditor?: { record(event: IntegrationEvent, session: ClientSession | undefined): Promise<void> };
}

export interface EventBusStats {
  listening: boolean;
  subscriptions: number;
  /** Entries not yet delivered to this service's group (Redis 7 `lag`; null when unknown). */
  lag: number | null;
  /** Delivered, not yet acknowledged. */
  pending: number;
  deadLetters: number;
  relay: { running: boolean; leader: boolean };
  outboxPending: number;
  oldestOutboxPendingMs: number;
}

interface Subscription {
  key: string;
  matches(type: string): boolean;
  handler: EventHandler;
  consumer: string;
  transactional: boolean;
}

const DEFAULTS = {
  streamKey: 'events:stream',
  maxAttempts: 5,
  claimIdleMs: 30_000,
  claimIntervalMs: 5_000,
  blockMs: 5_000,
  batchSize: 100,
  maxLength: 1_000_000,
  maxAgeMs: 7 * 24 * 3600 * 1000,
  processedEventTtlSeconds: 14 * 24 * 3600,
};

/**
 * Integration events for one service: `emit` publishes (or writes to the outbox inside a
 * transaction), `on`/`onPattern` register handlers, `startListening` joins the service's
 * consumer group.
 *
 * One stream for all event types, one consumer group per service: every service sees every
 * event in one total order and skips (acks without work) types it has no handler for. A
 * stream per type would spare that skip but makes `onPattern` need to know every stream in
 * advance; partition the stream when one stream's throughput stops being enough.
 */
export class EventBus {
  readonly serviceName: string;
  readonly streamKey: string;
  readonly deadLetterStream: string;
  readonly consumerName: string;
  readonly #options: EventBusOptions;
  readonly #subscriptions: Subscription[] = [];
  readonly #processed: ProcessedEvents | undefined;
  readonly #outboxStore: OutboxStore<IntegrationEvent> | undefined;
  #relay: OutboxRelay<IntegrationEvent> | undefined;
  #consumer: StreamConsumer | undefined;
  #webhooks: WebhookEventDispatcher | undefined;
  #wakeSubscriber: Redis | undefined;
  readonly #wakeChannel: string;
  /** A wake-up of the leader is on its way (`#wakeLeader`); `#wakeAgain`: a commit came after it left. */
  #wakeInFlight = false;
  #wakeAgain = false;

  constructor(options: EventBusOptions) {
    this.#options = options;
    this.serviceName = options.serviceName;
    this.streamKey = options.streamKey ?? DEFAULTS.streamKey;
    this.deadLetterStream = `${this.streamKey}:dead-letter:${options.serviceName}`;
    this.#wakeChannel = `${this.streamKey}:outbox-wake:${options.serviceName}`;
    this.consumerName = options.consumerName ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    if (options.mongo) {
      this.#processed = new ProcessedEvents(options.mongo.db, options.processedEventTtlSeconds ?? DEFAULTS.processedEventTtlSeconds);
      this.#outboxStore = new OutboxStore<IntegrationEvent>(options.mongo.db, options.outbox?.collection !== undefined ? { collection: options.outbox.collection } : {});
    }
  }

  get #logger(): Logger {
    return this.#options.logger ?? getLogger(this.serviceName);
  }

  /**
   * Emits an event. Without a session it is published at once. With a session (inside a
   * transaction) it is written to the outbox in that transaction and published by the relay
   * after commit; an aborted transaction publishes nothing.
   */
  async emit<TData>(type: string, tenantId: string, userId: string | null | undefined, data: TData, options: EmitOptions = {}): Promise<IntegrationEvent<TData>> {
    const event = createIntegrationEvent({
      type,
      tenantId,
      userId,
      data,
      id: options.id,
      correlationId: options.correlationId ?? getCorrelationId() ?? null,
    });
    if (options.session) {
      await this.#emitThroughOutbox([{ event, dispatchWebhooks: options.dispatchWebhooks === true }], options.session);
      await this.#options.auditor?.record(event, options.session);
      return event;
    }
    // Audited before publishing: an event others act on is never missing from the audit log.
    await this.#options.auditor?.record(event, undefined);
    if (this.#outboxStore !== undefined) {
      // Redis down: the event waits in the outbox and the relay publishes it once Redis is
      // back, rather than failing the operation that already happened (a login, a commit).
      const isPublished = await withRedisFallback(
        this.#options.redis,
        'event publish',
        async () => {
          await this.publish([event]);
          return true;
        },
        () => false,
      );
      if (!isPublished) {
        await this.#holdInOutbox(event, options.dispatchWebhooks === true);
        return event;
      }
    } else {
      await this.publish([event]);
    }
    if (options.dispatchWebhooks && this.#webhooks) await this.#webhooks.dispatchEvents([event]);
    return event;
  }

  /**
   * Emits several events at once. Inside a transaction they cost one outbox insert together
   * (in the given order, which is their publication order) instead of one each; the auditor
   * then writes the entries of those that have an audit rule (a transfer's three events have
   * one: its completion). Without a session each is emitted as by `emit`.
   */
  async emitAll(events: ReadonlyArray<EmitAllItem>, options: Pick<EmitOptions, 'session' | 'correlationId'> = {}): Promise<IntegrationEvent[]> {
    if (!options.session) {
      const emitted: IntegrationEvent[] = [];
      for (const item of events) emitted.push(await this.emit(item.type, item.tenantId, item.userId, item.data, { ...options, dispatchWebhooks: item.dispatchWebhooks === true }));
      return emitted;
    }
    const correlationId = options.correlationId ?? getCorrelationId() ?? null;
    const built = events.map((item) => ({
      event: createIntegrationEvent({ type: item.type, tenantId: item.tenantId, userId: item.userId, data: item.data, correlationId }) as IntegrationEvent,
      dispatchWebhooks: item.dispatchWebhooks === true,
    }));
    await this.#emitThroughOutbox(built, options.session);
    for (const { event } of built) await this.#options.auditor?.record(event, options.session);
    return built.map(({ event }) => event);
  }

  async #holdInOutbox(event: IntegrationEvent, dispatchWebhooks: boolean): Promise<void> {
    const store = this.#outboxStore!;
    await store.ensureIndexes();
    await store.addPending(event, { dispatchWebhooks });
    // The relay itself, not `startRelay`: its wake-up subscriber needs the Redis that is down.
    const relay = this.getRelay();
    if (!relay.isRunning && this.#options.outbox?.autoStart !== false) await relay.start();
    relay.notify();
  }

  /** Appends events to the stream in order (one round trip); returns their stream ids. */
  async publish(events: ReadonlyArray<IntegrationEvent>): Promise<string[]> {
    if (events.length === 0) return [];
    const maxLength = this.#options.maxLength ?? DEFAULTS.maxLength;
    const spans = startPublishSpans(events, this.streamKey);
    let results: Array<[Error | null, unknown]>;
    try {
      results = await withinPublishSpans(spans, async () => {
        const pipeline = this.#options.redis.pipeline();
        for (const { envelope } of spans) {
          // MAXLEN ~ caps memory at every write; the consumer trims by age (MINID) on top.
          pipeline.xadd(this.streamKey, 'MAXLEN', '~', maxLength, '*', 'type', envelope.type, 'tenantId', envelope.tenantId, 'event', JSON.stringify(envelope));
        }
        return (await pipeline.exec()) ?? [];
      });
    } finally {
      endPublishSpans(spans);
    }
    return results.map(([error, id]) => {
      if (error) throw error;
      return id as string;
    });
  }

  on<TData = unknown>(type: string, handler: EventHandler<TData>, options: SubscribeOptions = {}): () => void {
    if (isEventPattern(type)) throw new TypeError(`"${type}" is a pattern; use onPattern`);
    return this.#subscribe(type, (candidate) => candidate === type, handler as EventHandler, options);
  }

  onPattern<TData = unknown>(pattern: string, handler: EventHandler<TData>, options: SubscribeOptions = {}): () => void {
    return this.#subscribe(pattern, (candidate) => matchesEventPattern(pattern, candidate), handler as EventHandler, options);
  }

  /**
   * What a service calls at boot: the outbox relay (when the bus has an outbox), so events a
   * crashed predecessor committed but never published go out now rather than at the next emit,
   * and the consumer when handlers are registered.
   */
  async start(): Promise<void> {
    if (this.#outboxStore !== undefined && this.#options.outbox?.autoStart !== false) await this.startRelay();
    if (this.#subscriptions.length > 0) await this.startListening();
  }

  /** Joins the service's consumer group and starts handling events. */
  async startListening(): Promise<void> {
    if (this.#consumer?.isRunning) return;
    await this.#processed?.ensureIndexes();
    const o = this.#options;
    this.#consumer = new StreamConsumer({
      redis: o.redis,
      stream: this.streamKey,
      group: this.serviceName,
      consumer: this.consumerName,
      deadLetterStream: this.deadLetterStream,
      errorsKey: `${this.streamKey}:errors:${this.serviceName}`,
      batchSize: o.batchSize ?? DEFAULTS.batchSize,
      blockMs: o.blockMs ?? DEFAULTS.blockMs,
      claimIdleMs: o.claimIdleMs ?? DEFAULTS.claimIdleMs,
      claimIntervalMs: o.claimIntervalMs ?? DEFAULTS.claimIntervalMs,
      maxAttempts: o.maxAttempts ?? DEFAULTS.maxAttempts,
      startId: o.startFrom === 'all' ? '0' : '$',
      maxAgeMs: o.maxAgeMs ?? DEFAULTS.maxAgeMs,
      deadLetterMaxLen: o.maxLength ?? DEFAULTS.maxLength,
      partitionOf: (message) => message.fields['tenantId'] ?? '',
      handle: (message) => this.#handleMessage(message),
      handleBatch: (messages) => this.#handleBatch(messages),
      logger: this.#logger,
    });
    await this.#consumer.start();
  }

  async stopListening(): Promise<void> {
    await this.#consumer?.stop();
  }

  /** Runs one claim pass now (normally periodic): abandoned entries are taken over and handled. */
  async claimAbandoned(): Promise<number> {
    if (!this.#consumer?.isRunning) throw new Error('startListening first');
    return this.#consumer.claimAbandoned();
  }

  /** The outbox relay of this service (created on first use). */
  getRelay(): OutboxRelay<IntegrationEvent> {
    if (!this.#outboxStore) throw new Error('the outbox needs the bus to be created with `mongo`');
    this.#relay ??= new OutboxRelay<IntegrationEvent>({
      store: this.#outboxStore,
      name: `${this.serviceName}:${this.#outboxStore.collection.collectionName}`,
      publish: async (entries) => {
        await this.publish(entries.map((entry) => entry.event));
        await this.#dispatchWebhooksFor(entries);
      },
      ...(this.#options.outbox?.leaseMs !== undefined ? { leaseMs: this.#options.outbox.leaseMs } : {}),
      ...(this.#options.outbox?.pollIntervalMs !== undefined ? { pollIntervalMs: this.#options.outbox.pollIntervalMs } : {}),
      ...(this.#options.outbox?.batchSize !== undefined ? { batchSize: this.#options.outbox.batchSize } : {}),
      ...(this.#options.outbox?.hooks !== undefined ? { hooks: this.#options.outbox.hooks } : {}),
      logger: this.#logger,
    });
    return this.#relay;
  }

  /**
   * Starts this instance's relay. Every instance may run one: the lease lets one publish at a
   * time, and the others take over when it dies.
   */
  async startRelay(): Promise<OutboxRelay<IntegrationEvent>> {
    const relay = this.getRelay();
    if (relay.isRunning) return relay;
    await relay.start();
    if (!this.#wakeSubscriber) {
      // Commits in other instances wake the leader through pub/sub, so a non-leader's events
      // wait neither for the poll nor for a leader change. Losing a wake-up costs only latency.
      // Ready before the first command: a connection without an offline queue refuses it until then.
      this.#wakeSubscriber = await duplicateConnection(this.#options.redis);
      this.#wakeSubscriber.on('message', () => relay.notify());
      await this.#wakeSubscriber.subscribe(this.#wakeChannel);
    }
    return relay;
  }

  get outbox(): OutboxStore<IntegrationEvent> | undefined {
    return this.#outboxStore;
  }

  /** Used by `createUnifiedEmitter`: webhooks of outbox events are dispatched by the relay. */
  attachWebhooks(dispatcher: WebhookEventDispatcher): void {
    this.#webhooks = dispatcher;
  }

  /** What operations watch: consumer lag and pending entries, dead letters, the outbox backlog. */
  async getStats(): Promise<EventBusStats> {
    const redis = this.#options.redis;
    let lag: number | null = null;
    let pending = 0;
    try {
      const groups = (await redis.xinfo('GROUPS', this.streamKey)) as unknown[][];
      for (const raw of groups) {
        const info: Record<string, unknown> = {};
        for (let i = 0; i + 1 < raw.length; i += 2) info[String(raw[i])] = raw[i + 1];
        if (info['name'] !== this.serviceName) continue;
        pending = Number(info['pending'] ?? 0);
        lag = typeof info['lag'] === 'number' ? info['lag'] : null;
      }
    } catch {
      // no stream yet: nothing was ever emitted
    }
    const deadLetters = await redis.xlen(this.deadLetterStream);
    const outboxPending = this.#outboxStore ? await this.#outboxStore.countPending() : 0;
    const oldest = outboxPending > 0 ? (await this.#outboxStore!.nextPending(1))[0] : undefined;
    return {
      listening: this.#consumer?.isRunning ?? false,
      subscriptions: this.#subscriptions.length,
      lag,
      pending,
      deadLetters,
      relay: { running: this.#relay?.isRunning ?? false, leader: this.#relay?.isLeader ?? false },
      outboxPending,
      oldestOutboxPendingMs: oldest ? Date.now() - oldest.createdAt.getTime() : 0,
    };
  }

  /**
   * Runs this service's handlers again on its dead letters (after the cause was fixed) and
   * removes those that succeed. Handled here rather than re-published to the shared stream,
   * which would hand the event to every other service again. Processed-event records still
   * apply, so a letter whose handler did commit is not applied twice.
   */
  async retryDeadLetters(count = 100): Promise<{ retried: number; failed: number }> {
    const letters = await this.readDeadLetters(count);
    let retried = 0;
    let failed = 0;
    for (const letter of letters) {
      try {
        await this.#handleMessage({ id: letter.originalId, fields: letter.fields, deliveryCount: letter.attempts + 1 });
        await this.#options.redis.xdel(this.deadLetterStream, letter.id);
        retried += 1;
      } catch (error) {
        failed += 1;
        this.#logger.warn({ deadLetterId: letter.id, error: error instanceof Error ? error.message : String(error) }, 'dead letter retry failed');
      }
    }
    return { retried, failed };
  }

  readDeadLetters(count?: number): Promise<DeadLetter[]> {
    return readDeadLetters(this.#options.redis, this.deadLetterStream, count);
  }

  async close(): Promise<void> {
    const subscriber = this.#wakeSubscriber;
    this.#wakeSubscriber = undefined;
    await Promise.allSettled([this.#consumer?.stop(), this.#relay?.stop(), subscriber?.quit()]);
  }

  async #emitThroughOutbox(items: ReadonlyArray<{ event: IntegrationEvent; dispatchWebhooks: boolean }>, session: ClientSession): Promise<void> {
    if (!this.#outboxStore) throw new Error('emit with a session needs the bus to be created with `mongo`');
    // Indexes first, before this transaction has written to the outbox: an index build on a
    // collection the open transaction holds would wait for that transaction, which waits here.
    await this.#outboxStore.ensureIndexes();
    const relay = this.getRelay();
    if (!relay.isRunning && this.#options.outbox?.autoStart !== false) await this.startRelay();
    await this.#outboxStore.addMany(items, session);
    // Wake the relay right after commit (never after an abort): in process when this instance
    // leads, through Redis when another does. The relay's poll is only a fallback.
    await runAfterCommit(session, () => {
      relay.notify();
      if (!relay.isLeader) this.#wakeLeader();
    });
  }

  /**
   * Tells the relay leader in another instance that entries are pending. Not awaited by the
   * commit (the caller's answer does not wait for Redis), and coalesced: while one publish is on
   * its way, further commits only ask for one more after it, since a single pass of the leader
   * takes every pending entry. Losing a wake-up costs latency only (the leader's poll).
   */
  #wakeLeader(): void {
    if (this.#wakeInFlight) {
      this.#wakeAgain = true;
      return;
    }
    this.#wakeInFlight = true;
    void this.#options.redis
      .publish(this.#wakeChannel, this.consumerName)
      .catch(() => undefined)
      .finally(() => {
        this.#wakeInFlight = false;
        if (!this.#wakeAgain) return;
        this.#wakeAgain = false;
        this.#wakeLeader();
      });
  }

  async #dispatchWebhooksFor(entries: ReadonlyArray<OutboxEntry<IntegrationEvent>>): Promise<void> {
    const flagged = entries.filter((entry) => entry.dispatchWebhooks);
    if (flagged.length === 0) return;
    if (!this.#webhooks) {
      this.#logger.warn({ count: flagged.length }, 'outbox entries ask for webhooks but no webhook manager is attached');
      return;
    }
    await this.#webhooks.dispatchEvents(flagged.map((entry) => entry.event));
  }

  #subscribe(key: string, matches: (type: string) => boolean, handler: EventHandler, options: SubscribeOptions): () => void {
    const index = this.#subscriptions.filter((s) => s.key === key).length;
    const subscription: Subscription = {
      key,
      matches,
      handler,
      consumer: `${this.serviceName}:${options.name ?? `${key}#${index}`}`,
      transactional: options.transaction !== false,
    };
    this.#subscriptions.push(subscription);
    return () => {
      const at = this.#subscriptions.indexOf(subscription);
      if (at >= 0) this.#subscriptions.splice(at, 1);
    };
  }

  /**
   * A partition's entries in one transaction: one commit (and one record insert) for the lot
   * instead of one per event, which is what lets exactly-once handling keep up with the stream.
   * Any failure rolls the whole batch back and the entries are handled one by one, so a bad
   * event costs its neighbours a second run, never a lost or doubled effect.
   */
  async #handleBatch(messages: readonly StreamMessage[]): Promise<HandleOutcome[]> {
    const mongo = this.#options.mongo;
    const processed = this.#processed;
    const work: Array<{ index: number; event: IntegrationEvent; subscriptions: Subscription[]; attempt: number }> = [];
    const outcomes: Array<HandleOutcome | undefined> = messages.map(() => undefined);
    for (const [index, message] of messages.entries()) {
      const subscriptions = this.#subscriptions.filter((s) => s.matches(message.fields['type'] ?? ''));
      if (subscriptions.length === 0) {
        outcomes[index] = { ok: true };
        continue;
      }
      try {
        const event = parseIntegrationEvent(message.fields['event'] ?? '');
        work.push({ index, event, subscriptions, attempt: message.deliveryCount });
      } catch (error) {
        outcomes[index] = { ok: false, error: new PoisonMessageError(`unparseable event: ${error instanceof Error ? error.message : String(error)}`) };
      }
    }
    const batchable = mongo !== undefined && processed !== undefined && work.length > 1 && work.every((item) => item.subscriptions.every((s) => s.transactional));
    if (batchable) {
      try {
        await withTransaction({
          client: mongo.client,
          fn: async (session) => {
            const ids = [...new Set(work.map((item) => item.event.id))];
            const existing = await processed.collection.find({ eventId: { $in: ids } }, { session, projection: { eventId: 1, consumer: 1 } }).toArray();
            // also dedupes two copies of one event inside this batch
            const done = new Set(existing.map((record) => `${record.eventId}\u0000${record.consumer}`));
            const records: Array<{ eventId: string; consumer: string; processedAt: Date }> = [];
            for (const { event, subscriptions, attempt } of work) {
              await runInConsumeSpan(event, this.streamKey, this.serviceName, async () => {
                for (const subscription of subscriptions) {
                  const key = `${event.id}\u0000${subscription.consumer}`;
                  if (done.has(key)) continue;
                  done.add(key);
                  await runWithCorrelationId(event.correlationId ?? undefined, async () => subscription.handler(event, { session, attempt, logger: this.#logger }), {
                    eventId: event.id,
                    eventType: event.type,
                    tenantId: event.tenantId,
                  });
                  records.push({ eventId: event.id, consumer: subscription.consumer, processedAt: new Date() });
                }
              });
            }
            if (records.length > 0) await processed.collection.insertMany(records, { session });
          },
        });
        for (const item of work) outcomes[item.index] = { ok: true };
        return outcomes.map((outcome) => outcome ?? { ok: true });
      } catch (error) {
        this.#logger.debug({ err: error, events: work.length }, 'batch transaction failed; handling its events one by one');
      }
    }
    for (const item of work) {
      try {
        await this.#handleMessage(messages[item.index]!);
        outcomes[item.index] = { ok: true };
      } catch (error) {
        outcomes[item.index] = { ok: false, error };
      }
    }
    return outcomes.map((outcome) => outcome ?? { ok: true });
  }

  async #handleMessage(message: StreamMessage): Promise<void> {
    const type = message.fields['type'] ?? '';
    const subscriptions = this.#subscriptions.filter((s) => s.matches(type));
    // Not ours: acknowledged without parsing or touching MongoDB.
    if (subscriptions.length === 0) return;
    let event: IntegrationEvent;
    try {
      event = parseIntegrationEvent(message.fields['event'] ?? '');
    } catch (error) {
      throw new PoisonMessageError(`unparseable event: ${error instanceof Error ? error.message : String(error)}`);
    }
    await runInConsumeSpan(event, this.streamKey, this.serviceName, () =>
      runWithCorrelationId(
        event.correlationId ?? undefined,
        async () => {
          // Handlers run one after another; each dedupes on its own record, so a retry after one
          // handler failed skips the handlers that already succeeded.
          for (const subscription of subscriptions) await this.#runHandler(subscription, event, message.deliveryCount);
        },
        { eventId: event.id, eventType: event.type, tenantId: event.tenantId },
      ),
    );
  }

  async #runHandler(subscription: Subscription, event: IntegrationEvent, attempt: number): Promise<void> {
    const logger = this.#logger;
    const processed = this.#processed;
    const mongo = this.#options.mongo;
    if (!processed || !mongo) {
      // No MongoDB: at-least-once without deduplication.
      await subscription.handler(event, { attempt, logger });
      return;
    }
    if (subscription.transactional) {
      let applied: boolean;
      try {
        applied = await withTransaction({
          client: mongo.client,
          fn: async (session) => {
            // Checked in the transaction's snapshot. A delivery racing us in another instance
            // collides on the record's unique index (or a write conflict, which the driver
            // retries and which then sees the committed record) and its handler's writes
            // roll back with it. The record is written last so that an instance that died
            // mid-handler with its transaction still open on the server does not hold the
            // record's key: the instance that re-claims the event is not blocked until the
            // server reaps the orphaned transaction.
            if (await processed.has(event.id, subscription.consumer, session)) return false;
            await subscription.handler(event, { session, attempt, logger });
            await processed.record(event.id, subscription.consumer, session);
            return true;
          },
        });
      } catch (error) {
        if (!(error instanceof EventAlreadyProcessedError)) throw error;
        applied = false;
      }
      if (!applied) logger.debug({ eventId: event.id, consumer: subscription.consumer }, 'duplicate delivery skipped');
      return;
    }
    if (await processed.has(event.id, subscription.consumer)) return;
    await subscription.handler(event, { attempt, logger });
    await processed.record(event.id, subscription.consumer);
  }
}
