import { describe, expect, it, vi } from 'vitest';
import { createTransferWithTransactions } from 'core-service';
import { SAGA_RUNS_COLLECTION } from 'core-service/saga';
import { fundingAccountUserId } from '../src/domain/system-accounts.js';
import { CONTEXT_SECRET, startPayment } from './helpers.js';
import { spawnChild, waitForLine } from './children/spawn.js';

const LEASE_MS = 1_000;

describe('a payment process killed mid-way', () => {
  it('after SIGKILL during transfers and withdrawals, restart and recovery resolve every hold and every invariant holds', { timeout: 180_000 }, async () => {
    // The first instance only seeds the books; the child is the one that dies.
    const seed = await startPayment({ sagaLeaseMs: LEASE_MS });
    const { fixture } = seed;
    const { db, client } = seed.service.deps;
    const tenantId = fixture.tenantId;
    const users = Array.from({ length: 10 }, (_, i) => `crash-user-${i}`);
    for (const userId of users) {
      await createTransferWithTransactions({
        db,
        client,
        tenantId,
        fromUserId: fundingAccountUserId(0),
        fromSystemAccount: true,
        toUserId: userId,
        amount: 5_000,
        currency: 'EUR',
        idempotencyKey: `fund-${userId}`,
        type: 'deposit',
      });
      // The child sends createTransfer over HTTP: its parties must be users payment-service knows.
      await seed.project({ id: userId, tenantId, roles: ['user'] });
    }
    await seed.service.stop();

    const child = spawnChild('payment-process', {
      MONGO_URI: fixture.mongoUri,
      REDIS_URL: fixture.redisUrl,
      DB_NAME: db.databaseName,
      STREAM_KEY: fixture.key('events'),
      KEY_PREFIX: fixture.brand,
      TENANT_ID: tenantId,
      CONTEXT_SECRET,
      LEASE_MS: String(LEASE_MS),
      USERS: JSON.stringify(users),
    });
    // Let both kinds of request finish a few times, then kill it without warning.
    await waitForLine(child, (lines) => lines.filter((l) => l.startsWith('withdraw ')).length >= 5 && lines.filter((l) => l.startsWith('transfer ')).length >= 10);
    child.kill('SIGKILL');
    await child.exited;
    const answers = child.lines.filter((line) => !line.startsWith('ready'));
    expect(answers.filter((line) => !/^(transfer|withdraw) (ok|MSPaymentInsufficientBalance)$/.test(line))).toEqual([]);

    // Restart on the same database and Redis prefix; recovery takes over what the dead process left.
    const restarted = await startPayment({ sagaLeaseMs: LEASE_MS }, fixture);
    const { store } = restarted.service.deps;
    const sagaRuns = db.collection(SAGA_RUNS_COLLECTION);
    // A transaction the dead process left open keeps its documents until the server's
    // transaction lifetime limit (60 s, as MongoDB's transactionLifetimeLimitSeconds) aborts it;
    // resumed captures hit write conflicts and retry until then. Hence the long wait.
    await vi.waitFor(
      async () => {
        await restarted.service.recovery.sweep(0);
        expect(await store.transfers.countDocuments({ tenantId, hold: 'held' })).toBe(0);
        expect(await sagaRuns.countDocuments({ tenantId, status: { $in: ['running', 'compensating'] } })).toBe(0);
      },
      { timeout: 110_000, interval: 250 },
    );

    const report = await restarted.service.deps.reconciliation.reconcile(tenantId, 'EUR');
    expect(report.findings).toEqual([]);
    expect(report.total).toBe(0);
    const wallets = await store.wallets.find({ tenantId, userId: { $in: users } }).toArray();
    expect(wallets.filter((w) => w.balance < 0 || w.lockedBalance !== 0)).toEqual([]);
    const withdrawals = await store.transfers.find({ tenantId, type: 'withdrawal' }).toArray();
    expect(withdrawals.length).toBeGreaterThan(0);
    expect(withdrawals.filter((t) => t.status === 'pending')).toEqual([]);

    // Recovery is idempotent: another pass changes nothing.
    const before = await store.wallets.find({ tenantId }).sort({ _id: 1 }).toArray();
    await restarted.service.recovery.sweep(0);
    expect(await store.wallets.find({ tenantId }).sort({ _id: 1 }).toArray()).toEqual(before);
  });
});
