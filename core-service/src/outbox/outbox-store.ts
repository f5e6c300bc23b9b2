import { ObjectId, type ClientSession, type Collection, type Db } from 'mongodb';
import { joinInsertBatch } from '../database/insert-batch.js';

/** What the outbox needs to know about an event; the event itself is stored as is. */
export interface OutboxEventShape {
  id: string;
  type: string;
  tenantId: string;
}

export type OutboxStatus = 'pending' | 'sent';

export interface OutboxEntry<TEvent extends OutboxEventShape = OutboxEventShape> {
  /**
   * Generated inside the transaction attempt, after the caller's own writes began. ObjectIds
   * from one process increase, so entries of one transaction keep their emit order.
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

export const OUTBOX_COLLECTION = 'outbox';

export interface OutboxStoreOptions {
  collection?: string;
  /** Sent entries are deleted after this long (TTL index); pending entries never expire. */
  sentRetentionSeconds?: number;
}

/** The `outbox` collection of one service database. */
export class OutboxStore<TEvent extends OutboxEventShape = OutboxEventShape> {
  readonly collection: Collection<OutboxEntry<TEvent>>;
  readonly #sentRetentionSeconds: number;
  #indexesReady: Promise<void> | undefined;

  constructor(
    readonly db: Db,
    options: OutboxStoreOptions = {},
  ) {
    this.collection = db.collection<OutboxEntry<TEvent>>(options.collection ?? OUTBOX_COLLECTION);
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
   * Writes the entry through `session`: it commits or aborts with the caller's own writes,
   * which is the whole point of the outbox.
   */
  async add(event: TEvent, session: ClientSession, options: { dispatchWebhooks?: boolean } = {}): Promise<OutboxEntry<TEvent>> {
    const [entry] = await this.addMany([{ event, ...options }], session);
    return entry!;
  }

  /**
   * Writes several entries through `session` in one insert (one round trip): a money movement
   * announces the movement and each wallet it changed, and pays for one outbox write, not three.
   * Ordered: the entries' `_id`s increase in the given order, which is the publication order.
   */
  async addMany(items: ReadonlyArray<{ event: TEvent; dispatchWebhooks?: boolean }>, session: ClientSession): Promise<Array<OutboxEntry<TEvent>>> {
    if (!session.inTransaction()) {
      throw new Error('outbox entries are written inside a transaction; start one (withTransaction) or emit without a session');
    }
    const createdAt = new Date();
    const entries = items.map(
      ({ event, dispatchWebhooks }) =>
        ({
          _id: new ObjectId(),
          eventId: event.id,
          tenantId: event.tenantId,
          type: event.type,
          event,
          status: 'pending' as const,
          createdAt,
          ...(dispatchWebhooks ? { dispatchWebhooks: true } : {}),
        }) as OutboxEntry<TEvent>,
    );
    // A movement gathering its inserts (openInsertBatch) sends these with its ledger entries.
    if (joinInsertBatch(session, this.collection, entries as never[])) return entries;
    if (entries.length === 1) await this.collection.insertOne(entries[0] as never, { session });
    else if (entries.length > 1) await this.collection.insertMany(entries as never[], { session, ordered: true });
    return entries;
  }

  /**
   * Writes a pending entry on its own, outside any transaction: an event that was to be
   * published directly but could not be (Redis down) waits here for the relay instead of being
   * lost or failing the operation that produced it.
   */
  async addPending(event: TEvent, options: { dispatchWebhooks?: boolean } = {}): Promise<void> {
    await this.collection.insertOne({
      _id: new ObjectId(),
      eventId: event.id,
      tenantId: event.tenantId,
      type: event.type,
      event,
      status: 'pending',
      createdAt: new Date(),
      ...(options.dispatchWebhooks ? { dispatchWebhooks: true } : {}),
    } as never);
  }

  /** Committed, unsent entries in publication order. */
  async nextPending(limit: number): Promise<Array<OutboxEntry<TEvent>>> {
    return (await this.collection
      .find({ status: 'pending' } as never)
      .sort({ _id: 1 })
      .limit(limit)
      .toArray()) as Array<OutboxEntry<TEvent>>;
  }

  async markSent(ids: readonly ObjectId[]): Promise<void> {
    if (ids.length === 0) return;
    await this.collection.updateMany(
      { _id: { $in: [...ids] }, status: 'pending' } as never,
      {
        $set: { status: 'sent', sentAt: new Date() },
      } as never,
    );
  }

  async countPending(): Promise<number> {
    return this.collection.countDocuments({ status: 'pending' } as never);
  }
}
