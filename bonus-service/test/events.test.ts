import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createIntegrationEvent, walletCollections } from 'core-service';
import { createTestFixture } from 'core-service/testing';
import { expireBonus } from '../src/awards/expire-bonus.js';
import { CLAIM, createTemplate, expectBooksBalance, poolWallet, startBonus, waitFor } from './helpers.js';

const DAY = 24 * 3600 * 1000;

describe('turnover and conversion', () => {
  it('outgoing transfers after the award count towards turnover; meeting it moves the amount into balance once', async () => {
    const bonus = await startBonus();
    const alice = bonus.user();
    const bob = bonus.user();
    await bonus.payments.deposit(alice.id, 10_000);
    const template = await createTemplate(bonus, bonus.admin(), { amount: 1_000, turnoverMultiplier: 3 });
    const claimed = (await bonus.graphql(alice, CLAIM, { code: template.code, key: `k-${randomUUID()}` })).data.claimBonus;
    const stored = () => bonus.service.deps.store.bonus(bonus.fixture.tenantId, claimed.id);

    await bonus.payments.transfer(alice.id, bob.id, 2_000);
    await waitFor(async () => (await stored())?.turnoverProgress === 2_000, { what: 'progress 2,000' });
    // Incoming money and other currencies are not turnover.
    await bonus.payments.transfer(bob.id, alice.id, 500);
    await bonus.payments.transfer(alice.id, bob.id, 1_500);
    const converted = await waitFor(async () => ((await stored())?.status === 'CONVERTED' ? stored() : null), { what: 'conversion' });
    expect(converted).toMatchObject({ turnoverProgress: 3_000, status: 'CONVERTED' });
    expect(converted?.resolvedAt).toBeInstanceOf(Date);

    // 10,000 deposited − 2,000 + 500 − 1,500 sent, + 1,000 converted.
    expect(await bonus.payments.wallet(alice.id)).toMatchObject({ balance: 8_000, bonusBalance: 0 });
    expect(await poolWallet(bonus)).toMatchObject({ balance: -1_000, bonusBalance: 0 });
    const conversions = await walletCollections(bonus.paymentDb).transactions.countDocuments({ tenantId: bonus.fixture.tenantId, type: 'bonus_conversion' });
    expect(conversions).toBe(4);
    await expectBooksBalance(bonus);
  });

  it('withdrawals count towards turnover; movements in another currency do not', async () => {
    const bonus = await startBonus();
    const alice = bonus.user();
    await bonus.payments.deposit(alice.id, 10_000);
    await bonus.payments.deposit(alice.id, 10_000, 'USD');
    const template = await createTemplate(bonus, bonus.admin(), { amount: 500, turnoverMultiplier: 4 });
    const claimed = (await bonus.graphql(alice, CLAIM, { code: template.code, key: `k-${randomUUID()}` })).data.claimBonus;
    const stored = () => bonus.service.deps.store.bonus(bonus.fixture.tenantId, claimed.id);

    await bonus.payments.withdraw(alice.id, 5_000, 'USD');
    await bonus.payments.withdraw(alice.id, 1_500);
    await waitFor(async () => (await stored())?.turnoverProgress === 1_500, { what: 'withdrawal counted' });
    await bonus.payments.withdraw(alice.id, 500);
    await waitFor(async () => (await stored())?.status === 'CONVERTED', { what: 'conversion' });
    expect(await stored()).toMatchObject({ turnoverProgress: 2_000 });
    expect(await bonus.payments.wallet(alice.id)).toMatchObject({ balance: 8_500, bonusBalance: 0, lockedBalance: 0 });
    expect(await bonus.payments.wallet(alice.id, 'USD')).toMatchObject({ balance: 5_000, bonusBalance: 0 });
    await expectBooksBalance(bonus);
  });

  it('bonusBalance cannot be sent or withdrawn: a user holding only bonus credit has nothing to move', async () => {
    const bonus = await startBonus();
    const alice = bonus.user();
    const template = await createTemplate(bonus, bonus.admin(), { amount: 1_000, turnoverMultiplier: 3 });
    await bonus.graphql(alice, CLAIM, { code: template.code, key: `k-${randomUUID()}` });
    await expect(bonus.payments.transfer(alice.id, bonus.user().id, 1)).rejects.toMatchObject({ code: 'MSPaymentInsufficientBalance' });
    await expect(bonus.payments.withdraw(alice.id, 1)).rejects.toMatchObject({ code: 'MSPaymentInsufficientBalance' });
    expect(await bonus.payments.wallet(alice.id)).toMatchObject({ balance: 0, bonusBalance: 1_000 });
    await expectBooksBalance(bonus);
  });
});

describe('expiry', () => {
  it("the award's own delayed job expires it: the credit returns to the pool and the expiring notice went out first", async () => {
    const bonus = await startBonus();
    const alice = bonus.user();
    const template = await createTemplate(bonus, bonus.admin(), { amount: 800, turnoverMultiplier: 2, validForDays: 2 });
    const claimed = (await bonus.graphql(alice, CLAIM, { code: template.code, key: `k-${randomUUID()}` })).data.claimBonus;
    const queue = bonus.service.expiry.queue;
    await waitFor(async () => (await queue.getDelayedCount()) === 2, { what: 'two delayed jobs' });

    bonus.clock.advance(2 * DAY);
    await queue.promoteJobs();
    const stored = () => bonus.service.deps.store.bonus(bonus.fixture.tenantId, claimed.id);
    const expired = await waitFor(async () => ((await stored())?.status === 'EXPIRED' ? stored() : null), { what: 'expiry' });
    expect(expired?.expiringNotified).toBe(true);
    expect(await bonus.payments.wallet(alice.id)).toMatchObject({ balance: 0, bonusBalance: 0 });
    expect(await poolWallet(bonus)).toMatchObject({ balance: 0, bonusBalance: 0 });
    const outbox = await bonus.service.deps.store.db
      .collection('outbox')
      .aggregate([{ $unwind: '$events' }, { $match: { 'events.event.type': { $regex: '^bonus\\.' } } }])
      .toArray();
    expect(outbox.map((entry) => String(entry['events'].event.type)).sort()).toEqual(['bonus.awarded', 'bonus.expired', 'bonus.expiring']);
    await expectBooksBalance(bonus);
  });

  it('the sweep expires what no job did, once, however often it runs', async () => {
    const bonus = await startBonus({ expiryWorker: false });
    const alice = bonus.user();
    const template = await createTemplate(bonus, bonus.admin(), { amount: 500, turnoverMultiplier: 2, validForDays: 1, maxClaimsPerUser: 3 });
    for (let i = 0; i < 3; i += 1) await bonus.graphql(alice, CLAIM, { code: template.code, key: `k-${randomUUID()}` });
    expect(await bonus.service.expiry.sweep()).toBe(0);
    bonus.clock.advance(DAY);
    const runs = await Promise.all([bonus.service.expiry.sweep(), bonus.service.expiry.sweep()]);
    expect(runs[0]! + runs[1]!).toBe(3);
    expect(await bonus.service.expiry.sweep()).toBe(0);
    expect((await bonus.payments.wallet(alice.id))?.bonusBalance).toBe(0);
    expect(await walletCollections(bonus.paymentDb).transactions.countDocuments({ tenantId: bonus.fixture.tenantId, type: 'bonus_forfeit' })).toBe(6);
    await expectBooksBalance(bonus);
  });

  it('expiry racing the conversion: exactly one wins and the books show only its movement', async () => {
    const bonus = await startBonus({ expiryWorker: false });
    const alice = bonus.user();
    await bonus.payments.deposit(alice.id, 5_000);
    const template = await createTemplate(bonus, bonus.admin(), { amount: 1_000, turnoverMultiplier: 1, validForDays: 1 });
    const claimed = (await bonus.graphql(alice, CLAIM, { code: template.code, key: `k-${randomUUID()}` })).data.claimBonus;
    bonus.clock.advance(DAY);
    // The transfer's event converts; the expiry runs at the same time.
    await Promise.all([bonus.payments.transfer(alice.id, bonus.user().id, 1_000), expireBonus(bonus.service.deps, { tenantId: bonus.fixture.tenantId, bonusId: claimed.id })]);
    const final = await waitFor(
      async () => {
        const processed = await bonus.service.deps.store.db.collection('processed_events').countDocuments({ consumer: { $regex: 'transfer-bonuses' } });
        const stored = await bonus.service.deps.store.bonus(bonus.fixture.tenantId, claimed.id);
        return processed > 0 && stored?.status !== 'ACTIVE' ? stored : null;
      },
      { what: 'resolution and the transfer event handled' },
    );
    const entries = await walletCollections(bonus.paymentDb)
      .transactions.find({ tenantId: bonus.fixture.tenantId, type: { $in: ['bonus_forfeit', 'bonus_conversion'] } })
      .toArray();
    if (final?.status === 'EXPIRED') {
      expect(entries.map((e) => e.type)).toEqual(['bonus_forfeit', 'bonus_forfeit']);
      expect((await bonus.payments.wallet(alice.id))?.balance).toBe(4_000);
    } else {
      expect(final?.status).toBe('CONVERTED');
      expect(entries.map((e) => e.type)).toEqual(Array(4).fill('bonus_conversion'));
      expect((await bonus.payments.wallet(alice.id))?.balance).toBe(5_000);
    }
    expect((await bonus.payments.wallet(alice.id))?.bonusBalance).toBe(0);
    await expectBooksBalance(bonus);
  });
});

describe('awards from payment events', () => {
  it('a first deposit delivered 5 times and read by 2 consumers makes one DEPOSIT_MATCH award; a second deposit makes none', async () => {
    const fixture = createTestFixture({ label: 'bonusdep' });
    const bonus = await startBonus({}, fixture);
    const other = await startBonus({}, fixture);
    void other;
    const alice = bonus.user();
    await createTemplate(bonus, bonus.admin(), { code: 'MATCH', type: 'DEPOSIT_MATCH', amount: null, percent: 50, maxAmount: 3_000, turnoverMultiplier: 5 });

    const { transfer } = await bonus.payments.deposit(alice.id, 4_000);
    const event = createIntegrationEvent({
      type: 'deposit.completed',
      tenantId: fixture.tenantId,
      userId: transfer.fromUserId,
      data: { transferId: transfer.id, type: 'deposit', fromUserId: transfer.fromUserId, toUserId: alice.id, amount: 4_000, currency: 'EUR', status: 'completed' },
    });
    await bonus.payments.bus.publish([event, event, event, event]);
    const store = bonus.service.deps.store;
    const awarded = await waitFor(() => store.bonuses.findOne({ tenantId: fixture.tenantId, userId: alice.id }), { what: 'deposit match' });
    expect(awarded).toMatchObject({ type: 'DEPOSIT_MATCH', amount: 2_000, turnoverRequired: 10_000, status: 'ACTIVE' });

    await bonus.payments.deposit(alice.id, 6_000);
    // Every copy and the second deposit are handled once the stream is drained for both consumers.
    await waitFor(async () => (await store.db.collection('processed_events').countDocuments({ consumer: { $regex: 'deposit-bonuses' } })) >= 2, { what: 'both deposits handled' });
    await waitFor(async () => (await bonus.service.events.getStats()).pending === 0, { what: 'nothing pending' });
    expect(await store.bonuses.countDocuments({ tenantId: fixture.tenantId })).toBe(1);
    expect(await bonus.payments.wallet(alice.id)).toMatchObject({ balance: 10_000, bonusBalance: 2_000 });
    await expectBooksBalance(bonus);
  });

  it('a completed outgoing transfer earns CASHBACK once per transfer, within the claim limit', async () => {
    const bonus = await startBonus();
    const alice = bonus.user();
    const bob = bonus.user();
    await bonus.payments.deposit(alice.id, 10_000);
    await createTemplate(bonus, bonus.admin(), { code: 'CASH', type: 'CASHBACK', amount: null, percent: 10, maxAmount: 150, turnoverMultiplier: 1, maxClaimsPerUser: 2 });
    await bonus.payments.transfer(alice.id, bob.id, 1_000);
    await bonus.payments.transfer(alice.id, bob.id, 3_000);
    await bonus.payments.transfer(alice.id, bob.id, 2_000);
    const store = bonus.service.deps.store;
    await waitFor(async () => (await store.db.collection('processed_events').countDocuments({ consumer: { $regex: 'transfer-bonuses' } })) >= 3, { what: 'three transfers handled' });
    const awards = await store.bonuses.find({ tenantId: bonus.fixture.tenantId, type: 'CASHBACK' }).sort({ createdAt: 1 }).toArray();
    expect(awards.map((a) => a.amount).sort((a, b) => a - b)).toEqual([100, 150]);
    expect(awards.every((a) => a.userId === alice.id)).toBe(true);
    await expectBooksBalance(bonus);
  });
});
