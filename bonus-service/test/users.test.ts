import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createIntegrationEvent } from 'core-service';
import { AWARD, CLAIM, createTemplate, errorCode, expectBooksBalance, startBonus, waitFor, type RunningBonus } from './helpers.js';

/** auth-service's announcements, as it publishes them on the brand's stream. */
async function announce(bonus: RunningBonus, type: string, userId: string, data: Record<string, unknown>, tenantId = bonus.fixture.tenantId): Promise<void> {
  await bonus.payments.bus.publish([createIntegrationEvent({ type, tenantId, userId, data })]);
}

async function known(bonus: RunningBonus, userId: string, status: string): Promise<void> {
  await waitFor(async () => (await bonus.service.deps.store.users.findOne({ _id: userId }))?.status === status, { what: `${userId} ${status}` });
}

describe('users read model', () => {
  it('a suspended user cannot claim, and an admin cannot award a user of another tenant: MSBonusIneligibleUser, nothing moved', async () => {
    const bonus = await startBonus();
    const alice = bonus.user();
    const stranger = bonus.user();
    const welcome = await createTemplate(bonus, bonus.admin());
    const manual = await createTemplate(bonus, bonus.admin(), { type: 'MANUAL' });
    await announce(bonus, 'user.registered', alice.id, { status: 'active', createdAt: new Date(Date.now() - 1_000).toISOString() });
    await announce(bonus, 'user.status_changed', alice.id, { from: 'active', to: 'suspended', updatedAt: new Date().toISOString() });
    await announce(bonus, 'user.registered', stranger.id, { status: 'active', createdAt: new Date().toISOString() }, 'another-tenant');
    await known(bonus, alice.id, 'suspended');
    await known(bonus, stranger.id, 'active');

    expect(errorCode(await bonus.graphql(alice, CLAIM, { code: welcome.code, key: `k-${randomUUID()}` }))).toBe('MSBonusIneligibleUser');
    expect(errorCode(await bonus.graphql(bonus.admin(), AWARD, { userId: stranger.id, code: manual.code, key: `k-${randomUUID()}` }))).toBe('MSBonusIneligibleUser');
    expect(await bonus.payments.wallet(alice.id)).toBeNull();
    expect(await bonus.payments.wallet(stranger.id)).toBeNull();

    // Reinstated: the same claim goes through.
    await announce(bonus, 'user.status_changed', alice.id, { from: 'suspended', to: 'active', updatedAt: new Date(Date.now() + 1_000).toISOString() });
    await known(bonus, alice.id, 'active');
    expect((await bonus.graphql(alice, CLAIM, { code: welcome.code, key: `k-${randomUUID()}` })).errors).toBeUndefined();
    await expectBooksBalance(bonus);
  });

  it("the inviter earns the REFERRAL bonus once, on the invited user's first deposit", async () => {
    const bonus = await startBonus();
    const inviter = bonus.user();
    const invited = bonus.user();
    await createTemplate(bonus, bonus.admin(), { code: 'REFER', type: 'REFERRAL', amount: 1_500, turnoverMultiplier: 2 });
    await announce(bonus, 'user.registered', inviter.id, { status: 'active', referredBy: null, createdAt: new Date().toISOString() });
    await announce(bonus, 'user.registered', invited.id, { status: 'active', referredBy: inviter.id, createdAt: new Date().toISOString() });
    await known(bonus, invited.id, 'active');

    await bonus.payments.deposit(invited.id, 3_000);
    await bonus.payments.deposit(invited.id, 4_000);
    const store = bonus.service.deps.store;
    await waitFor(async () => (await store.db.collection('processed_events').countDocuments({ consumer: { $regex: 'deposit-bonuses' } })) >= 2, { what: 'both deposits handled' });
    const awards = await store.bonuses.find({ tenantId: bonus.fixture.tenantId }).toArray();
    expect(awards.map((a) => [a.userId, a.type, a.amount, a.turnoverRequired])).toEqual([[inviter.id, 'REFERRAL', 1_500, 3_000]]);
    expect(await bonus.payments.wallet(inviter.id)).toMatchObject({ balance: 0, bonusBalance: 1_500 });
    expect(await bonus.payments.wallet(invited.id)).toMatchObject({ balance: 7_000, bonusBalance: 0 });
    await expectBooksBalance(bonus);
  });

  it('an empty read model asks auth-service for a snapshot at start, and applies the answer', async () => {
    const bonus = await startBonus();
    const raw = await bonus.fixture.redis().xrange(bonus.fixture.key('events'), '-', '+');
    const types = raw.map(([, fields]) => fields[fields.indexOf('type') + 1]);
    expect(types).toContain('users.backfill_requested');

    const carol = bonus.user();
    const welcome = await createTemplate(bonus, bonus.admin());
    await announce(bonus, 'user.snapshot', carol.id, { backfillId: 'b1', status: 'locked', updatedAt: new Date().toISOString() });
    await known(bonus, carol.id, 'locked');
    // An older snapshot never undoes a newer state.
    await announce(bonus, 'user.snapshot', carol.id, { backfillId: 'b0', status: 'active', updatedAt: new Date(Date.now() - 60_000).toISOString() });
    await waitFor(async () => (await bonus.service.deps.store.db.collection('processed_events').countDocuments({ consumer: { $regex: 'users-snapshot' } })) === 2, { what: 'both snapshots handled' });
    expect(errorCode(await bonus.graphql(carol, CLAIM, { code: welcome.code, key: `k-${randomUUID()}` }))).toBe('MSBonusIneligibleUser');
  });
});
