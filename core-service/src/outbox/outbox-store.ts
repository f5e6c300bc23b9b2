import { ObjectId, type ClientSession, type Collection, type Db } from 'mongodb';
import { joinInsertBatch } from '../database/insert-batch.js';

/** What the outbox needs to know about an event; the event itself is stored as is. */
export interface OutboxEventShape {
  id: string;
  type: string;
  tenantId: string;
}

export type OutboxStatus = 'pending' | 'sent';

/**
 * One event as the relay publishes it: an event of an outbox document, with that document's
 * `_id`, status and dates. A document holds the events of one write (a transaction's emit), so
 * the entries of one transaction share an `_id`.
 */
export interface OutboxEntry<TEvent extends OutboxEventShape = OutboxEventShape> {
  /**
   * The document's id, generated inside the transaction attempt, after the caller's own writes
   * began. ObjectIds from one process increase, so documents keep their write order; the events
   * of one document keep their emit order.
   */
  _id: ObjectId;
  eventId: string;
  tenantId: string;
  type: string;
  event: TEvent;
  status: OutboxStatus;
  createdAt: Date;
  sentAt?: Date;
  /** Set by the unified emitter: webhooks are dispatched only once the event is committed. */
  dispatchWebhooks?: boolean;
}

/**
 * What the `outbox` collection holds: the events of one write together, one document per
 * transaction rather than one per event. A money movement announces itself and each wallet it
 * changed; as one document that is one insert and, once published, one update with its index
 * keys, where three documents cost the database three of each (measured in the README).
 * Query an event with `{ 'events.event.id': id }`.
 */
export interface OutboxDocument<TEvent extends OutboxEventShape = OutboxEventShape> {
  _id: ObjectId;
  status: OutboxStatus;
  createdAt: Date;
  sentAt?: Date;
  /** In emit order, which is the publication order. */
  events: Array<{ event: TEvent; dispatchWebhooks?: true }>;
}

/** A document written before events were grouped: one event per document. Still relayed. */
interface LegacyOutboxDocument<TEvent extends OutboxEventShape> {
  _id: ObjectId;
  status: OutboxStatus;
  createdAt: Date;
  sentAt?: Date;
  event: TEvent;
  dispatchWebhooks?: boolean;
}

export const OUTBOX_COLLECTION = 'outbox';

export interface OutboxStoreOptions {
  collection?: string;
  /** Sent entries are deleted after this long (TTL index); pending entries never expire. */
  sentRetentionSeconds?: number;
}

/** The `outbox` collection of one service database. */
export class OutboxStore<TEvent extends OutboxEventShape = OutboxEventShape> {
  readonly collection: Collection<OutboxDocument<TEvent>>;
  readonly #sentRetentionSeconds: number;
  #indexesReady: Promise<void> | undefined;

  constructor(
    readonly db: Db,
    options: OutboxStoreOptions = {},
  ) {
    this.collection = db.collection<OutboxDocument<TEvent>>(options.collection ?? OUTBOX_COLLECTION);
    this.#sentRetentionSeconds = options.sentRetentionSeconds ?? 7 * 24 * 3600;
  }

  ensureIndexes(): Promise<void> {
    this.#indexesReady ??= (async () => {
      await this.collection.createIndex({ status: 1, _id: 1 }, { name: 'status_order' });
      // TTL only removes documents whose field is a date: pending entries (no sentAt) stay.
      await this.collection.createIndex({ sentAt: 1 }, { expireAfterSeconds: this.#sentRetentionSeconds, name: 'sent_ttl' });
    })();
    return this.#indexesReady;
  }

  /**
   * Writes the event through `session`: it commits or aborts with the caller's own writes,
   * which is the whole point of the outbox.
   */
  async add(event: TEvent, session: ClientSession, options: { dispatchWebhooks?: boolean } = {}): Promise<OutboxEntry<TEvent>> {
    const [entry] = await this.addMany([{ event, ...options }], session);
    return entry!;
  }

  /**
   * Writes several events through `session` as one document (one insert, one round trip). Their
   * order is kept: it is the publication order.
   */
  async addMany(items: ReadonlyArray<{ event: TEvent; dispatchWebhooks?: boolean }>, session: ClientSession): Promise<Array<OutboxEntry<TEvent>>> {
    if (!session.inTransaction()) {
      throw new Error('outbox entries are written inside a transaction; start one (withTransaction) or emit without a session');
    }
    if (items.length === 0) return [];
    const document = newDocument(items);
    // A movement gathering its inserts (openInsertBatch) sends this with its ledger entries.
    if (!joinInsertBatch(session, this.collection, [document] as never[])) await this.collection.insertOne(document as never, { session });
    return entriesOf(document);
  }

  /**
   * Writes a pending entry on its own, outside any transaction: an event that was to be
   * published directly but could not be (Redis down) waits here for the relay instead of being
   * lost or failing the operation that produced it.
   */
  async addPending(event: TEvent, options: { dispatchWebhooks?: boolean } = {}): Promise<void> {
    await this.collection.insertOne(newDocument([{ event, ...options }]) as never);
  }

  /**
   * The events of the oldest `limit` committed, unsent documents, in publication order (a
   * document's events together, in their order).
   */
  async nextPending(limit: number): Promise<Array<OutboxEntry<TEvent>>> {
    const documents = (await this.collection
      .find({ status: 'pending' } as never)
      .sort({ _id: 1 })
      .limit(limit)
      .toArray()) as Array<OutboxDocument<TEvent> | LegacyOutboxDocument<TEvent>>;
    return documents.flatMap(entriesOf);
  }

  /** Marks these documents sent. */
  async markSent(ids: readonly ObjectId[]): Promise<void> {
    if (ids.length === 0) return;
    await this.collection.updateMany(
      { _id: { $in: [...ids] }, status: 'pending' } as never,
      {
        $set: { status: 'sent', sentAt: new Date() },
      } as never,
    );
  }

  /** Committed events not yet published (the events of the pending documents). */
  async countPending(): Promise<number> {
    const [row] = await this.collection
      .aggregate<{ events: number }>([
        { $match: { status: 'pending' } },
        // A document written one event apiece by an earlier version has no `events` array.
        { $group: { _id: null, events: { $sum: { $cond: [{ $isArray: '$events' }, { $size: '$events' }, 1] } } } },
      ])
      .toArray();
    return row?.events ?? 0;
  }
}

function newDocument<TEvent extends OutboxEventShape>(items: ReadonlyArray<{ event: TEvent; dispatchWebhooks?: boolean }>): OutboxDocument<TEvent> {
  return {
    _id: new ObjectId(),
    status: 'pending',
    createdAt: new Date(),
    events: items.map(({ event, dispatchWebhooks }) => (dispatchWebhooks ? { event, dispatchWebhooks: true as const } : { event })),
  };
}

/** A document's events as entries; a legacy one-event document gives its one. */
function entriesOf<TEvent extends OutboxEventShape>(document: OutboxDocument<TEvent> | LegacyOutboxDocument<TEvent>): Array<OutboxEntry<TEvent>> {
  const { _id, status, createdAt, sentAt } = document;
  const events = 'events' in document ? document.events : [{ event: document.event, ...(document.dispatchWebhooks ? { dispatchWebhooks: true as const } : {}) }];
  return events.map(({ event, dispatchWebhooks }) => ({
    _id,
    eventId: event.id,
    tenantId: event.tenantId,
    type: event.type,
    event,
    status,
    createdAt,
    ...(sentAt !== undefined ? { sentAt } : {}),
    ...(dispatchWebhooks ? { dispatchWebhooks: true } : {}),
  }));
}
