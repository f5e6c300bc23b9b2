import type { ClientSession, Collection, Db } from 'mongodb';

export type SessionStatus = 'active' | 'revoked';
export type RevocationReason = 'logout' | 'reuse_detected' | 'suspended' | 'expired' | 'admin' | 'password_changed';

/**
 * One document per session, i.e. per refresh-token family: the current token's hash and the
 * hashes it replaced. A presented hash found among `rotatedHashes` is a replay of a token that was
 * already exchanged, which is the signal of theft that revokes the family.
 */
export interface SessionRecord {
  id: string;
  tenantId: string;
  userId: string;
  tokenHash: string;
  rotatedHashes: string[];
  status: SessionStatus;
  revokedReason: RevocationReason | null;
  revokedAt: Date | null;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  clientAddress: string | null;
}

// A family older than this many rotations keeps only the most recent hashes: reuse of a very old
// token is then "unknown token" instead of "reuse", which still refuses it.
const MAX_ROTATED_HASHES = 100;

export class SessionsStore {
  readonly collection: Collection<SessionRecord>;

  constructor(db: Db) {
    this.collection = db.collection<SessionRecord>('sessions');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([
      { key: { id: 1 }, name: 'id_unique', unique: true },
      { key: { tokenHash: 1 }, name: 'token_hash_unique', unique: true },
      { key: { rotatedHashes: 1 }, name: 'rotated_hashes' },
      { key: { userId: 1, status: 1 }, name: 'user_status' },
    ]);
  }

  async insert(record: SessionRecord, session?: ClientSession): Promise<void> {
    await this.collection.insertOne({ ...record }, session ? { session } : {});
  }

  findByTokenHash(tokenHash: string): Promise<SessionRecord | null> {
    return this.collection.findOne({ tokenHash }, { projection: { _id: 0 } });
  }

  findByRotatedHash(tokenHash: string): Promise<SessionRecord | null> {
    return this.collection.findOne({ rotatedHashes: tokenHash }, { projection: { _id: 0 } });
  }

  /**
   * Swaps the presented hash for a new one, only while it is current and the session active and
   * unexpired: of two concurrent refreshes with one token exactly one wins; the loser then finds
   * the hash among the rotated ones and revokes the family, as a replay should. Matching on the
   * hash itself (not on a session read first) keeps the hot path to one round trip.
   */
  async rotate(presentedHash: string, nextHash: string, now: Date): Promise<SessionRecord | null> {
    return this.collection.findOneAndUpdate(
      { tokenHash: presentedHash, status: 'active', expiresAt: { $gt: now } },
      {
        $set: { tokenHash: nextHash, lastUsedAt: now },
        $push: { rotatedHashes: { $each: [presentedHash], $slice: -MAX_ROTATED_HASHES } },
      },
      { returnDocument: 'after', projection: { _id: 0 } },
    );
  }

  /** Revokes one session; true when it was active. */
  async revoke(id: string, reason: RevocationReason, now: Date): Promise<boolean> {
    const result = await this.collection.updateOne({ id, status: 'active' }, { $set: { status: 'revoked', revokedReason: reason, revokedAt: now } });
    return result.modifiedCount === 1;
  }

  /**
   * Revokes every active session of a user, but `exceptSessionId` when given (the caller's own,
   * e.g. after a password change); returns the revoked ids (for the session cache and events).
   */
  async revokeAllForUser(userId: string, reason: RevocationReason, now: Date, exceptSessionId?: string | null): Promise<string[]> {
    const filter = exceptSessionId == null ? { userId, status: 'active' as const } : { userId, status: 'active' as const, id: { $ne: exceptSessionId } };
    const active = await this.collection.find(filter, { projection: { _id: 0, id: 1 } }).toArray();
    if (active.length === 0) return [];
    const ids = active.map((s) => s.id);
    await this.collection.updateMany({ id: { $in: ids }, status: 'active' }, { $set: { status: 'revoked', revokedReason: reason, revokedAt: now } });
    return ids;
  }
}
