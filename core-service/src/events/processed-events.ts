import { MongoServerError, type ClientSession, type Collection, type Db } from 'mongodb';

export interface ProcessedEventRecord {
  eventId: string;
  /** `<service>:<handler name>`: each handler of each service dedupes on its own. */
  consumer: string;
  processedAt: Date;
}

export const PROCESSED_EVENTS_COLLECTION = 'processed_events';

/**
 * Records which handler already applied which event, so a redelivery (crash before ack,
 * re-claim, outbox republish) is acknowledged without running the handler again.
 */
export class ProcessedEvents {
  readonly collection: Collection<ProcessedEventRecord>;
  #indexesReady: Promise<void> | undefined;

  constructor(
    db: Db,
    /** Must outlive the stream's retention, or a late redelivery would find no record. */
    private readonly ttlSeconds: number,
  ) {
    this.collection = db.collection<ProcessedEventRecord>(PROCESSED_EVENTS_COLLECTION);
  }

  ensureIndexes(): Promise<void> {
    this.#indexesReady ??= (async () => {
      await this.collection.createIndex({ eventId: 1, consumer: 1 }, { unique: true, name: 'event_consumer_unique' });
      await this.collection.createIndex({ processedAt: 1 }, { expireAfterSeconds: this.ttlSeconds, name: 'processed_ttl' });
    })();
    return this.#indexesReady;
  }

  async has(eventId: string, consumer: string, session?: ClientSession): Promise<boolean> {
    const found = await this.collection.findOne({ eventId, consumer }, { projection: { _id: 1 }, ...(session ? { session } : {}) });
    return found !== null;
  }

  /**
   * Inserts the record; `false` when it already existed (outside a transaction). Inside one,
   * a duplicate throws `EventAlreadyProcessedError` instead: the server has aborted the
   * transaction, and returning normally would make the driver try to commit it.
   */
  async record(eventId: string, consumer: string, session?: ClientSession): Promise<boolean> {
    try {
      await this.collection.insertOne({ eventId, consumer, processedAt: new Date() }, session ? { session } : {});
      return true;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      if (session?.inTransaction()) throw new EventAlreadyProcessedError(eventId, consumer);
      return false;
    }
  }
}

/** A concurrent delivery of the same event committed its record first. */
export class EventAlreadyProcessedError extends Error {
  override readonly name = 'EventAlreadyProcessedError';
  constructor(
    readonly eventId: string,
    readonly consumer: string,
  ) {
    super(`event ${eventId} was already processed by ${consumer}`);
  }
}

export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}
