import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { walletCollections, type AuditEntryDocument } from 'core-service';
import { AWARD, CANCEL, CLAIM, MY_BONUSES, UPSERT_TEMPLATE, createTemplate, errorCode, expectBooksBalance, poolWallet, startBonus } from './helpers.js';

const key = (): string => `k-${randomUUID()}`;

/** A user auth-service has announced, as its user.registered event leaves it in the read model. */
async function knownUser(bonus: Awaited<ReturnType<typeof startBonus>>) {
  const user = bonus.user();
  await bonus.service.deps.store.users.insertOne({ _id: user.id, tenantId: bonus.fixture.tenantId, status: 'active', referredBy: null, updatedAt: new Date() });
  return user;
}

describe('claimBonus', () => {
  it("moves the amount from the bonus pool into the user's bonusBalance with two ledger entries", async () => {
    const bonus = await startBonus();
    const admin = bonus.admin();
    const alice = bonus.user();
    const template = await createTemplate(bonus, admin, { amount: 2_500, turnoverMultiplier: 4 });

    const answer = await bonus.graphql(alice, CLAIM, { code: template.code, key: key() });
    expect(answer.errors).toBeUndefined();
    const claimed = answer.data.claimBonus;
    expect(claimed).toMatchObject({
      userId: alice.id,
      templateCode: template.code,
      type: 'WELCOME',
      currency: 'EUR',
      amount: 2_500,
      turnoverRequired: 10_000,
      turnoverProgress: 0,
      status: 'ACTIVE',
      resolvedAt: null,
    });

    const wallet = await bonus.payments.wallet(alice.id);
    expect(wallet).toMatchObject({ balance: 0, bonusBalance: 2_500 });
    expect(await poolWallet(bonus)).toMatchObject({ balance: 0, bonusBalance: -2_500 });
    const entries = await walletCollections(bonus.paymentDb).transactions.find({ tenantId: bonus.fixture.tenantId }).toArray();
    expect(entries.map((e) => [e.type, e.balanceType, e.amount]).sort((a, b) => Number(a[2]) - Number(b[2]))).toEqual([
      ['bonus_award', 'bonusBalance', -2_500],
      ['bonus_award', 'bonusBalance', 2_500],
    ]);
    const mine = await bonus.graphql(alice, MY_BONUSES);
    expect(mine.data.myBonuses.totalCount).toBe(1);
    await expectBooksBalance(bonus);
  });

  it('the same key answers with the first award and moves nothing more; the same key for another template is refused', async () => {
    const bonus = await startBonus();
    const admin = bonus.admin();
    const alice = bonus.user();
    const first = await createTemplate(bonus, admin, { maxClaimsPerUser: 5 });
    const second = await createTemplate(bonus, admin, { maxClaimsPerUser: 5 });
    const k = key();

    const a = await bonus.graphql(alice, CLAIM, { code: first.code, key: k });
    const b = await bonus.graphql(alice, CLAIM, { code: first.code, key: k });
    expect(b.data.claimBonus.id).toBe(a.data.claimBonus.id);
    const reused = await bonus.graphql(alice, CLAIM, { code: second.code, key: k });
    expect(errorCode(reused)).toBe('MSBonusIdempotencyKeyReused');
    expect((await bonus.payments.wallet(alice.id))?.bonusBalance).toBe(1_000);
    await expectBooksBalance(bonus);
  });

  it('refuses with a typed code and moves nothing: unknown, inactive, not started, ended, not claimable, limit reached, budget exhausted', async () => {
    const bonus = await startBonus();
    const admin = bonus.admin();
    const alice = bonus.user();
    const day = 24 * 3600 * 1000;
    const inactive = await createTemplate(bonus, admin, { active: false });
    const future = await createTemplate(bonus, admin, { startsAt: new Date(Date.now() + day).toISOString() });
    const past = await createTemplate(bonus, admin, { startsAt: new Date(Date.now() - 2 * day).toISOString(), endsAt: new Date(Date.now() - day).toISOString() });
    const manual = await createTemplate(bonus, admin, { type: 'MANUAL' });
    const once = await createTemplate(bonus, admin, { maxClaimsPerUser: 1 });
    const budgeted = await createTemplate(bonus, admin, { amount: 600, budget: 1_000, maxClaimsPerUser: 3 });

    expect(errorCode(await bonus.graphql(alice, CLAIM, { code: 'NO_SUCH', key: key() }))).toBe('MSBonusTemplateNotFound');
    expect(errorCode(await bonus.graphql(alice, CLAIM, { code: inactive.code, key: key() }))).toBe('MSBonusTemplateInactive');
    expect(errorCode(await bonus.graphql(alice, CLAIM, { code: future.code, key: key() }))).toBe('MSBonusOutsideWindow');
    expect(errorCode(await bonus.graphql(alice, CLAIM, { code: past.code, key: key() }))).toBe('MSBonusOutsideWindow');
    expect(errorCode(await bonus.graphql(alice, CLAIM, { code: manual.code, key: key() }))).toBe('MSBonusNotClaimable');
    expect(errorCode(await bonus.graphql(alice, CLAIM, { code: once.code, key: 'bad key!' }))).toBe('MSPaymentInvalidIdempotencyKey');
    expect((await bonus.graphql(alice, CLAIM, { code: once.code, key: key() })).errors).toBeUndefined();
    expect(errorCode(await bonus.graphql(alice, CLAIM, { code: once.code, key: key() }))).toBe('MSBonusClaimLimitReached');
    expect((await bonus.graphql(alice, CLAIM, { code: budgeted.code, key: key() })).errors).toBeUndefined();
    expect(errorCode(await bonus.graphql(alice, CLAIM, { code: budgeted.code, key: key() }))).toBe('MSBonusBudgetExhausted');

    expect((await bonus.payments.wallet(alice.id))?.bonusBalance).toBe(1_600);
    const mine = await bonus.graphql(alice, MY_BONUSES);
    expect(mine.data.myBonuses.totalCount).toBe(2);
    await expectBooksBalance(bonus);
  });

  it("a user cannot award or cancel, nor read another user's bonuses", async () => {
    const bonus = await startBonus();
    const alice = bonus.user();
    const bob = bonus.user();
    const template = await createTemplate(bonus, bonus.admin(), { type: 'MANUAL' });
    expect(errorCode(await bonus.graphql(alice, AWARD, { userId: alice.id, code: template.code, key: key() }))).toBe('FORBIDDEN');
    expect(errorCode(await bonus.graphql(alice, UPSERT_TEMPLATE, { input: { code: 'X1', name: 'x', type: 'WELCOME', currency: 'EUR', amount: 1 } }))).toBe('FORBIDDEN');
    expect(errorCode(await bonus.graphql(alice, `query($u: ID!) { userBonuses(userId: $u) { totalCount } }`, { u: bob.id }))).toBe('FORBIDDEN');
    expect(errorCode(await bonus.graphql(null, MY_BONUSES))).toBe('UNAUTHENTICATED');
    expect(await bonus.payments.wallet(alice.id)).toBeNull();
  });
});

describe('templates', () => {
  it('refuses an invalid template with MSBonusInvalidTemplate naming the fields, and upserts by code', async () => {
    const bonus = await startBonus();
    const admin = bonus.admin();
    const bad = await bonus.graphql(admin, UPSERT_TEMPLATE, { input: { code: 'BAD', name: 'x', type: 'DEPOSIT_MATCH', currency: 'EUR', amount: 100, percent: 50 } });
    expect(errorCode(bad)).toBe('MSBonusInvalidTemplate');
    const noCap = await bonus.graphql(admin, UPSERT_TEMPLATE, { input: { code: 'BAD', name: 'x', type: 'DEPOSIT_MATCH', currency: 'EUR', percent: 50 } });
    expect(noCap.errors?.[0]?.extensions?.['fields']).toContain('maxAmount');
    const currency = await bonus.graphql(admin, UPSERT_TEMPLATE, { input: { code: 'BAD', name: 'x', type: 'WELCOME', currency: 'XXX', amount: 100 } });
    expect(errorCode(currency)).toBe('MSBonusInvalidTemplate');

    const created = await createTemplate(bonus, admin, { code: 'MATCH', type: 'DEPOSIT_MATCH', amount: null, percent: 100, maxAmount: 5_000 });
    const updated = await createTemplate(bonus, admin, { code: 'MATCH', type: 'DEPOSIT_MATCH', amount: null, percent: 50, maxAmount: 5_000, active: false });
    expect(updated.id).toBe(created.id);
    expect(updated).toMatchObject({ percent: 50, active: false, claimable: false });
    const listed = await bonus.graphql(admin, `{ bonusTemplates { code } }`);
    expect(listed.data.bonusTemplates).toEqual([{ code: 'MATCH' }]);
    const forUsers = await bonus.graphql(bonus.user(), `{ bonusTemplates { code } }`);
    expect(forUsers.data.bonusTemplates).toEqual([]);
    const codes = await bonus.graphql(admin, `{ errorCodes }`);
    expect(codes.data.errorCodes).toEqual(expect.arrayContaining(['MSBonusClaimLimitReached', 'MSBonusBudgetExhausted', 'MSBonusIdempotencyKeyReused']));
  });
});

describe('awardBonus and cancelBonus', () => {
  it('an admin awards a MANUAL template; cancelling returns the credit to the pool once', async () => {
    const bonus = await startBonus();
    const admin = bonus.admin();
    const alice = await knownUser(bonus);
    const template = await createTemplate(bonus, admin, { type: 'MANUAL', amount: 700 });
    const awarded = await bonus.graphql(admin, AWARD, { userId: alice.id, code: template.code, key: key() });
    expect(awarded.data.awardBonus).toMatchObject({ userId: alice.id, status: 'ACTIVE', amount: 700 });
    expect((await bonus.payments.wallet(alice.id))?.bonusBalance).toBe(700);

    const id = awarded.data.awardBonus.id;
    const cancelled = await bonus.graphql(admin, CANCEL, { id, reason: 'abuse' });
    expect(cancelled.data.cancelBonus.status).toBe('CANCELLED');
    const again = await bonus.graphql(admin, CANCEL, { id, reason: 'abuse' });
    expect(again.data.cancelBonus.status).toBe('CANCELLED');
    expect(errorCode(await bonus.graphql(admin, CANCEL, { id: randomUUID(), reason: 'x' }))).toBe('MSBonusNotFound');

    expect(await bonus.payments.wallet(alice.id)).toMatchObject({ balance: 0, bonusBalance: 0 });
    expect(await poolWallet(bonus)).toMatchObject({ balance: 0, bonusBalance: 0 });
    const entries = await walletCollections(bonus.paymentDb).transactions.countDocuments({ tenantId: bonus.fixture.tenantId, type: 'bonus_forfeit' });
    expect(entries).toBe(2);
    const listed = await bonus.graphql(admin, `query($u: ID!) { userBonuses(userId: $u) { nodes { id status } } }`, { u: alice.id });
    expect(listed.data.userBonuses.nodes).toEqual([{ id, status: 'CANCELLED' }]);
    await expectBooksBalance(bonus);

    // Audited with the admin as actor: the template edit, the award and its money, the cancellation once.
    const audit = (await bonus.fixture.db('core_service')).collection<AuditEntryDocument>('audit_log');
    const actions = await audit
      .find({ tenantId: bonus.fixture.tenantId })
      .sort({ _id: 1 })
      .map((entry) => [entry.action, entry.actor.id])
      .toArray();
    expect(actions).toEqual([
      ['bonus_template.created', admin.id],
      ['bonus_award.completed', admin.id],
      ['bonus.awarded', admin.id],
      ['bonus_forfeit.completed', admin.id],
      ['bonus.cancelled', admin.id],
    ]);
    expect(await audit.findOne({ tenantId: bonus.fixture.tenantId, action: 'bonus.awarded' })).toMatchObject({
      category: 'money',
      resource: { type: 'bonus', id },
      data: { amount: 700, userId: alice.id },
    });
  });

  it('an admin award to an id the users read model does not know is refused with MSBonusUserNotFound and moves nothing', async () => {
    const bonus = await startBonus();
    const template = await createTemplate(bonus, bonus.admin(), { type: 'MANUAL', amount: 700 });
    const nobody = `u-${randomUUID()}`;
    expect(errorCode(await bonus.graphql(bonus.admin(), AWARD, { userId: nobody, code: template.code, key: key() }))).toBe('MSBonusUserNotFound');
    expect(await bonus.payments.wallet(nobody)).toBeNull();
    expect(await poolWallet(bonus)).toEqual({ balance: 0, bonusBalance: 0 });
    expect(await bonus.service.deps.store.bonuses.countDocuments({ tenantId: bonus.fixture.tenantId })).toBe(0);
  });

  it('a template without turnover converts at once: the amount lands in balance, not bonusBalance', async () => {
    const bonus = await startBonus();
    const admin = bonus.admin();
    const alice = bonus.user();
    const template = await createTemplate(bonus, admin, { turnoverMultiplier: 0, amount: 300 });
    const claimed = await bonus.graphql(alice, CLAIM, { code: template.code, key: key() });
    expect(claimed.data.claimBonus).toMatchObject({ status: 'CONVERTED', turnoverRequired: 0 });
    expect(await bonus.payments.wallet(alice.id)).toMatchObject({ balance: 300, bonusBalance: 0 });
    expect(await poolWallet(bonus)).toMatchObject({ balance: -300, bonusBalance: 0 });
    const cancelled = await bonus.graphql(admin, CANCEL, { id: claimed.data.claimBonus.id, reason: 'late' });
    expect(errorCode(cancelled)).toBe('MSBonusNotActive');
    await expectBooksBalance(bonus);
  });
});
