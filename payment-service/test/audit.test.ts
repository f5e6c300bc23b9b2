import { randomUUID } from 'node:crypto';
import type { AuditEntryDocument } from 'core-service';
import { createTestFixture } from 'core-service/testing';
import { describe, expect, it } from 'vitest';
import { startPayment } from './helpers.js';

const DEPOSIT = `mutation($input: DepositInput!) { deposit(input: $input) { id } }`;
const TRANSFER = `mutation($input: CreateTransferInput!) { createTransfer(input: $input) { id } }`;

describe('audit entries of money movements', () => {
  it('writes one entry per movement with its actor, amount and parties, none for a refused or replayed one', async () => {
    const fixture = createTestFixture({ label: 'pay-audit' });
    const payment = await startPayment({}, fixture);
    const log = (await fixture.db('core_service')).collection<AuditEntryDocument>('audit_log');
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];

    await payment.graphql(admin, DEPOSIT, { input: { userId: alice.id, amount: 5_000, currency: 'EUR', idempotencyKey: `k-${randomUUID()}` } });
    const transferKey = `k-${randomUUID()}`;
    const transfer = await payment.graphql<{ createTransfer: { id: string } }>(alice, TRANSFER, { input: { toUserId: bob.id, amount: 1_250, currency: 'EUR', idempotencyKey: transferKey } });
    // The same request again (a client retry) replays the first transfer: no second entry.
    await payment.graphql(alice, TRANSFER, { input: { toUserId: bob.id, amount: 1_250, currency: 'EUR', idempotencyKey: transferKey } });
    const refused = await payment.graphql(alice, TRANSFER, { input: { toUserId: bob.id, amount: 1_000_000, currency: 'EUR', idempotencyKey: `k-${randomUUID()}` } });
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('MSPaymentInsufficientBalance');

    const entries = await log.find({ tenantId: fixture.tenantId }).sort({ _id: 1 }).toArray();
    expect(entries.map((entry) => [entry.action, entry.actor.id, entry.data?.['amount']])).toEqual([
      ['deposit.completed', admin.id, 5_000],
      ['transfer.completed', alice.id, 1_250],
    ]);
    expect(entries[1]).toMatchObject({
      category: 'money',
      service: 'payment-service',
      outcome: 'success',
      resource: { type: 'transfer', id: transfer.data?.createTransfer.id },
      data: { fromUserId: alice.id, toUserId: bob.id, currency: 'EUR', type: 'transfer' },
      pending: true,
    });
    expect(entries[1]?.correlationId).toEqual(expect.any(String));
  });
});
