import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { placeHold, verifyWebhookSignature, withTransaction, findRecoveryAudit } from 'core-service';
import { SAGA_RUNS_COLLECTION, newSagaRun, sagaStepKey } from 'core-service/saga';
import { WITHDRAW_SAGA_NAME, withdrawRunId } from '../src/sagas/withdraw.js';
import { fundingAccountUserId } from '../src/domain/system-accounts.js';
import { startPayment, type Caller, type RunningPayment } from './helpers.js';

const key = (): string => `key-${randomUUID()}`;
const DEPOSIT = `mutation($input: DepositInput!) { deposit(input: $input) { id } }`;
const TRANSFER = `mutation($input: CreateTransferInput!) { createTransfer(input: $input) { id status } }`;
const WALLET = `query($c: String!) { wallet(currency: $c) { balance lockedBalance availableBalance updatedAt } }`;
const RECONCILE = `mutation($c: String!) { runReconciliation(currency: $c) { currency isBalanced total wallets transfers findings { kind walletId transferId balanceType expected actual } } }`;

async function deposit(payment: RunningPayment, admin: Caller, user: Caller, amount: number): Promise<void> {
  const result = await payment.graphql(admin, DEPOSIT, { input: { userId: user.id, amount, currency: 'EUR', idempotencyKey: key() } });
  expect(result.errors).toBeUndefined();
}

async function balanceOf(payment: RunningPayment, user: Caller): Promise<Record<string, unknown> | null | undefined> {
  const result = await payment.graphql<{ wallet: Record<string, unknown> | null }>(user, WALLET, { c: 'EUR' });
  expect(result.errors).toBeUndefined();
  return result.data?.wallet;
}

/** Places a hold the way the withdraw saga's first step does, without the rest of the saga. */
async function holdOutsideSaga(payment: RunningPayment, user: Caller, amount: number): Promise<{ id: string; initiatedBy: string; idempotencyKey: string; requestHash: string }> {
  const { deps } = payment.service;
  const { transfer } = await withTransaction({
    client: deps.client,
    fn: (session) =>
      placeHold({ db: deps.db, tenantId: user.tenantId, userId: user.id, externalUserId: fundingAccountUserId(0), amount, currency: 'EUR', idempotencyKey: key(), transferId: randomUUID() }, session),
  });
  // Old enough to count as stuck: created an hour ago.
  await deps.store.transfers.updateOne({ _id: transfer.id }, { $set: { createdAt: new Date(Date.now() - 3_600_000) } });
  return transfer;
}

describe('balance cache', () => {
  it('a wallet read after a transfer sees the transfer, and repeated reads are served from the cache', async () => {
    const payment = await startPayment();
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    await deposit(payment, admin, alice, 1_000);
    expect(await balanceOf(payment, alice)).toMatchObject({ balance: 1_000 });
    const stats = payment.service.deps.balances.cache.getStats();
    expect(await balanceOf(payment, alice)).toMatchObject({ balance: 1_000, availableBalance: 1_000 });
    expect(payment.service.deps.balances.cache.getStats().hits.memory).toBeGreaterThan(stats.hits.memory);

    const transfer = await payment.graphql(alice, TRANSFER, { input: { toUserId: bob.id, amount: 300, currency: 'EUR', idempotencyKey: key() } });
    expect(transfer.errors).toBeUndefined();
    expect(await balanceOf(payment, alice)).toMatchObject({ balance: 700 });
    expect(await balanceOf(payment, bob)).toMatchObject({ balance: 300 });
  });

  it('a refused transfer leaves the cached balance as it was', async () => {
    const payment = await startPayment();
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    await deposit(payment, admin, alice, 100);
    expect(await balanceOf(payment, alice)).toMatchObject({ balance: 100 });
    const refused = await payment.graphql(alice, TRANSFER, { input: { toUserId: bob.id, amount: 500, currency: 'EUR', idempotencyKey: key() } });
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('MSPaymentInsufficientBalance');
    expect(await balanceOf(payment, alice)).toMatchObject({ balance: 100 });
    expect(await balanceOf(payment, bob)).toBeNull();
  });
});

describe('crash tracking and recovery', () => {
  it('a self-managed transfer is tracked; recovery of a stuck one confirms whether it committed and audits it', async () => {
    // Tracked from its start (by default only a transfer still running after 1 s is: round-trips.test.ts).
    const payment = await startPayment({ transferStaleAfterMs: 300, transferTrackAfterMs: 0 });
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    await deposit(payment, admin, alice, 500);
    const result = await payment.graphql<{ createTransfer: { id: string } }>(alice, TRANSFER, { input: { toUserId: bob.id, amount: 200, currency: 'EUR', idempotencyKey: key() } });
    const committedId = result.data!.createTransfer.id;
    const { deps, recovery } = payment.service;
    expect(await deps.transferTracker.get(committedId)).toMatchObject({ status: 'completed' });

    // Two operations whose owner "died": one committed, one that never did.
    const lostId = randomUUID();
    await deps.transferTracker.setInProgress(committedId, { tenantId: alice.tenantId });
    await deps.transferTracker.setInProgress(lostId, { tenantId: alice.tenantId, idempotencyKey: 'lost-key-1' });
    // Each operation's own delayed check fires once its heartbeat is stale; no sweep needed.
    await vi.waitFor(
      async () => {
        expect((await findRecoveryAudit(deps.db, 'transfer', committedId)).map((r) => r.action)).toEqual(['confirmed_committed']);
        expect((await findRecoveryAudit(deps.db, 'transfer', lostId)).map((r) => r.action)).toEqual(['confirmed_rolled_back']);
        // The job audits the attempt first and then marks the operation: wait for both.
        expect(await deps.transferTracker.get(lostId)).toMatchObject({ status: 'recovered' });
      },
      { timeout: 10_000, interval: 50 },
    );
    // Already recovered: a second attempt does nothing.
    expect((await recovery.recoverOperation('transfer', lostId)).status).toBe('skipped');
    // Nothing moved: recovery only established the facts.
    expect(await balanceOf(payment, alice)).toMatchObject({ balance: 300 });
    expect(await balanceOf(payment, bob)).toMatchObject({ balance: 200 });
  });

  it('a stuck hold without a saga run is released once, however many sweeps find it', async () => {
    const payment = await startPayment();
    const [admin, alice] = [payment.admin(), payment.user()];
    await deposit(payment, admin, alice, 1_000);
    const hold = await holdOutsideSaga(payment, alice, 400);
    expect(await balanceOf(payment, alice)).toMatchObject({ balance: 1_000, lockedBalance: 400, availableBalance: 600 });

    expect(await payment.service.recovery.sweep(0)).toBeGreaterThanOrEqual(1);
    await payment.service.recovery.sweep(0);
    const transfer = await payment.service.deps.store.transfers.findOne({ _id: hold.id });
    expect(transfer).toMatchObject({ hold: 'released', status: 'failed' });
    expect(await balanceOf(payment, alice)).toMatchObject({ balance: 1_000, lockedBalance: 0, availableBalance: 1_000 });
    expect((await findRecoveryAudit(payment.service.deps.db, 'withdrawal-hold', hold.id)).map((r) => r.action)).toEqual(['released']);
  });

  it('a stuck hold whose finished saga had paid out is captured, never released', async () => {
    const payment = await startPayment();
    const [admin, alice] = [payment.admin(), payment.user()];
    await deposit(payment, admin, alice, 1_000);
    const hold = await holdOutsideSaga(payment, alice, 250);
    const runId = withdrawRunId({ tenantId: alice.tenantId, ...hold });
    const now = new Date();
    await payment.service.deps.db.collection(SAGA_RUNS_COLLECTION).insertOne({
      ...newSagaRun({ runId, saga: WITHDRAW_SAGA_NAME, mode: 'compensation', input: {}, steps: [], tenantId: alice.tenantId, now }),
      _id: runId as never,
      status: 'needs_attention',
      steps: [
        { name: 'hold', status: 'completed', attempts: 1, compensationAttempts: 0 },
        { name: 'payout', status: 'completed', result: { status: 'paid', providerReference: 'ref-1' }, attempts: 1, compensationAttempts: 0 },
        { name: 'capture', status: 'failed', attempts: 20, compensationAttempts: 0 },
      ],
    });
    await payment.service.recovery.sweep(0);
    expect(await payment.service.deps.store.transfers.findOne({ _id: hold.id })).toMatchObject({ hold: 'captured', status: 'completed' });
    expect(await balanceOf(payment, alice)).toMatchObject({ balance: 750, lockedBalance: 0 });
    expect(await payment.service.deps.store.transactions.countDocuments({ objectId: hold.id })).toBe(2);
  });
});

describe('one saga run identity', () => {
  it("a withdrawal's run is found under withdrawRunId, and recovery asks the provider with the very key the saga's payout step used", async () => {
    const keys: string[] = [];
    const provider = {
      name: 'recording',
      payout: async (request: { idempotencyKey: string }) => (keys.push(request.idempotencyKey), { status: 'paid' as const, providerReference: `ref-${keys.length}` }),
    };
    const payment = await startPayment({ provider });
    const [admin, alice] = [payment.admin(), payment.user()];
    await deposit(payment, admin, alice, 1_000);
    const idempotencyKey = key();
    const answer = await payment.graphql<{ withdraw: { id: string; status: string } }>(alice, `mutation($input: WithdrawInput!) { withdraw(input: $input) { id status } }`, {
      input: { amount: 300, currency: 'EUR', idempotencyKey },
    });
    expect(answer.data?.withdraw.status).toBe('completed');
    const transfer = await payment.service.deps.store.transfers.findOne({ _id: answer.data!.withdraw.id });
    const runId = withdrawRunId({ tenantId: alice.tenantId, initiatedBy: transfer!.initiatedBy, idempotencyKey, requestHash: transfer!.requestHash });
    expect(await payment.service.deps.sagas.getRun(runId)).toMatchObject({ saga: WITHDRAW_SAGA_NAME, status: 'completed', tenantId: alice.tenantId });
    expect(keys).toEqual([sagaStepKey(runId, 'payout')]);

    // A hold whose run says the payout is in doubt: recovery asks the provider under the run's payout key.
    const hold = await holdOutsideSaga(payment, alice, 200);
    const stuckRunId = withdrawRunId({ tenantId: alice.tenantId, ...hold });
    await payment.service.deps.db.collection(SAGA_RUNS_COLLECTION).insertOne({
      ...newSagaRun({ runId: stuckRunId, saga: WITHDRAW_SAGA_NAME, mode: 'compensation', input: {}, steps: [], tenantId: alice.tenantId }),
      _id: stuckRunId as never,
      status: 'needs_attention',
      steps: [
        { name: 'hold', status: 'completed', attempts: 1, compensationAttempts: 0 },
        { name: 'payout', status: 'running', attempts: 1, compensationAttempts: 0 },
        { name: 'capture', status: 'pending', attempts: 0, compensationAttempts: 0 },
      ],
    });
    await payment.service.recovery.sweep(0);
    expect(keys).toEqual([sagaStepKey(runId, 'payout'), sagaStepKey(stuckRunId, 'payout')]);
    expect(await payment.service.deps.store.transfers.findOne({ _id: hold.id })).toMatchObject({ hold: 'captured', status: 'completed' });
    expect(await balanceOf(payment, alice)).toMatchObject({ balance: 500, lockedBalance: 0 });
  });
});

describe('reconciliation', () => {
  it('balanced books give an empty report; a manual balance write is reported as events and in the admin query, and left as it is', async () => {
    const payment = await startPayment();
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    await deposit(payment, admin, alice, 1_000);
    await payment.graphql(alice, TRANSFER, { input: { toUserId: bob.id, amount: 400, currency: 'EUR', idempotencyKey: key() } });

    const clean = await payment.graphql<{ runReconciliation: Record<string, unknown> }>(admin, RECONCILE, { c: 'EUR' });
    expect(clean.errors).toBeUndefined();
    expect(clean.data?.runReconciliation).toMatchObject({ isBalanced: true, total: 0, findings: [], transfers: 2 });

    const walletId = `${alice.tenantId}:${bob.id}:EUR`;
    await payment.service.deps.store.wallets.updateOne({ _id: walletId }, { $inc: { balance: 50 } });
    const dirty = await payment.graphql<{ runReconciliation: { findings: Record<string, unknown>[] } }>(admin, RECONCILE, { c: 'EUR' });
    expect(dirty.data?.runReconciliation.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'currency_sum_nonzero', expected: 0, actual: 50 }),
        expect.objectContaining({ kind: 'wallet_ledger_mismatch', walletId, balanceType: 'balance', expected: 400, actual: 450 }),
      ]),
    );
    const latest = await payment.graphql<{ reconciliationReport: Record<string, unknown> }>(admin, `{ reconciliationReport(currency: "EUR") { isBalanced total findings { kind } } }`);
    expect(latest.data?.reconciliationReport).toMatchObject({ isBalanced: false, total: 50 });
    expect((await payment.service.deps.store.wallets.findOne({ _id: walletId }))?.balance).toBe(450);

    const stream = await payment.fixture.redis().xrange(payment.fixture.key('events'), '-', '+');
    const findings = stream.filter(([, fields]) => fields[fields.indexOf('type') + 1] === 'reconciliation.finding');
    expect(findings).toHaveLength(2);
  });

  it('a completed transfer missing a ledger entry is reported; users cannot read reports', async () => {
    const payment = await startPayment();
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    await deposit(payment, admin, alice, 100);
    const t = await payment.graphql<{ createTransfer: { id: string } }>(alice, TRANSFER, { input: { toUserId: bob.id, amount: 10, currency: 'EUR', idempotencyKey: key() } });
    const transferId = t.data!.createTransfer.id;
    await payment.service.deps.store.transactions.deleteOne({ objectId: transferId, amount: 10 });
    const report = await payment.graphql<{ runReconciliation: { findings: Record<string, unknown>[] } }>(admin, RECONCILE, { c: 'EUR' });
    expect(report.data?.runReconciliation.findings).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'transfer_entry_count', transferId, expected: 2, actual: 1 })]));
    const asUser = await payment.graphql(alice, `{ reconciliationReport(currency: "EUR") { total } }`);
    expect(asUser.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it('the job scheduler reconciles every tenant currency on its own', async () => {
    const payment = await startPayment({ reconciliationEveryMs: 200 });
    const [admin, alice] = [payment.admin(), payment.user()];
    await deposit(payment, admin, alice, 100);
    await vi.waitFor(
      async () => {
        const report = await payment.service.deps.reconciliation.latest(alice.tenantId, 'EUR');
        expect(report).toMatchObject({ isBalanced: true, wallets: 2 });
      },
      { timeout: 10_000, interval: 100 },
    );
  });
});

describe('tenant webhooks', () => {
  it('an admin registers an endpoint; a committed transfer is delivered to it signed; the list masks the secret; delete removes it', async () => {
    const payment = await startPayment();
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    const received: { body: string; signature: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ body, signature: String(req.headers['x-webhook-signature'] ?? '') });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

    const registered = await payment.graphql<{ registerWebhook: { id: string; secret: string } }>(admin, `mutation($i: RegisterWebhookInput!) { registerWebhook(input: $i) { id secret events } }`, {
      i: { url, events: ['transfer.completed'] },
    });
    expect(registered.errors).toBeUndefined();
    const { id, secret } = registered.data!.registerWebhook;
    expect(secret.startsWith('whsec_')).toBe(true);

    await deposit(payment, admin, alice, 100);
    await payment.graphql(alice, TRANSFER, { input: { toUserId: bob.id, amount: 40, currency: 'EUR', idempotencyKey: key() } });
    await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 10_000, interval: 50 });
    const event = JSON.parse(received[0]!.body) as { type: string; data: Record<string, unknown> };
    expect(event).toMatchObject({ type: 'transfer.completed', data: { amount: 40, fromUserId: alice.id, toUserId: bob.id } });
    expect(verifyWebhookSignature(received[0]!.signature, received[0]!.body, secret)).toBe(true);

    const listed = await payment.graphql<{ webhooks: { id: string; secret: string }[] }>(admin, `{ webhooks { id secret } }`);
    expect(listed.data?.webhooks).toEqual([{ id, secret: expect.stringMatching(/^whsec_…/) }]);
    const deleted = await payment.graphql<{ deleteWebhook: boolean }>(admin, `mutation($id: ID!) { deleteWebhook(id: $id) }`, { id });
    expect(deleted.data?.deleteWebhook).toBe(true);
    expect((await payment.graphql<{ webhooks: unknown[] }>(admin, `{ webhooks { id } }`)).data?.webhooks).toEqual([]);
  });

  it('users cannot manage webhooks, and unknown events or bad URLs are typed errors that register nothing', async () => {
    const payment = await startPayment();
    const [admin, alice] = [payment.admin(), payment.user()];
    const REGISTER = `mutation($i: RegisterWebhookInput!) { registerWebhook(input: $i) { id } }`;
    const byUser = await payment.graphql(alice, REGISTER, { i: { url: 'http://127.0.0.1:9/x', events: ['transfer.completed'] } });
    expect(byUser.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const badEvent = await payment.graphql(admin, REGISTER, { i: { url: 'http://127.0.0.1:9/x', events: ['wallet.updated'] } });
    expect(badEvent.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const badUrl = await payment.graphql(admin, REGISTER, { i: { url: 'ftp://example.com', events: ['transfer.*'] } });
    expect(badUrl.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect((await payment.graphql<{ webhooks: unknown[] }>(admin, `{ webhooks { id } }`)).data?.webhooks).toEqual([]);
  });
});
