import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { walletCollections } from 'core-service';
import { createTestFixture } from 'core-service/testing';
import { spawnChild, waitForLine } from './children/spawn.js';
import { CLAIM, createTemplate, expectBooksBalance, startBonus, waitFor } from './helpers.js';

const DAY = 24 * 3600 * 1000;

function childEnv(fixture: ReturnType<typeof createTestFixture>, crashAt: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MONGO_URI: fixture.mongoUri,
    REDIS_URL: fixture.redisUrl,
    BONUS_DB: fixture.dbName('bonus'),
    PAYMENT_DB: fixture.dbName('payment'),
    STREAM_KEY: fixture.key('events'),
    KEY_PREFIX: `${fixture.brand}:bonus`,
    PAYMENT_KEY_PREFIX: `${fixture.brand}:payment`,
    CRASH_AT: crashAt,
    ...extra,
  };
}

describe('crash', () => {
  it("a consumer killed with SIGKILL between the award's commit and the ack: after restart the deposit made exactly one award", { timeout: 120_000 }, async () => {
    const fixture = createTestFixture({ label: 'bonuscrash' });
    // Serves the admin API only; the child is the consumer that dies.
    const api = await startBonus({ consumeEvents: false, expiryWorker: false }, fixture);
    const alice = api.user();
    await createTemplate(api, api.admin(), { code: 'MATCH', type: 'DEPOSIT_MATCH', amount: null, percent: 100, maxAmount: 2_500, turnoverMultiplier: 2 });

    const child = spawnChild('bonus-process', childEnv(fixture, 'after-award'));
    await waitForLine(child, (lines) => lines.includes('ready'));
    await api.payments.deposit(alice.id, 2_000);
    expect(await child.exited).toBeNull();
    expect(child.signalCode).toBe('SIGKILL');
    // The award committed; its event was never acknowledged.
    expect(await api.service.deps.store.bonuses.countDocuments({ tenantId: fixture.tenantId })).toBe(1);

    const restarted = await startBonus({ expiryWorker: false, events: { blockMs: 200, claimIdleMs: 300, claimIntervalMs: 200 } }, fixture);
    await waitFor(async () => (await restarted.service.events.getStats()).pending === 0, { what: 'the abandoned entry re-claimed and acknowledged' });
    expect(await restarted.service.deps.store.bonuses.countDocuments({ tenantId: fixture.tenantId })).toBe(1);
    expect(await api.payments.wallet(alice.id)).toMatchObject({ balance: 2_000, bonusBalance: 2_000 });
    expect(await walletCollections(api.paymentDb).transactions.countDocuments({ tenantId: fixture.tenantId, type: 'bonus_award' })).toBe(2);

    // The kill also lost the expiry's scheduling (it runs after commit): the sweep still expires it, once.
    restarted.clock.advance(31 * DAY);
    expect(await restarted.service.expiry.sweep()).toBe(1);
    expect(await restarted.service.expiry.sweep()).toBe(0);
    expect(await api.payments.wallet(alice.id)).toMatchObject({ balance: 2_000, bonusBalance: 0 });
    await expectBooksBalance(api);
  });

  it('an expiry worker killed mid-run: after restart every award expired exactly once', { timeout: 180_000 }, async () => {
    const fixture = createTestFixture({ label: 'bonusexp' });
    const api = await startBonus({ consumeEvents: false, expiryWorker: false }, fixture);
    const template = await createTemplate(api, api.admin(), { amount: 400, turnoverMultiplier: 2, validForDays: 2 });
    const users = Array.from({ length: 6 }, () => api.user());
    for (const user of users) expect((await api.graphql(user, CLAIM, { code: template.code, key: `k-${randomUUID()}` })).errors).toBeUndefined();
    const queue = api.service.expiry.queue;
    await waitFor(async () => (await queue.getDelayedCount()) === 12, { what: 'each award scheduled its jobs' });

    const child = spawnChild('bonus-process', childEnv(fixture, 'after-expiry', { CLOCK_OFFSET_MS: String(2 * DAY) }));
    await waitForLine(child, (lines) => lines.includes('ready'));
    await queue.promoteJobs();
    expect(await child.exited).toBeNull();
    expect(child.signalCode).toBe('SIGKILL');
    const store = api.service.deps.store;
    const expiredByChild = await store.bonuses.countDocuments({ tenantId: fixture.tenantId, status: 'EXPIRED' });
    expect(expiredByChild).toBeGreaterThanOrEqual(1);

    // The new worker's clock is past expiry from its first job on.
    await startBonus({ consumeEvents: false, expiryStall: { lockDurationMs: 1_000, stalledIntervalMs: 300 }, now: () => new Date(Date.now() + 2 * DAY) }, fixture);
    // Jobs the dead worker held in transactions keep their documents until the server's
    // transaction lifetime limit (60 s, as MongoDB's) aborts them; their re-runs conflict and
    // retry until then. Hence the long wait.
    await waitFor(async () => (await store.bonuses.countDocuments({ tenantId: fixture.tenantId, status: 'EXPIRED' })) === 6, { what: 'every award expired', timeoutMs: 110_000, intervalMs: 250 });
    await waitFor(async () => (await queue.getJobCounts('active', 'wait', 'delayed')).active === 0, { what: 'no job left running' });

    for (const user of users) expect(await api.payments.wallet(user.id)).toMatchObject({ balance: 0, bonusBalance: 0 });
    expect(await walletCollections(api.paymentDb).transactions.countDocuments({ tenantId: fixture.tenantId, type: 'bonus_forfeit' })).toBe(12);
    const expiredEvents = await store.db
      .collection('outbox')
      .aggregate([{ $unwind: '$events' }, { $match: { 'events.event.type': 'bonus.expired' } }, { $count: 'n' }])
      .toArray();
    expect(expiredEvents).toEqual([{ n: 6 }]);
    await expectBooksBalance(api);
  });
});
