import { randomInt, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTransferWithTransactions } from 'core-service';
import { fundingAccountUserId } from '../src/domain/system-accounts.js';
import { startPayment } from './helpers.js';
import { spawnChild } from './children/spawn.js';
import type { PlannedTransfer } from './children/transfer-client.js';

const PROCESSES = 4;
const USERS = 20;
const REQUESTS = 200;
const DUPLICATED_KEYS = 15;
const OPENING_BALANCE = 1_000;

describe('concurrent transfers from several processes', () => {
  it('200 transfers among 20 wallets from 4 processes, overdrawing and sharing keys: books balance, nobody goes negative, one transfer per accepted key', { timeout: 150_000 }, async () => {
    const payment = await startPayment();
    const { fixture, service } = payment;
    const { db, client } = service.deps;
    const tenantId = fixture.tenantId;
    const users = Array.from({ length: USERS }, (_, i) => `cc-user-${i}`);
    for (const userId of users) {
      await createTransferWithTransactions({
        db,
        client,
        tenantId,
        fromUserId: fundingAccountUserId(0),
        fromSystemAccount: true,
        toUserId: userId,
        amount: OPENING_BALANCE,
        currency: 'EUR',
        idempotencyKey: `fund-${userId}`,
        type: 'deposit',
      });
    }

    // Amounts up to 60% of an opening balance: busy wallets run dry, so some transfers overdraw.
    const unique: PlannedTransfer[] = Array.from({ length: REQUESTS - DUPLICATED_KEYS }, () => {
      const from = randomInt(USERS);
      const to = (from + 1 + randomInt(USERS - 1)) % USERS;
      return { fromUserId: users[from]!, toUserId: users[to]!, amount: 1 + randomInt(600), idempotencyKey: `cc-${randomUUID()}` };
    });
    const shares: PlannedTransfer[][] = Array.from({ length: PROCESSES }, () => []);
    unique.forEach((transfer, i) => shares[i % PROCESSES]!.push(transfer));
    // The same request (same key, same input) sent by two different processes.
    unique.slice(0, DUPLICATED_KEYS).forEach((transfer, i) => shares[(i + 1) % PROCESSES]!.push(transfer));

    const children = shares.map((plan) =>
      spawnChild('transfer-client', {
        MONGO_URI: fixture.mongoUri,
        REDIS_URL: fixture.redisUrl,
        DB_NAME: db.databaseName,
        TENANT_ID: tenantId,
        KEY_PREFIX: fixture.brand,
        PLAN: JSON.stringify(plan),
        // Every request of a process in flight at once: 200 concurrent transfers in all.
        IN_FLIGHT: String(REQUESTS),
      }),
    );
    expect(await Promise.all(children.map((child) => child.exited))).toEqual(children.map(() => 0));
    const answers = children.flatMap((child) => child.lines.map((line) => JSON.parse(line) as { key: string; outcome: string; transferId?: string }));
    expect(answers).toHaveLength(REQUESTS);
    expect(answers.filter((a) => !['ok', 'replayed', 'MSPaymentInsufficientBalance'].includes(a.outcome))).toEqual([]);
    expect(answers.filter((a) => a.outcome === 'MSPaymentInsufficientBalance').length).toBeGreaterThan(0);

    // Each accepted key produced exactly one transfer, and every acceptance of it names that transfer.
    const transfers = await service.deps.store.transfers.find({ tenantId, type: 'transfer' }).toArray();
    const byKey = new Map<string, string[]>();
    for (const transfer of transfers) byKey.set(transfer.idempotencyKey, [...(byKey.get(transfer.idempotencyKey) ?? []), transfer.id]);
    const accepted = answers.filter((a) => a.outcome === 'ok' || a.outcome === 'replayed');
    for (const answer of accepted) expect(byKey.get(answer.key)).toEqual([answer.transferId]);
    expect(new Set(accepted.map((a) => a.key)).size).toBe(transfers.length);
    expect(accepted.filter((a) => a.outcome === 'ok')).toHaveLength(transfers.length);
    for (const answer of answers.filter((a) => a.outcome === 'MSPaymentInsufficientBalance')) {
      if (!accepted.some((a) => a.key === answer.key)) expect(byKey.has(answer.key)).toBe(false);
    }

    // Balances equal the ledger, sums are zero, two entries per transfer: the reconciliation's checks.
    const report = await service.deps.reconciliation.reconcile(tenantId, 'EUR');
    expect(report.findings).toEqual([]);
    expect(report.total).toBe(0);
    const wallets = await service.deps.store.wallets.find({ tenantId, userId: { $in: users } }).toArray();
    expect(wallets.filter((wallet) => wallet.balance < 0 || wallet.balance - wallet.lockedBalance < 0)).toEqual([]);
    expect(wallets.reduce((sum, wallet) => sum + wallet.balance, 0)).toBe(USERS * OPENING_BALANCE);
  });
});
