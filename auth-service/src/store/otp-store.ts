import type { ClientSession, Collection, Db } from 'mongodb';
import type { OtpChannel } from '../domain/otp.js';

export interface OtpRecord {
  id: string;
  tenantId: string;
  userId: string;
  channel: OtpChannel;
  purpose: string;
  codeHash: string;
  attempts: number;
  maxAttempts: number;
  expiresAt: Date;
  consumedAt: Date | null;
  /** Set when a newer code for the same purpose replaced this one. */
  supersededAt: Date | null;
  createdAt: Date;
}

export class OtpStore {
  readonly collection: Collection<OtpRecord>;

  constructor(db: Db) {
    this.collection = db.collection<OtpRecord>('otp_codes');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([
      { key: { id: 1 }, name: 'id_unique', unique: true },
      { key: { userId: 1, purpose: 1, createdAt: -1 }, name: 'user_purpose_latest' },
      // Spent and expired codes are useless; MongoDB's TTL monitor removes them a day later.
      { key: { expiresAt: 1 }, name: 'expires_ttl', expireAfterSeconds: 24 * 3600 },
    ]);
  }

  /** Stores a new code and retires the previous live ones for the same purpose: only the newest works. */
  async replace(record: OtpRecord, session: ClientSession): Promise<void> {
    await this.collection.updateMany({ userId: record.userId, purpose: record.purpose, consumedAt: null, supersededAt: null }, { $set: { supersededAt: record.createdAt } }, { session });
    await this.collection.insertOne({ ...record }, { session });
  }

  findLatestLive(userId: string, purpose: string): Promise<OtpRecord | null> {
    return this.collection.findOne({ userId, purpose, supersededAt: null }, { sort: { createdAt: -1 }, projection: { _id: 0 } });
  }

  /** Counts a wrong guess, only while attempts remain (concurrent guesses cannot exceed the limit). */
  async recordFailedAttempt(id: string): Promise<void> {
    await this.collection.updateOne({ id, consumedAt: null, $expr: { $lt: ['$attempts', '$maxAttempts'] } }, { $inc: { attempts: 1 } });
  }

  /** Consumes the code once: of two concurrent correct submissions exactly one succeeds. */
  async consume(id: string, now: Date, session?: ClientSession): Promise<boolean> {
    const result = await this.collection.updateOne({ id, consumedAt: null, $expr: { $lt: ['$attempts', '$maxAttempts'] } }, { $set: { consumedAt: now } }, session ? { session } : {});
    return result.modifiedCount === 1;
  }
}
