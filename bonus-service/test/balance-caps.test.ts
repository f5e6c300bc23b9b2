import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createConfigStore, walletCollections } from 'core-service';
import { createTestFixture, waitFor } from 'core-service/testing';
import { PaymentBalanceCaps } from '../src/awards/balance-caps.js';
import { CLAIM, createTemplate, errorCode, expectBooksBalance, startBonus } from './helpers.js';

const key = (): string => `k-${randomUUID()}`;

describe("payment-service's balance caps on awards and conversions", () => {
  it('refuses a claim that would credit past the stored cap, with nothing written, and follows a cap changed at runtime', async () => {
    const fixture = createTestFixture({ label: 'bcaps' });
    const coreDb = await fixture.db('core_service');
    // What an admin's setServiceConfig leaves for payment-service, seen by bonus-service's own store.
    const adminStore = createConfigStore({ db: coreDb, redis: fixture.redis() });
    await adminStore.ensureIndexes();
    await adminStore.set('payment-service', 'balanceCaps', { EUR: 1_000 }, { updatedBy: 'admin-1' });
    const bonusStore = createConfigStore({ db: coreDb, redis: fixture.redis() });
    await bonusStore.start();
    onTestFinished(() => bonusStore.close());
    const caps = await PaymentBalanceCaps.load(bonusStore);
    expect(caps.current).toEqual({ EUR: 1_000 });

    const bonus = await startBonus({ balanceCaps: () => caps.current }, fixture);
    const admin = bonus.admin();
    const alice = bonus.user();
    await bonus.payments.deposit(alice.id, 900);
    // Converts at once into `balance`: 900 + 300 would pass the 1,000 cap.
    const template = await createTemplate(bonus, admin, { turnoverMultiplier: 0, amount: 300, maxClaimsPerUser: 5 });
    const refused = await bonus.graphql(alice, CLAIM, { code: template.code, key: key() });
    expect(errorCode(refused)).toBe('MSPaymentBalanceLimitExceeded');
    expect(refused.errors?.[0]?.extensions).toMatchObject({ currency: 'EUR', cap: 1_000 });
    expect(await bonus.payments.wallet(alice.id)).toMatchObject({ balance: 900, bonusBalance: 0 });
    expect(await walletCollections(bonus.paymentDb).transactions.countDocuments({ tenantId: bonus.fixture.tenantId, type: { $regex: '^bonus_' } })).toBe(0);
    expect(await bonus.service.deps.store.bonuses.countDocuments({ userId: alice.id })).toBe(0);

    // The admin raises the cap: every store hears it, the next claim passes.
    await adminStore.set('payment-service', 'balanceCaps', { EUR: 1_200 }, { updatedBy: 'admin-1' });
    await adminStore.notifyChanged('payment-service', 'balanceCaps');
    await waitFor(() => caps.current['EUR'] === 1_200, { what: 'the raised cap' });
    const claimed = await bonus.graphql(alice, CLAIM, { code: template.code, key: key() });
    expect(claimed.errors).toBeUndefined();
    expect(await bonus.payments.wallet(alice.id)).toMatchObject({ balance: 1_200 });
    await expectBooksBalance(bonus);
  });
});
