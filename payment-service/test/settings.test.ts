import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createConfigStore, type ConfigStore } from 'core-service';
import { createTestFixture, waitFor, type TestFixture } from 'core-service/testing';
import { SimulatedPayoutsInProductionError, payoutProviderFor } from '../src/payout/configured-payout-provider.js';
import { DEFAULT_PAYMENT_SETTINGS, LivePaymentSettings, legacyEnvOverrides, registerPaymentConfigDefaults } from '../src/settings.js';
import { startPayment } from './helpers.js';

const payout = DEFAULT_PAYMENT_SETTINGS.payout;

describe('payout provider', () => {
  it('production refuses to pay withdrawals with the simulated provider', () => {
    expect(() => payoutProviderFor(payout, { isProduction: true })).toThrow(SimulatedPayoutsInProductionError);
    expect(() => payoutProviderFor({ ...payout, providerUrl: '' }, { isProduction: true })).toThrow(SimulatedPayoutsInProductionError);
  });
  it('a configured URL gives the HTTP provider anywhere; without one, development simulates', () => {
    expect(payoutProviderFor({ ...payout, providerUrl: 'https://payouts.example/' }, { isProduction: true }).name).toBe('http');
    expect(payoutProviderFor(payout, { isProduction: false }).name).toBe('simulated');
  });
});

describe('settings from the environment', () => {
  it('the names documented before the config store still apply, and PAYMENT_SERVICE_* wins over them', () => {
    expect(legacyEnvOverrides({ FUNDING_SHARDS: '4', PAYOUT_PROVIDER_URL: 'https://p.example/' })).toEqual({
      PAYMENT_SERVICE_FUNDING_SHARDS: '4',
      PAYMENT_SERVICE_PAYOUT: JSON.stringify({ ...payout, providerUrl: 'https://p.example/' }),
    });
    expect(legacyEnvOverrides({ FUNDING_SHARDS: '4', PAYMENT_SERVICE_FUNDING_SHARDS: '2' })).toEqual({});
    expect(legacyEnvOverrides({})).toEqual({});
  });
});

function configStoreOf(fixture: TestFixture, db: Awaited<ReturnType<TestFixture['db']>>, env: Record<string, string> = {}): ConfigStore {
  const store = createConfigStore({ db, redis: fixture.redis(), channelPrefix: fixture.keyPrefix, env });
  onTestFinished(() => store.close());
  return store;
}

describe('settings from the config store', () => {
  it("an admin's edit in another instance reaches the running service without a restart: deposits use the new funding shards", async () => {
    registerPaymentConfigDefaults();
    const fixture = createTestFixture({ label: 'pay' });
    const core = await fixture.db('core');
    const [serviceStore, adminStore] = [configStoreOf(fixture, core), configStoreOf(fixture, core)];
    await serviceStore.ensureIndexes();
    await serviceStore.start();
    const settings = await LivePaymentSettings.load(serviceStore);
    expect(settings.current).toEqual(DEFAULT_PAYMENT_SETTINGS);

    const payment = await startPayment({ settings }, fixture);
    await adminStore.set('payment-service', 'fundingShards', 1, { updatedBy: 'admin' });
    await waitFor(() => settings.current.fundingShards === 1, { what: 'new fundingShards in force' });

    const [admin, alice] = [payment.admin(), payment.user()];
    for (let i = 0; i < 4; i += 1) {
      const answer = await payment.graphql(admin, `mutation($input: DepositInput!) { deposit(input: $input) { id } }`, {
        input: { userId: alice.id, amount: 10, currency: 'EUR', idempotencyKey: randomUUID() },
      });
      expect(answer.errors).toBeUndefined();
    }
    const payers = await payment.service.deps.store.transfers.distinct('fromUserId', { tenantId: fixture.tenantId, type: 'deposit' });
    expect(payers).toEqual(['system:funding#0']);
  });

  it('a value the schema refuses is not stored, and the service keeps its settings', async () => {
    registerPaymentConfigDefaults();
    const fixture = createTestFixture({ label: 'pay' });
    const store = configStoreOf(fixture, await fixture.db('core'));
    const settings = await LivePaymentSettings.load(store);
    await expect(store.set('payment-service', 'fundingShards', 0)).rejects.toThrow();
    await expect(store.set('payment-service', 'payout', { ...payout, simulatedDeclineRate: 2 })).rejects.toThrow();
    await settings.reload();
    expect(settings.current).toEqual(DEFAULT_PAYMENT_SETTINGS);
  });
});

describe('balance caps (settings balanceCaps)', () => {
  const DEPOSIT = `mutation($input: DepositInput!) { deposit(input: $input) { id } }`;
  const TRANSFER = `mutation($input: CreateTransferInput!) { createTransfer(input: $input) { id status } }`;

  it('the schema takes positive whole caps keyed by supported currencies and refuses the rest', async () => {
    registerPaymentConfigDefaults();
    const fixture = createTestFixture({ label: 'pay' });
    const store = configStoreOf(fixture, await fixture.db('core'));
    await store.set('payment-service', 'balanceCaps', { EUR: 1_000, JPY: 5 });
    for (const refused of [{ XXX: 1_000 }, { EUR: 0 }, { EUR: 10.5 }, { EUR: -1 }, { EUR: '1000' }, { EUR: Number.MAX_SAFE_INTEGER }]) {
      await expect(store.set('payment-service', 'balanceCaps', refused), JSON.stringify(refused)).rejects.toThrow();
    }
    expect(await store.get('payment-service', 'balanceCaps')).toEqual({ EUR: 1_000, JPY: 5 });
  });

  it('a deposit or transfer past the cap is refused with MSPaymentBalanceLimitExceeded naming currency and cap, nothing written; a cap changed at runtime applies to the next movement', async () => {
    registerPaymentConfigDefaults();
    const fixture = createTestFixture({ label: 'pay' });
    const core = await fixture.db('core');
    const [serviceStore, adminStore] = [configStoreOf(fixture, core), configStoreOf(fixture, core)];
    await serviceStore.ensureIndexes();
    await serviceStore.start();
    const settings = await LivePaymentSettings.load(serviceStore);
    expect(settings.current.balanceCaps).toEqual({});
    const payment = await startPayment({ settings }, fixture);
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    const deposit = (userId: string, amount: number, idempotencyKey = randomUUID()) => payment.graphql(admin, DEPOSIT, { input: { userId, amount, currency: 'EUR', idempotencyKey } });
    const balanceOf = async (userId: string) => (await payment.service.deps.store.wallet(fixture.tenantId, userId, 'EUR'))?.balance;

    expect((await deposit(bob.id, 500)).errors).toBeUndefined();
    await adminStore.set('payment-service', 'balanceCaps', { EUR: 1_000 }, { updatedBy: 'admin' });
    await waitFor(() => settings.current.balanceCaps['EUR'] === 1_000, { what: 'EUR cap in force' });

    // Exactly at the cap passes.
    expect((await deposit(alice.id, 1_000)).errors).toBeUndefined();
    expect(await balanceOf(alice.id)).toBe(1_000);
    // One over is refused, typed, and writes nothing.
    const overKey = randomUUID();
    const over = await deposit(alice.id, 1, overKey);
    expect(over.errors?.[0]?.extensions).toMatchObject({ code: 'MSPaymentBalanceLimitExceeded', currency: 'EUR', cap: 1_000 });
    expect(await balanceOf(alice.id)).toBe(1_000);
    expect(await payment.service.deps.store.transfers.countDocuments({ tenantId: fixture.tenantId, idempotencyKey: overKey })).toBe(0);
    // A transfer into the capped wallet: refused, the payer keeps its money, no ledger entry.
    const transfer = await payment.graphql(bob, TRANSFER, { input: { toUserId: alice.id, amount: 1, currency: 'EUR', idempotencyKey: randomUUID() } });
    expect(transfer.errors?.[0]?.extensions).toMatchObject({ code: 'MSPaymentBalanceLimitExceeded', currency: 'EUR', cap: 1_000 });
    expect(await balanceOf(bob.id)).toBe(500);
    expect(await payment.service.deps.store.transactions.countDocuments({ tenantId: fixture.tenantId, userId: bob.id })).toBe(1);

    // The admin raises the cap: the same movement now passes, without a restart.
    await adminStore.set('payment-service', 'balanceCaps', { EUR: 1_001 }, { updatedBy: 'admin' });
    await waitFor(() => settings.current.balanceCaps['EUR'] === 1_001, { what: 'raised EUR cap in force' });
    expect((await payment.graphql(bob, TRANSFER, { input: { toUserId: alice.id, amount: 1, currency: 'EUR', idempotencyKey: randomUUID() } })).errors).toBeUndefined();
    expect([await balanceOf(alice.id), await balanceOf(bob.id)]).toEqual([1_001, 499]);
  });
});
