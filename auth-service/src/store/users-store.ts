import type { ClientSession, Collection, Db, Filter } from 'mongodb';
import { paginateCollection, type PaginatedResult } from 'core-service';
import type { UserRecord, UserStatus } from '../domain/user.js';

export interface UserListFilter {
  status?: UserStatus | undefined;
  role?: string | undefined;
  emailPrefix?: string | undefined;
}

/** The `users` collection. Email uniqueness is the database's job: a unique index per tenant. */
export class UsersStore {
  readonly collection: Collection<UserRecord>;

  constructor(db: Db) {
    this.collection = db.collection<UserRecord>('users');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndexes([
      { key: { id: 1 }, name: 'id_unique', unique: true },
      { key: { tenantId: 1, emailNormalized: 1 }, name: 'tenant_email_unique', unique: true },
      // The admin listing pages by (createdAt, _id) inside a tenant, optionally by status or role.
      { key: { tenantId: 1, createdAt: 1, _id: 1 }, name: 'tenant_created' },
      { key: { tenantId: 1, status: 1, createdAt: 1, _id: 1 }, name: 'tenant_status_created' },
      { key: { tenantId: 1, roles: 1, createdAt: 1, _id: 1 }, name: 'tenant_role_created' },
      // Only accounts that have a code: those created before referrals existed have none.
      { key: { tenantId: 1, referralCode: 1 }, name: 'tenant_referral_code', unique: true, partialFilterExpression: { referralCode: { $type: 'string' } } },
    ]);
  }

  async insert(user: UserRecord, session?: ClientSession): Promise<void> {
    await this.collection.insertOne({ ...user }, session ? { session } : {});
  }

  findById(id: string): Promise<UserRecord | null> {
    return this.collection.findOne({ id }, { projection: { _id: 0 } });
  }

  /** One query for many ids (the entity batcher's). */
  findByIds(ids: readonly string[]): Promise<UserRecord[]> {
    return this.collection.find({ id: { $in: [...ids] } }, { projection: { _id: 0 } }).toArray();
  }

  findByReferralCode(tenantId: string, referralCode: string): Promise<UserRecord | null> {
    return this.collection.findOne({ tenantId, referralCode }, { projection: { _id: 0 } });
  }

  findByEmail(tenantId: string, emailNormalized: string): Promise<UserRecord | null> {
    return this.collection.findOne({ tenantId, emailNormalized }, { projection: { _id: 0 } });
  }

  async addRole(id: string, role: string, now: Date): Promise<UserRecord | null> {
    return this.collection.findOneAndUpdate({ id }, { $addToSet: { roles: role }, $set: { updatedAt: now } }, { returnDocument: 'after', projection: { _id: 0 } });
  }

  async removeRole(id: string, role: string, now: Date): Promise<UserRecord | null> {
    return this.collection.findOneAndUpdate({ id }, { $pull: { roles: role }, $set: { updatedAt: now } }, { returnDocument: 'after', projection: { _id: 0 } });
  }

  async setStatus(id: string, status: UserStatus, now: Date, session?: ClientSession): Promise<UserRecord | null> {
    return this.collection.findOneAndUpdate({ id }, { $set: { status, updatedAt: now } }, { returnDocument: 'after', projection: { _id: 0 }, ...(session ? { session } : {}) });
  }

  async setPasswordHash(id: string, passwordHash: string, now: Date, session?: ClientSession): Promise<void> {
    await this.collection.updateOne({ id }, { $set: { passwordHash, updatedAt: now } }, session ? { session } : {});
  }

  async markEmailVerified(id: string, now: Date, session?: ClientSession): Promise<void> {
    await this.collection.updateOne({ id }, { $set: { emailVerifiedAt: now, updatedAt: now } }, session ? { session } : {});
  }

  list(tenantId: string, filter: UserListFilter, page: { first?: number; after?: string }): Promise<PaginatedResult<UserRecord>> {
    const query: Filter<UserRecord> = { tenantId };
    if (filter.status !== undefined) query.status = filter.status;
    if (filter.role !== undefined) query.roles = filter.role;
    if (filter.emailPrefix !== undefined && filter.emailPrefix !== '') {
      // Anchored, escaped prefix on the normalised email: uses the index range, no user regex.
      query.emailNormalized = { $regex: `^${escapeRegex(filter.emailPrefix.trim().toLowerCase())}` };
    }
    return paginateCollection(this.collection, {
      filter: query,
      sort: { createdAt: 1 },
      includeTotalCount: true,
      ...(page.first !== undefined ? { first: page.first } : {}),
      ...(page.after !== undefined ? { after: page.after } : {}),
    }) as Promise<PaginatedResult<UserRecord>>;
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
