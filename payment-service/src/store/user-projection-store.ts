import type { ClientSession, Collection, Db, MongoClient } from 'mongodb';
import { withTransaction } from 'core-service';
import { applyUserFact, emailKey, type ProjectedUser, type UserFact } from '../domain/user-projection.js';

type ProjectedUserDocument = ProjectedUser & { _id: string };

interface ProjectionStateDocument {
  _id: 'users';
  /** The backfill asked for last and not yet answered; null once answered. */
  pendingBackfillId: string | null;
  /** The tenant that backfill asked for; null: every tenant. */
  pendingTenantId: string | null;
  requestedAt: Date | null;
  completedAt: Date | null;
  /** Users auth-service said the last completed snapshot held. */
  lastSnapshotUsers: number | null;
}

/** The projected users (`projected_users`) and the projection's bookkeeping (`projection_state`). */
export class UserProjectionStore {
  readonly users: Collection<ProjectedUserDocument>;
  readonly state: Collection<ProjectionStateDocument>;

  constructor(
    readonly db: Db,
    private readonly client: MongoClient,
  ) {
    this.users = db.collection<ProjectedUserDocument>('projected_users');
    this.state = db.collection<ProjectionStateDocument>('projection_state');
  }

  async ensureIndexes(): Promise<void> {
    // Partial: users registered without an email (phone only) have no lookup key.
    await this.users.createIndexes([{ key: { tenantId: 1, emailKey: 1 }, name: 'tenant_email', partialFilterExpression: { emailKey: { $type: 'string' } } }]);
  }

  /**
   * Applies one fact. Read, decide (pure), write: inside the event handler's transaction, so two
   * facts about one user applied concurrently conflict and one retries on the other's result.
   */
  async apply(fact: UserFact, session?: ClientSession): Promise<boolean> {
    if (session === undefined) return withTransaction({ client: this.client, fn: (own) => this.apply(fact, own) });
    const current = await this.users.findOne({ _id: fact.userId }, { session });
    const next = applyUserFact(current === null ? null : withoutId(current), fact);
    if (next === null) return false;
    await this.users.replaceOne({ _id: fact.userId }, next, { upsert: true, session });
    return true;
  }

  async find(userId: string): Promise<ProjectedUser | null> {
    const found = await this.users.findOne({ _id: userId });
    return found === null ? null : withoutId(found);
  }

  async findMany(userIds: readonly string[]): Promise<Map<string, ProjectedUser>> {
    const found = await this.users.find({ _id: { $in: [...userIds] } }).toArray();
    return new Map(found.map((user) => [user._id, withoutId(user)]));
  }

  async findByEmail(tenantId: string, email: string): Promise<ProjectedUser | null> {
    const found = await this.users.findOne({ tenantId, emailKey: emailKey(email) });
    return found === null ? null : withoutId(found);
  }

  count(): Promise<number> {
    return this.users.estimatedDocumentCount();
  }

  async backfillState(): Promise<ProjectionStateDocument | null> {
    return this.state.findOne({ _id: 'users' });
  }

  async markBackfillRequested(backfillId: string, tenantId: string | null, now: Date): Promise<void> {
    await this.state.updateOne({ _id: 'users' }, { $set: { pendingBackfillId: backfillId, pendingTenantId: tenantId, requestedAt: now } }, { upsert: true });
  }

  /** Only the backfill asked for last closes the gap: an older one's answer predates the request. */
  async markBackfillCompleted(backfillId: string, users: number, now: Date, session?: ClientSession): Promise<void> {
    await this.state.updateOne(
      { _id: 'users', pendingBackfillId: backfillId },
      { $set: { pendingBackfillId: null, completedAt: now, lastSnapshotUsers: users } },
      session !== undefined ? { session } : {},
    );
  }
}

function withoutId({ _id, ...user }: ProjectedUserDocument): ProjectedUser {
  void _id;
  return user;
}
