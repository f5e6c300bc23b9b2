import { randomBytes, randomUUID } from 'node:crypto';
import { expect, onTestFinished } from 'vitest';
import type { Db } from 'mongodb';
import {
  EventBus,
  captureHold,
  createTransferWithTransactions,
  ensureWalletIndexes,
  placeHold,
  signUserContext,
  walletCollections,
  withTransaction,
  type TransferEventEmitter,
  type WalletDocument,
} from 'core-service';
import { createTestFixture, waitFor, type TestFixture } from 'core-service/testing';
import { createBonusService, type BonusService, type BonusServiceOptions } from '../src/service.js';
import { BONUS_POOL_PREFIX } from '../src/domain/system-accounts.js';

export const CONTEXT_SECRET = randomBytes(32).toString('hex');

/** Permissions as the auth-service's default roles put them in tokens. */
export const ROLE_PERMISSIONS = {
  user: ['wallet:read:own', 'bonus:read:own', 'bonus:claim:own'],
  admin: ['*:*:tenant'],
} as const;

export interface Caller {
  id: string;
  tenantId: string;
  roles: (keyof typeof ROLE_PERMISSIONS)[];
}

export interface GraphQLAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** A clock the test moves: expiry and windows without sleeping. */
export class TestClock {
  #offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.#offsetMs);
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}

export interface RunningBonus {
  fixture: TestFixture;
  service: BonusService;
  url: string;
  paymentDb: Db;
  clock: TestClock;
  payments: PaymentSide;
  graphql<T = any>(caller: Caller | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLAnswer<T>>;
  user(id?: string): Caller;
  admin(id?: string): Caller;
}

/**
 * payment-service's side of the books as bonus-service sees it: its database, and its money
 * events on the brand's stream. Tests move money with core-service's transfer helper and publish
 * through an EventBus named payment-service with its own outbox, the way payment-service does
 * (a service never imports another service, so the real wiring is exercised end to end by the
 * gateway's suite).
 */
export class PaymentSide {
  constructor(
    readonly db: Db,
    readonly bus: EventBus,
    private readonly fixture: TestFixture,
    private readonly client: import('mongodb').MongoClient,
  ) {}

  deposit(userId: string, amount: number, currency = 'EUR', idempotencyKey = `dep-${randomUUID()}`) {
    return createTransferWithTransactions({
      db: this.db,
      client: this.client,
      tenantId: this.fixture.tenantId,
      fromUserId: 'system:funding#0',
      fromSystemAccount: true,
      toUserId: userId,
      amount,
      currency,
      idempotencyKey,
      type: 'deposit',
      emit: (type, tenantId, user, data, { session }) => this.bus.emit(type, tenantId, user, data, { session }),
    });
  }

  transfer(fromUserId: string, toUserId: string, amount: number, currency = 'EUR') {
    return createTransferWithTransactions({
      db: this.db,
      client: this.client,
      tenantId: this.fixture.tenantId,
      fromUserId,
      toUserId,
      amount,
      currency,
      idempotencyKey: `tr-${randomUUID()}`,
      emit: (type, tenantId, user, data, { session }) => this.bus.emit(type, tenantId, user, data, { session }),
    });
  }

  /** A withdrawal as payment-service's saga makes it: hold, then capture (payout made). */
  async withdraw(userId: string, amount: number, currency = 'EUR') {
    const transferId = randomUUID();
    const emit: TransferEventEmitter = (type, tenantId, user, data, { session }) => this.bus.emit(type, tenantId, user, data, { session });
    const common = { db: this.db, tenantId: this.fixture.tenantId, emit };
    await withTransaction({
      client: this.client,
      fn: (session) => placeHold({ ...common, userId, externalUserId: 'system:funding#0', amount, currency, idempotencyKey: `wd-${transferId}`, transferId }, session),
    });
    return withTransaction({ client: this.client, fn: (session) => captureHold({ ...common, transferId }, session) });
  }

  async wallet(userId: string, currency = 'EUR'): Promise<WalletDocument | null> {
    return walletCollections(this.db).wallets.findOne({ tenantId: this.fixture.tenantId, userId, currency });
  }
}

/** A bonus-service on its own fixture (databases, Redis prefix, tenant), stopped after the test. */
export async function startBonus(overrides: Partial<BonusServiceOptions> = {}, fixture: TestFixture = createTestFixture({ label: 'bonus' })): Promise<RunningBonus> {
  const client = await fixture.mongoClient();
  const paymentDb = await fixture.db('payment');
  await ensureWalletIndexes(paymentDb);
  const clock = new TestClock();
  const service = createBonusService({
    client,
    db: await fixture.db('bonus'),
    paymentDb,
    coreDb: await fixture.db('core_service'),
    redis: fixture.redis(),
    streamKey: fixture.key('events'),
    keyPrefix: `${fixture.brand}:bonus`,
    paymentKeyPrefix: `${fixture.brand}:payment`,
    port: 0,
    contextSecret: CONTEXT_SECRET,
    expirySweepMs: 0,
    now: clock.now,
    events: { blockMs: 200, claimIntervalMs: 500 },
    ...overrides,
  });
  const { url } = await service.start();
  onTestFinished(() => service.stop());
  const paymentBus = new EventBus({ serviceName: 'payment-service', redis: fixture.redis(), mongo: { client, db: paymentDb }, streamKey: fixture.key('events') });
  onTestFinished(() => paymentBus.close());
  const caller =
    (roles: Caller['roles']) =>
    (id = `u-${randomUUID().slice(0, 8)}`): Caller => ({ id, tenantId: fixture.tenantId, roles });
  return {
    fixture,
    service,
    url,
    paymentDb,
    clock,
    payments: new PaymentSide(paymentDb, paymentBus, fixture, client),
    user: caller(['user']),
    admin: caller(['admin']),
    async graphql(who, query, variables) {
      const headers = signUserContext(
        who === null
          ? { correlationId: randomUUID() }
          : { sub: who.id, tid: who.tenantId, roles: who.roles, permissions: who.roles.flatMap((role) => [...ROLE_PERMISSIONS[role]]), correlationId: randomUUID() },
        CONTEXT_SECRET,
      );
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as never;
    },
  };
}

export const UPSERT_TEMPLATE = `mutation Upsert($input: BonusTemplateInput!) { upsertBonusTemplate(input: $input) { id code type currency amount percent maxAmount turnoverMultiplier validForDays maxClaimsPerUser active budget budgetSpent claimable } }`;
export const CLAIM = `mutation Claim($code: String!, $key: String!) { claimBonus(templateCode: $code, idempotencyKey: $key) { id userId templateCode type currency amount turnoverRequired turnoverProgress status expiresAt createdAt resolvedAt } }`;
export const AWARD = `mutation Award($userId: ID!, $code: String!, $key: String!) { awardBonus(userId: $userId, templateCode: $code, idempotencyKey: $key) { id userId templateCode type amount turnoverRequired turnoverProgress status } }`;
export const CANCEL = `mutation Cancel($id: ID!, $reason: String!) { cancelBonus(id: $id, reason: $reason) { id status resolvedAt } }`;
export const MY_BONUSES = `query Mine($status: UserBonusStatus) { myBonuses(first: 50, status: $status) { totalCount nodes { id templateCode status amount turnoverProgress turnoverRequired } } }`;

/** A template through the API; fields override a once-per-user WELCOME of 1,000 EUR cents. */
export async function createTemplate(bonus: RunningBonus, admin: Caller, input: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const answer = await bonus.graphql(admin, UPSERT_TEMPLATE, {
    input: { code: `W${randomUUID().slice(0, 8).toUpperCase()}`, name: 'Welcome', type: 'WELCOME', currency: 'EUR', amount: 1_000, turnoverMultiplier: 3, ...input },
  });
  expect(answer.errors).toBeUndefined();
  return answer.data.upsertBonusTemplate;
}

export function errorCode(answer: GraphQLAnswer<unknown>): unknown {
  return answer.errors?.[0]?.extensions?.['code'];
}

/**
 * The books' invariants for the fixture's tenant: per currency and balance type the sum over all
 * wallets is zero, and each wallet's balances equal the sums of its ledger entries.
 */
export async function expectBooksBalance(bonus: RunningBonus): Promise<void> {
  const { wallets, transactions } = walletCollections(bonus.paymentDb);
  const tenantId = bonus.fixture.tenantId;
  const all = await wallets.find({ tenantId }).toArray();
  const sums = new Map<string, number>();
  for (const wallet of all) {
    for (const type of ['balance', 'bonusBalance'] as const) sums.set(`${wallet.currency}|${type}`, (sums.get(`${wallet.currency}|${type}`) ?? 0) + wallet[type]);
  }
  for (const [key, sum] of sums) expect(sum, `sum of ${key}`).toBe(0);
  const ledger = await transactions
    .aggregate<{ _id: { walletId: string; balanceType: string }; sum: number }>([
      { $match: { tenantId } },
      { $group: { _id: { walletId: '$walletId', balanceType: '$balanceType' }, sum: { $sum: '$amount' } } },
    ])
    .toArray();
  const byWallet = new Map(ledger.map((row) => [`${row._id.walletId}|${row._id.balanceType}`, row.sum]));
  for (const wallet of all) {
    for (const type of ['balance', 'bonusBalance'] as const) expect(wallet[type], `${wallet.id} ${type}`).toBe(byWallet.get(`${wallet.id}|${type}`) ?? 0);
  }
}

/** The bonus pool's balances: the sum of its sub-wallets. */
export async function poolWallet(bonus: RunningBonus, currency = 'EUR'): Promise<{ balance: number; bonusBalance: number }> {
  const shards = await walletCollections(bonus.paymentDb)
    .wallets.find({ tenantId: bonus.fixture.tenantId, currency, userId: { $regex: `^${BONUS_POOL_PREFIX}#` } })
    .toArray();
  return shards.reduce((sum, wallet) => ({ balance: sum.balance + wallet.balance, bonusBalance: sum.bonusBalance + wallet.bonusBalance }), { balance: 0, bonusBalance: 0 });
}

export { waitFor };
