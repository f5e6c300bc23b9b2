import { MongoServerError, type Collection, type Db } from 'mongodb';

interface LeaseDocument {
  _id: string;
  owner: string;
  expiresAt: Date;
}

export const RELAY_LEASES_COLLECTION = 'outbox_relay_leases';

/**
 * A time-bound leadership lease in MongoDB: one relay per service publishes, so entries go
 * out in order; when the holder dies, another instance takes over after `leaseMs`.
 *
 * Kept in the service's own database (next to the outbox) rather than a Redis lock: the
 * relay needs MongoDB anyway, and a lease that lives with the data it guards cannot be split
 * from it by a Redis failover. A paused holder can outlive its lease, so two relays may
 * briefly publish the same entries: that is a duplicate, never a loss, and consumers dedupe.
 */
export class RelayLease {
  readonly #collection: Collection<LeaseDocument>;
  readonly #retryMs: number;
  /** `performance.now()` before which the last answer stands: held (renewed recently) or refused. */
  #answerUntil = 0;
  #held = false;

  /**
   * `retryMs`: how long an answer is reused before asking the database again; at most
   * `leaseMs / 3`, so a holder always renews with two thirds of its lease left.
   */
  constructor(
    db: Db,
    readonly name: string,
    readonly owner: string,
    readonly leaseMs: number,
    retryMs = leaseMs / 3,
  ) {
    this.#collection = db.collection<LeaseDocument>(RELAY_LEASES_COLLECTION);
    this.#retryMs = Math.min(retryMs, leaseMs / 3);
  }

  /**
   * Takes the lease when free or expired, renews it when already held; false when another holds
   * it. Asks the database at most once per `retryMs`: a relay passes here on every commit's
   * wake-up, and without this every instance that is not the holder sent a losing upsert (a
   * duplicate key error) per commit, and the holder a renewal per pass. Reusing "held" is as safe
   * as the lease itself: it was renewed for `leaseMs` less than `leaseMs / 3` ago.
   */
  async acquire(): Promise<boolean> {
    if (performance.now() < this.#answerUntil) return this.#held;
    const now = new Date();
    let held: boolean;
    try {
      const result = await this.#collection.findOneAndUpdate(
        { _id: this.name, $or: [{ owner: this.owner }, { expiresAt: { $lt: now } }] },
        { $set: { owner: this.owner, expiresAt: new Date(now.getTime() + this.leaseMs) } },
        { upsert: true, returnDocument: 'after' },
      );
      held = result?.owner === this.owner;
    } catch (error) {
      // The upsert raced an existing, live lease held by someone else.
      if (!isDuplicateKeyError(error)) throw error;
      held = false;
    }
    this.#held = held;
    this.#answerUntil = performance.now() + this.#retryMs;
    return held;
  }

  async release(): Promise<void> {
    this.#held = false;
    this.#answerUntil = 0;
    await this.#collection.deleteOne({ _id: this.name, owner: this.owner });
  }
}

function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}
