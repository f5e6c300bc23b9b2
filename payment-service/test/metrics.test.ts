import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { deferred, metricValue, scrapeMetrics } from 'core-service/testing';
import { HttpPayoutProvider } from '../src/payout/http-payout-provider.js';
import { startPayment, type Caller, type RunningPayment } from './helpers.js';

const key = (): string => `key-${randomUUID()}`;
const DEPOSIT = `mutation($input: DepositInput!) { deposit(input: $input) { id amount } }`;
const TRANSFER = `mutation($input: CreateTransferInput!) { createTransfer(input: $input) { id status } }`;
const WITHDRAW = `mutation($input: WithdrawInput!) { withdraw(input: $input) { id status } }`;

async function ok(payment: RunningPayment, caller: Caller, query: string, input: Record<string, unknown>): Promise<void> {
  const result = await payment.graphql(caller, query, { input });
  expect(result.errors).toBeUndefined();
}

/** A payout provider that answers `paid` only once the test lets it. */
async function startHeldPayoutApi(): Promise<{ url: string; received: Promise<void>; answer(): void }> {
  const received = deferred();
  const release = deferred();
  const server = createServer((req, res) => {
    req.resume();
    received.resolve();
    void release.promise.then(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'paid', reference: 'po_1' })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    release.resolve();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, received: received.promise, answer: () => release.resolve() };
}

describe('payment-service metrics', () => {
  it('a deposit and a transfer move the transfer counters by currency, type and outcome, and the amount counters by the exact minor units', async () => {
    const payment = await startPayment();
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    const before = await scrapeMetrics(payment.url);
    expect(metricValue(before, 'payment_transfers_total', { type: 'transfer', currency: 'EUR', outcome: 'completed' })).toBe(0);

    await ok(payment, admin, DEPOSIT, { userId: alice.id, amount: 10_007, currency: 'EUR', idempotencyKey: key() });
    const transferKey = key();
    await ok(payment, alice, TRANSFER, { toUserId: bob.id, amount: 2_503, currency: 'EUR', idempotencyKey: transferKey });
    // A replay returns the first transfer and moves nothing: nothing is counted again.
    await ok(payment, alice, TRANSFER, { toUserId: bob.id, amount: 2_503, currency: 'EUR', idempotencyKey: transferKey });
    const refused = await payment.graphql(alice, TRANSFER, { input: { toUserId: bob.id, amount: 1_000_000, currency: 'EUR', idempotencyKey: key() } });
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('MSPaymentInsufficientBalance');

    const after = await scrapeMetrics(payment.url);
    expect(metricValue(after, 'payment_transfers_total', { type: 'deposit', currency: 'EUR', outcome: 'completed' })).toBe(1);
    expect(metricValue(after, 'payment_transfers_total', { type: 'transfer', currency: 'EUR', outcome: 'completed' })).toBe(1);
    expect(metricValue(after, 'payment_transferred_amount_minor_total', { type: 'deposit', currency: 'EUR' })).toBe(10_007);
    expect(metricValue(after, 'payment_transferred_amount_minor_total', { type: 'transfer', currency: 'EUR' })).toBe(2_503);
    // Every sample carries the service label and none a user or an amount.
    const transfers = after.filter((s) => s.name === 'payment_transfers_total');
    expect(transfers.every((s) => s.labels['service'] === 'payment-service' && Object.keys(s.labels).sort().join() === 'currency,outcome,service,type')).toBe(true);
    // The refused transfer shows as an errored operation, and the SDK's own metrics are there.
    expect(metricValue(after, 'subgraph_operations_total', { field: 'createTransfer', outcome: 'error' })).toBe(1);
    expect(metricValue(after, 'mongodb_transactions_total', { outcome: 'committed' })).toBeGreaterThanOrEqual(2);
    expect(after.some((s) => s.name === 'outbox_pending_entries')).toBe(true);
    expect(after.some((s) => s.name === 'queue_jobs' && s.labels['queue'] === 'webhooks-payment-service' && s.labels['state'] === 'waiting')).toBe(true);
  });

  it('an open withdrawal hold shows in the holds gauge until the payout captures it, then counts as a completed withdrawal', async () => {
    const api = await startHeldPayoutApi();
    const payment = await startPayment({ provider: new HttpPayoutProvider({ baseUrl: api.url }) });
    const [admin, alice] = [payment.admin(), payment.user()];
    await ok(payment, admin, DEPOSIT, { userId: alice.id, amount: 1_000, currency: 'EUR', idempotencyKey: key() });

    const withdrawal = payment.graphql(alice, WITHDRAW, { input: { amount: 400, currency: 'EUR', idempotencyKey: key() } });
    await api.received;
    const held = await scrapeMetrics(payment.url);
    expect(metricValue(held, 'payment_holds_open', { currency: 'EUR' })).toBe(1);
    expect(metricValue(held, 'payment_holds_open_amount_minor', { currency: 'EUR' })).toBe(400);

    api.answer();
    expect((await withdrawal).errors).toBeUndefined();
    const captured = await scrapeMetrics(payment.url);
    expect(metricValue(captured, 'payment_holds_open', { currency: 'EUR' })).toBe(0);
    expect(metricValue(captured, 'payment_transfers_total', { type: 'withdrawal', currency: 'EUR', outcome: 'completed' })).toBe(1);
    expect(metricValue(captured, 'payment_transferred_amount_minor_total', { type: 'withdrawal', currency: 'EUR' })).toBe(400);
  });

  it('reconciliation runs and findings are counted by outcome and kind', async () => {
    const payment = await startPayment();
    const [admin, alice] = [payment.admin(), payment.user()];
    await ok(payment, admin, DEPOSIT, { userId: alice.id, amount: 500, currency: 'EUR', idempotencyKey: key() });
    const { reconciliation, store } = payment.service.deps;
    expect((await reconciliation.reconcile(payment.fixture.tenantId, 'EUR')).isBalanced).toBe(true);
    let samples = await scrapeMetrics(payment.url);
    expect(metricValue(samples, 'payment_reconciliation_runs_total', { outcome: 'balanced' })).toBe(1);
    expect(metricValue(samples, 'payment_reconciliation_findings_total')).toBe(0);

    // A write around the ledger: the kind of bug reconciliation exists to find.
    await store.wallets.updateOne({ tenantId: payment.fixture.tenantId, userId: alice.id, currency: 'EUR' }, { $inc: { balance: 1 } });
    const report = await reconciliation.reconcile(payment.fixture.tenantId, 'EUR');
    expect(report.isBalanced).toBe(false);
    samples = await scrapeMetrics(payment.url);
    expect(metricValue(samples, 'payment_reconciliation_runs_total', { outcome: 'findings' })).toBe(1);
    expect(metricValue(samples, 'payment_reconciliation_findings_total', { kind: 'wallet_ledger_mismatch' })).toBe(1);
    expect(metricValue(samples, 'payment_reconciliation_findings_total')).toBe(report.findings.length);
  });

  it('the balance cache reports hits and misses per level after wallet reads', async () => {
    const payment = await startPayment();
    const [admin, alice] = [payment.admin(), payment.user()];
    await ok(payment, admin, DEPOSIT, { userId: alice.id, amount: 500, currency: 'EUR', idempotencyKey: key() });
    for (let i = 0; i < 3; i += 1) expect((await payment.graphql(alice, '{ myWallets { balance } }')).errors).toBeUndefined();
    const samples = await scrapeMetrics(payment.url);
    expect(metricValue(samples, 'cache_hits_total', { cache: 'balances', level: 'l1' })).toBe(2);
    expect(metricValue(samples, 'cache_misses_total', { cache: 'balances', level: 'l1' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(samples, 'circuit_breaker_state', { breaker: 'cache:balances' })).toBe(0);
  });
});
