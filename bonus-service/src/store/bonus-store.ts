import type { ClientSession, Collection, Db } from 'mongodb';
import { paginateCollection, type PaginatedResult } from 'core-service';
import type { BonusTemplate } from '../domain/template.js';
import type { UserBonus, UserBonusStatus } from '../domain/user-bonus.js';

/** How many times a user has been awarded a template: the claim limit's conditional counter. */
export interface ClaimCounter {
  _id: string;
  tenantId: string;
  templateId: string;
  userId: string;
  count: number;
}

/** The first deposit seen per user: "first deposit" triggers need a fact payment-service owns. */
export interface FirstDeposit {
  _id: string;
  tenantId: string;
  userId: string;
  transferId: string;
  amount: number;
  currency: string;
  at: Date;
}

/**
 * What bonus-service knows of a user, from auth-service's events (a read model: services talk
 * through events). Keyed by user id alone, so an award naming another tenant's user is caught.
 */
export interface UserFact {
  _id: string;
  tenantId: string;
  status: string;
  /** The inviter, when the user registered with a referral code. */
  referredBy: string | null;
  /** When auth-service last wrote the user: older news never overwrites newer. */
  updatedAt: Date;
}

/** bonus-service's own collections (templates, awards, counters) in its database. */
export class BonusStore {
  readonly templates: Collection<BonusTemplate>;
  readonly bonuses: Collection<UserBonus>;
  readonly claimCounters: Collection<ClaimCounter>;
  readonly firstDeposits: Collection<FirstDeposit>;
  readonly users: Collection<UserFact>;

  constructor(readonly db: Db) {
    this.templates = db.collection<BonusTemplate>('bonus_templates');
    this.bonuses = db.collection<UserBonus>('user_bonuses');
    this.claimCounters = db.collection<ClaimCounter>('claim_counters');
    this.firstDeposits = db.collection<FirstDeposit>('first_deposits');
    this.users = db.collection<UserFact>('users');
  }

  async ensureIndexes(): Promise<void> {
    await this.templates.createIndexes([
      { key: { tenantId: 1, code: 1 }, name: 'tenant_code', unique: true },
      // Event-driven awards look up the tenant's active templates of one type.
      { key: { tenantId: 1, type: 1, active: 1 }, name: 'tenant_type_active' },
    ]);
    await this.bonuses.createIndexes([
      // One award per request: a claim's key, an admin's key, or an event trigger.
      { key: { tenantId: 1, requestKey: 1 }, name: 'tenant_request_key', unique: true },
      { key: { tenantId: 1, userId: 1, createdAt: -1, _id: -1 }, name: 'tenant_user_created' },
      { key: { tenantId: 1, userId: 1, status: 1, currency: 1 }, name: 'tenant_user_status_currency' },
      // The expiry sweep looks across tenants for active awards past their time.
      { key: { status: 1, expiresAt: 1 }, name: 'status_expires', partialFilterExpression: { status: 'ACTIVE' } },
    ]);
  }

  template(tenantId: string, code: string, session?: ClientSession): Promise<BonusTemplate | null> {
    return this.templates.findOne({ tenantId, code }, session ? { session } : {});
  }

  templatesOf(tenantId: string, activeOnly: boolean): Promise<BonusTemplate[]> {
    return this.templates
      .find(activeOnly ? { tenantId, active: true } : { tenantId })
      .sort({ code: 1 })
      .toArray();
  }

  bonus(tenantId: string, id: string, session?: ClientSession): Promise<UserBonus | null> {
    return this.bonuses.findOne({ _id: id, tenantId }, session ? { session } : {});
  }

  pageBonuses(
    tenantId: string,
    userId: string,
    status: UserBonusStatus | undefined,
    first: number | undefined,
    after: string | undefined,
    includeTotalCount: boolean,
  ): Promise<PaginatedResult<UserBonus>> {
    return paginateCollection(this.bonuses, {
      filter: { tenantId, userId, ...(status !== undefined ? { status } : {}) },
      sort: { createdAt: -1 },
      ...(first !== undefined ? { first } : {}),
      ...(after !== undefined ? { after } : {}),
      includeTotalCount,
    });
  }
}
