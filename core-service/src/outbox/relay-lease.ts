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

  constructor(
    db: Db,
    readonly name: string,
    readonly owner: string,
    readonly leaseMs: number,
  ) {
    this.#collection = db.collection<LeaseDocument>(RELAY_LEASES_COLLECTION);
  }

  /** Takes the lease when free or expired, renews it when already held; false when another holds it. */
  async acquire(): Promise<boolean> {
    const now = new Date();
    try {
      const result = await this.#collection.findOneAndUpdate(
        { _id: this.name, $or: [{ owner: this.owner }, { expiresAt: { $lt: now } }] },
        { $set: { owner: this.owner, expiresAt: new Date(now.getTime() + this.leaseMs) } },
        { upsert: true, returnDocument: 'after' },
      );
      return result?.owner === this.owner;
    } catch (error) {
      // The upsert raced an existing, live lease held by someone else.
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async release(): Promise<void> {
    await this.#collection.deleteOne({ _id: this.name, owner: this.owner });
  }
}

function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}
