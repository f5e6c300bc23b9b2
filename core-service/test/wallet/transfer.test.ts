import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Long, type ClientSession, type Db, type MongoClient } from 'mongodb';
import { createTestFixture } from '../../src/testing/index.js';
import {
  COLLECTION_NAMES,
  CORE_ERRORS,
  OperationStateTracker,
  debitQueue,
  WALLET_ERRORS,
  createTransferWithTransactions,
  ensureWalletIndexes,
  getWalletId,
  withTransaction,
  type TransferParams,
} from '../../src/index.js';

const FUNDING = 'system:funding';

async function setup(): Promise<{ db: Db; client: MongoClient; tenantId: string; base: Omit<TransferParams, 'fromUserId' | 'toUserId' | 'amount' | 'idempotencyKey'> }> {
  const fixture = createTestFixture({ label: 'transfer' });
  const client = await fixture.mongoClient();
  const db = await fixture.db('payment');
  await ensureWalletIndexes(db);
  return { db, client, tenantId: fixture.tenantId, base: { db, client, tenantId: fixture.tenantId, currency: 'EUR' } };
}

let keySeq = 0;
const key = (label = 'k'): string => `${label}-${process.pid}-${Date.now()}-${keySeq++}`;

async function deposit(ctx: Awaited<ReturnType<typeof setup>>, userId: string, amount: number): Promise<void> {
  await createTransferWithTransactions({ ...ctx.base, fromUserId: FUNDING, toUserId: userId, amount, type: 'deposit', fromSystemAccount: true, idempotencyKey: key('dep') });
}

/**
 * Sends a transfer as a client does: a retryable conflict (the transaction's retry budget ran out
 * while many writers raced for one wallet, which a loaded machine makes likely) is sent again
 * with the same idempotency key, until the transfer is decided (done or refused).
 */
async function transferUntilDecided(params: TransferParams, options: Parameters<typeof createTransferWithTransactions>[1]) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createTransferWithTransactions(params, options);
    } catch (error) {
      if (attempt >= 5 || (error as { code?: string }).code !== CORE_ERRORS.TransactionConflict) throw error;
    }
  }
}

async function balanceOf(db: Db, tenantId: string, userId: string): Promise<number | undefined> {
  const wallet = await db.collection(COLLECTION_NAMES.wallets).findOne({ _id: getWalletId(tenantId, userId, 'EUR') as never });
  return wallet?.['balance'] as number | undefined;
}

/** Per currency the balances sum to zero, every wallet equals its ledger, every transfer has two entries. */
async function expectLedgerInvariants(db: Db, tenantId: string): Promise<void> {
  const wallets = await db.collection(COLLECTION_NAMES.wallets).find({ tenantId }).toArray();
  const entries = await db.collection(COLLECTION_NAMES.transactions).find({ tenantId }).toArray();
  const transfers = await db.collection(COLLECTION_NAMES.transfers).find({ tenantId }).toArray();
  expect(wallets.reduce((sum, w) => sum + (w['balance'] as number), 0)).toBe(0);
  for (const wallet of wallets) {
    const ledger = entries.filter((e) => e['walletId'] === wallet['id'] && e['balanceType'] === 'balance').reduce((sum, e) => sum + (e['amount'] as number), 0);
    expect(ledger).toBe(wallet['balance']);
    if (!wallet['allowNegative']) expect(wallet['balance'] as number).toBeGreaterThanOrEqual(0);
  }
  expect(entries).toHaveLength(transfers.length * 2);
  for (const transfer of transfers) {
    const own = entries.filter((e) => e['objectId'] === transfer['id']);
    expect(own.map((e) => e['amount'] as number).sort((a, b) => a - b)).toEqual([-(transfer['amount'] as number), transfer['amount'] as number]);
  }
}

describe('createTransferWithTransactions', () => {
  it('a deposit funds a new wallet from the system account and writes two ledger entries', async () => {
    const ctx = await setup();
    const result = await createTransferWithTransactions({ ...ctx.base, fromUserId: FUNDING, toUserId: 'alice', amount: 5_000, type: 'deposit', fromSystemAccount: true, idempotencyKey: key() });
    expect(result.replayed).toBe(false);
    expect(result.toWallet?.balance).toBe(5_000);
    expect(result.fromWallet?.balance).toBe(-5_000);
    expect(result.credit).toMatchObject({ amount: 5_000, balance: 5_000, userId: 'alice', type: 'deposit' });
    expect(result.debit).toMatchObject({ amount: -5_000, balance: -5_000, userId: FUNDING });
    await expectLedgerInvariants(ctx.db, ctx.tenantId);
  });

  it('a transfer moves money between users and records the balance after each entry', async () => {
    const ctx = await setup();
    await deposit(ctx, 'alice', 1_000);
    const result = await createTransferWithTransactions({ ...ctx.base, fromUserId: 'alice', toUserId: 'bob', amount: 300, idempotencyKey: key(), description: 'lunch' });
    expect(result.transfer).toMatchObject({ status: 'completed', amount: 300, fromUserId: 'alice', toUserId: 'bob', description: 'lunch' });
    expect(result.debit.balance).toBe(700);
    expect(result.credit.balance).toBe(300);
    expect(await balanceOf(ctx.db, ctx.tenantId, 'alice')).toBe(700);
    expect(await balanceOf(ctx.db, ctx.tenantId, 'bob')).toBe(300);
    await expectLedgerInvariants(ctx.db, ctx.tenantId);
  });

  it('an overdraft is refused with MSPaymentInsufficientBalance and changes nothing', async () => {
    const ctx = await setup();
    await deposit(ctx, 'alice', 100);
    await expect(createTransferWithTransactions({ ...ctx.base, fromUserId: 'alice', toUserId: 'bob', amount: 101, idempotencyKey: key() })).rejects.toMatchObject({
      code: WALLET_ERRORS.InsufficientBalance,
    });
    expect(await balanceOf(ctx.db, ctx.tenantId, 'alice')).toBe(100);
    expect(await balanceOf(ctx.db, ctx.tenantId, 'bob')).toBeUndefined();
    expect(await ctx.db.collection(COLLECTION_NAMES.transfers).countDocuments({ tenantId: ctx.tenantId })).toBe(1);
    await expectLedgerInvariants(ctx.db, ctx.tenantId);
  });

  it('a wallet that never existed cannot pay', async () => {
    const ctx = await setup();
    await expect(createTransferWithTransactions({ ...ctx.base, fromUserId: 'ghost', toUserId: 'bob', amount: 1, idempotencyKey: key() })).rejects.toMatchObject({
      code: WALLET_ERRORS.WalletNotFound,
    });
  });

  it('bad input gets a typed error before anything is written', async () => {
    const ctx = await setup();
    await deposit(ctx, 'alice', 100);
    const cases: [Partial<TransferParams>, string][] = [
      [{ amount: 1.5 }, WALLET_ERRORS.InvalidAmount],
      [{ amount: 0 }, WALLET_ERRORS.InvalidAmount],
      [{ amount: -5 }, WALLET_ERRORS.InvalidAmount],
      [{ amount: 2 ** 53 }, WALLET_ERRORS.InvalidAmount],
      [{ currency: 'XYZ' }, WALLET_ERRORS.UnsupportedCurrency],
      [{ toUserId: 'alice' }, WALLET_ERRORS.SelfTransfer],
      [{ idempotencyKey: 'x' }, WALLET_ERRORS.InvalidIdempotencyKey],
      [{ charge: 500 }, WALLET_ERRORS.InvalidAmount],
    ];
    for (const [override, code] of cases) {
      await expect(createTransferWithTransactions({ ...ctx.base, fromUserId: 'alice', toUserId: 'bob', amount: 10, idempotencyKey: key(), ...override })).rejects.toMatchObject({ code });
    }
    expect(await balanceOf(ctx.db, ctx.tenantId, 'alice')).toBe(100);
    await expectLedgerInvariants(ctx.db, ctx.tenantId);
  });

  it('replaying an idempotency key returns the first transfer and writes nothing more', async () => {
    const ctx = await setup();
    await deposit(ctx, 'alice', 1_000);
    const params = { ...ctx.base, fromUserId: 'alice', toUserId: 'bob', amount: 250, idempotencyKey: key() };
    const first = await createTransferWithTransactions(params);
    const second = await createTransferWithTransactions(params);
    expect(second.replayed).toBe(true);
    expect(second.transfer.id).toBe(first.transfer.id);
    expect(second.debit.id).toBe(first.debit.id);
    expect(await balanceOf(ctx.db, ctx.tenantId, 'alice')).toBe(750);
    await expectLedgerInvariants(ctx.db, ctx.tenantId);
  });

  it('the same key with different input fails with MSPaymentIdempotencyKeyReused', async () => {
    const ctx = await setup();
    await deposit(ctx, 'alice', 1_000);
    const idempotencyKey = key();
    await createTransferWithTransactions({ ...ctx.base, fromUserId: 'alice', toUserId: 'bob', amount: 250, idempotencyKey });
    await expect(createTransferWithTransactions({ ...ctx.base, fromUserId: 'alice', toUserId: 'bob', amount: 251, idempotencyKey })).rejects.toMatchObject({
      code: WALLET_ERRORS.IdempotencyKeyReused,
    });
    expect(await balanceOf(ctx.db, ctx.tenantId, 'alice')).toBe(750);
  });

  it('a key belongs to its caller and operation: two users, or one user’s transfer and deposit, may use the same key', async () => {
    const ctx = await setup();
    await deposit(ctx, 'alice', 1_000);
    await deposit(ctx, 'carol', 1_000);
    const shared = key('shared');
    const fromAlice = await createTransferWithTransactions({ ...ctx.base, fromUserId: 'alice', toUserId: 'bob', amount: 100, idempotencyKey: shared });
    // Another caller's identical key is a new request, with its own (different) input.
    const fromCarol = await createTransferWithTransactions({ ...ctx.base, fromUserId: 'carol', toUserId: 'bob', amount: 300, idempotencyKey: shared });
    expect(fromCarol.replayed).toBe(false);
    expect(fromCarol.transfer.id).not.toBe(fromAlice.transfer.id);
    expect(fromCarol.transfer).toMatchObject({ initiatedBy: 'carol', amount: 300 });
    // Each replay returns its own caller's result only.
    const aliceAgain = await createTransferWithTransactions({ ...ctx.base, fromUserId: 'alice', toUserId: 'bob', amount: 100, idempotencyKey: shared });
    expect(aliceAgain).toMatchObject({ replayed: true, transfer: { id: fromAlice.transfer.id, initiatedBy: 'alice' } });
    // Two admins depositing with the same key both deposit; a deposit and a transfer of one caller too.
    const byAdmin1 = await createTransferWithTransactions({
      ...ctx.base,
      fromUserId: FUNDING,
      toUserId: 'dave',
      amount: 50,
      type: 'deposit',
      fromSystemAccount: true,
      initiatedBy: 'admin-1',
      idempotencyKey: shared,
    });
    const byAdmin2 = await createTransferWithTransactions({
      ...ctx.base,
      fromUserId: FUNDING,
      toUserId: 'dave',
      amount: 50,
      type: 'deposit',
      fromSystemAccount: true,
      initiatedBy: 'admin-2',
      idempotencyKey: shared,
    });
    expect([byAdmin1.replayed, byAdmin2.replayed]).toEqual([false, false]);
    const aliceDeposit = await createTransferWithTransactions({
      ...ctx.base,
      fromUserId: FUNDING,
      toUserId: 'alice',
      amount: 5,
      type: 'deposit',
      fromSystemAccount: true,
      initiatedBy: 'alice',
      idempotencyKey: shared,
    });
    expect(aliceDeposit.replayed).toBe(false);
    expect([await balanceOf(ctx.db, ctx.tenantId, 'bob'), await balanceOf(ctx.db, ctx.tenantId, 'dave'), await balanceOf(ctx.db, ctx.tenantId, 'alice')]).toEqual([400, 100, 905]);
    await expectLedgerInvariants(ctx.db, ctx.tenantId);
  });

  it('balances are 64-bit integers and a movement past 2^53 − 1 on either side is refused with nothing written', async () => {
    const ctx = await setup();
    const max = Number.MAX_SAFE_INTEGER;
    const depositTo = (userId: string, amount: number) =>
      createTransferWithTransactions({ ...ctx.base, fromUserId: FUNDING, toUserId: userId, amount, type: 'deposit', fromSystemAccount: true, idempotencyKey: key('big') });
    await depositTo('alice', 3_000_000_000);
    const raw = await ctx.db.collection(COLLECTION_NAMES.wallets).findOne({ _id: getWalletId(ctx.tenantId, 'alice', 'EUR') as never }, { promoteLongs: false });
    expect(raw?.['balance']).toBeInstanceOf(Long);

    await depositTo('alice', max - 3_000_000_010);
    expect(await balanceOf(ctx.db, ctx.tenantId, 'alice')).toBe(max - 10);
    await expect(depositTo('alice', 11)).rejects.toMatchObject({ code: WALLET_ERRORS.BalanceLimitExceeded });
    expect(await balanceOf(ctx.db, ctx.tenantId, 'alice')).toBe(max - 10);
    await depositTo('alice', 10);
    expect(await balanceOf(ctx.db, ctx.tenantId, 'alice')).toBe(max);
    // The funding account that paid is now at −max: one more unit out of it is refused too.
    await expect(depositTo('bob', 1)).rejects.toMatchObject({ code: WALLET_ERRORS.BalanceLimitExceeded });
    expect(await balanceOf(ctx.db, ctx.tenantId, 'bob')).toBeUndefined();
    expect(await ctx.db.collection(COLLECTION_NAMES.transfers).countDocuments({ tenantId: ctx.tenantId, toUserId: 'bob' })).toBe(0);
    await expectLedgerInvariants(ctx.db, ctx.tenantId);
  });

  it('a per-currency cap: exactly the cap passes, one unit over is refused naming currency and cap, with nothing written', async () => {
    const ctx = await setup();
    const caps = { EUR: 1_000 };
    const depositTo = (userId: string, amount: number, idempotencyKey = key('cap')) =>
      createTransferWithTransactions({ ...ctx.base, fromUserId: FUNDING, toUserId: userId, amount, type: 'deposit', fromSystemAccount: true, idempotencyKey, balanceCaps: caps });
    await depositTo('alice', 999);
    await depositTo('alice', 1);
    expect(await balanceOf(ctx.db, ctx.tenantId, 'alice')).toBe(1_000);
    const refusedKey = key('over');
    await expect(depositTo('alice', 1, refusedKey)).rejects.toMatchObject({
      code: WALLET_ERRORS.BalanceLimitExceeded,
      details: { currency: 'EUR', cap: 1_000, field: 'balance' },
    });
    expect(await balanceOf(ctx.db, ctx.tenantId, 'alice')).toBe(1_000);
    expect(await ctx.db.collection(COLLECTION_NAMES.transfers).countDocuments({ tenantId: ctx.tenantId, idempotencyKey: refusedKey })).toBe(0);
    // A new wallet whose first credit is past the cap is not even created.
    await expect(depositTo('bob', 1_001)).rejects.toMatchObject({ code: WALLET_ERRORS.BalanceLimitExceeded });
    expect(await balanceOf(ctx.db, ctx.tenantId, 'bob')).toBeUndefined();
    // Another currency has no cap: only the safe-integer limit bounds it.
    await createTransferWithTransactions({
      ...ctx.base,
      currency: 'USD',
      fromUserId: FUNDING,
      toUserId: 'alice',
      amount: 5_000,
      type: 'deposit',
      fromSystemAccount: true,
      idempotencyKey: key(),
      balanceCaps: caps,
    });
    await expectLedgerInvariants(ctx.db, ctx.tenantId);
  });

  it('a transfer into a capped wallet is refused and the payer keeps its money; paying out of a wallet above the cap is allowed', async () => {
    const ctx = await setup();
    await deposit(ctx, 'alice', 1_000);
    await deposit(ctx, 'bob', 900);
    const caps = { EUR: 950 };
    await expect(createTransferWithTransactions({ ...ctx.base, fromUserId: 'alice', toUserId: 'bob', amount: 51, idempotencyKey: key(), balanceCaps: caps })).rejects.toMatchObject({
      code: WALLET_ERRORS.BalanceLimitExceeded,
      details: { currency: 'EUR', cap: 950 },
    });
    expect([await balanceOf(ctx.db, ctx.tenantId, 'alice'), await balanceOf(ctx.db, ctx.tenantId, 'bob')]).toEqual([1_000, 900]);
    expect(await ctx.db.collection(COLLECTION_NAMES.transactions).countDocuments({ tenantId: ctx.tenantId, userId: 'alice', amount: { $lt: 0 } })).toBe(0);
    // alice holds 1 000, above the cap: the cap bounds what a wallet receives, never what it pays.
    await createTransferWithTransactions({ ...ctx.base, fromUserId: 'alice', toUserId: 'bob', amount: 50, idempotencyKey: key(), balanceCaps: caps });
    expect([await balanceOf(ctx.db, ctx.tenantId, 'alice'), await balanceOf(ctx.db, ctx.tenantId, 'bob')]).toEqual([950, 950]);
    await expectLedgerInvariants(ctx.db, ctx.tenantId);
  });

  it('a system account receiving funds is not capped (a withdrawal to the funding source)', async () => {
    const ctx = await setup();
    await deposit(ctx, 'alice', 1_000);
    await createTransferWithTransactions({
      ...ctx.base,
      fromUserId: 'alice',
      toUserId: 'system:payout',
      toSystemAccount: true,
      type: 'withdrawal',
      amount: 800,
      idempotencyKey: key(),
      balanceCaps: { EUR: 10 },
    });
    expect(await balanceOf(ctx.db, ctx.tenantId, 'system:payout')).toBe(800);
    await expectLedgerInvariants(ctx.db, ctx.tenantId);
  });

  // Without the in-process debit queue the requests meet at the database, as those of two instances do.
  it.each([
    ['queued in this process', undefined],
    ['racing at the database', null],
  ] as const)('concurrent duplicates of one key produce one transfer (%s)', async (_, debitQueue) => {
    const ctx = await setup();
    await deposit(ctx, 'alice', 1_000);
    const params = { ...ctx.base, fromUserId: 'alice', toUserId: 'bob', amount: 100, idempotencyKey: key() };
    const results = await Promise.all(Array.from({ length: 8 }, () => transferUntilDecided(params, debitQueue === null ? { debitQueue } : {})));
    expect(new Set(results.map((r) => r.transfer.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(await balanceOf(ctx.db, ctx.tenantId, 'alice')).toBe(900);
    await expectLedgerInvariants(ctx.db, ctx.tenantId);
  });

  it.each([
    ['queued in this process', undefined],
    ['racing at the database', null],
  ] as const)('concurrent debits never overdraw: exactly the affordable ones succeed (%s)', async (_, debitQueue) => {
    const ctx = await setup();
    await deposit(ctx, 'alice', 1_000);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) =>
        transferUntilDecided({ ...ctx.base, fromUserId: 'alice', toUserId: `u${i % 4}`, amount: 100, idempotencyKey: key() }, debitQueue === null ? { debitQueue } : {}),
      ),
    );
    const failed = outcomes.filter((o) => o.status === 'rejected');
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(10);
    for (const failure of failed) expect((failure as PromiseRejectedResult).reason).toMatchObject({ code: WALLET_ERRORS.InsufficientBalance });
    expect(await balanceOf(ctx.db, ctx.tenantId, 'alice')).toBe(0);
    await expectLedgerInvariants(ctx.db, ctx.tenantId);
  });

  it('opposite transfers between two wallets running together all complete and keep the books', async () => {
    const ctx = await setup();
    await deposit(ctx, 'a', 1_000);
    await deposit(ctx, 'b', 1_000);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        createTransferWithTransactions({ ...ctx.base, fromUserId: i % 2 === 0 ? 'a' : 'b', toUserId: i % 2 === 0 ? 'b' : 'a', amount: 10 + i, idempotencyKey: key('x') }),
      ),
    );
    // a paid 10+12+...+28 = 190 and received 11+13+...+29 = 200.
    expect(await balanceOf(ctx.db, ctx.tenantId, 'a')).toBe(1_010);
    expect(await balanceOf(ctx.db, ctx.tenantId, 'b')).toBe(990);
    await expectLedgerInvariants(ctx.db, ctx.tenantId);
  });

  it('concurrent first uses of a wallet create exactly one', async () => {
    const ctx = await setup();
    await Promise.all(Array.from({ length: 6 }, () => deposit(ctx, 'newcomer', 10)));
    const wallets = await ctx.db.collection(COLLECTION_NAMES.wallets).find({ tenantId: ctx.tenantId, userId: 'newcomer' }).toArray();
    expect(wallets).toHaveLength(1);
    expect(wallets[0]?.['balance']).toBe(60);
    await expectLedgerInvariants(ctx.db, ctx.tenantId);
  });

  it("inside a caller's transaction (saga mode) an abort leaves no trace", async () => {
    const ctx = await setup();
    await deposit(ctx, 'alice', 500);
    await expect(
      withTransaction({
        client: ctx.client,
        fn: async (session: ClientSession) => {
          await createTransferWithTransactions({ ...ctx.base, fromUserId: 'alice', toUserId: 'bob', amount: 200, idempotencyKey: key() }, { session });
          throw new Error('a later step failed');
        },
      }),
    ).rejects.toThrow('a later step failed');
    expect(await balanceOf(ctx.db, ctx.tenantId, 'alice')).toBe(500);
    expect(await balanceOf(ctx.db, ctx.tenantId, 'bob')).toBeUndefined();
    await expectLedgerInvariants(ctx.db, ctx.tenantId);
  });

  it('events are written in the same transaction as the movement', async () => {
    const ctx = await setup();
    const outbox = ctx.db.collection('outbox_test');
    const emit: TransferParams['emit'] = async (type, tenantId, userId, data, { session }) => {
      await outbox.insertOne({ type, tenantId, userId, data }, { session });
    };
    await createTransferWithTransactions({ ...ctx.base, fromUserId: FUNDING, toUserId: 'alice', amount: 100, type: 'deposit', fromSystemAccount: true, idempotencyKey: key(), emit });
    await expect(createTransferWithTransactions({ ...ctx.base, fromUserId: 'alice', toUserId: 'bob', amount: 1_000, idempotencyKey: key(), emit })).rejects.toMatchObject({
      code: WALLET_ERRORS.InsufficientBalance,
    });
    const events = await outbox.find({}).toArray();
    expect(events.map((e) => e['type']).sort()).toEqual(['deposit.completed', 'wallet.updated', 'wallet.updated']);
    expect(events.find((e) => e['type'] === 'wallet.updated' && e['userId'] === 'alice')?.['data']).toMatchObject({ balance: 100 });
  });
  it('debits of one wallet queue in the process: sixteen at once run once each, together in one transaction, with exact running balances', async () => {
    const ctx = await setup();
    await deposit(ctx, 'alice', 10_000);
    let bodies = 0;
    const transactions = new Set<ClientSession>();
    const emit: TransferParams['emit'] = async (type, _tenant, _user, _data, { session }) => {
      if (type === 'transfer.completed') bodies += 1;
      transactions.add(session);
    };
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => createTransferWithTransactions({ ...ctx.base, fromUserId: 'alice', toUserId: `r${i}`, amount: 10, idempotencyKey: key(), emit })),
    );
    expect(results).toHaveLength(16);
    expect(bodies).toBe(16);
    // Queued before the first had its turn: the first takes the other fifteen into its transaction.
    expect(transactions.size).toBe(1);
    // Each transfer's debit entry and result show the payer right after that transfer.
    const after = results.map((result) => result.debit.balance).sort((a, b) => b - a);
    expect(after).toEqual(Array.from({ length: 16 }, (_, i) => 10_000 - 10 * (i + 1)));
    expect(results.every((result) => result.fromWallet?.balance === result.debit.balance && result.toWallet?.balance === 10)).toBe(true);
    expect(await balanceOf(ctx.db, ctx.tenantId, 'alice')).toBe(10_000 - 160);
    expect(debitQueue.activeWallets).toBe(0);
    await expectLedgerInvariants(ctx.db, ctx.tenantId);
  });

  it('crash tracking costs a fast transfer nothing; one still running after trackAfterMs is recorded and marked completed', async () => {
    const fixture = createTestFixture({ label: 'track-slow' });
    const ctx = await setup();
    await deposit(ctx, 'alice', 1_000);
    const tracker = new OperationStateTracker('transfer', { redis: fixture.redis(), keyPrefix: fixture.keyPrefix });
    const fast = await createTransferWithTransactions({ ...ctx.base, fromUserId: 'alice', toUserId: 'bob', amount: 10, idempotencyKey: key() }, { tracker, trackAfterMs: 1_000 });
    expect(await tracker.get(fast.transfer.id)).toBeNull();
    let seenInProgress: unknown = null;
    const slowEmit: TransferParams['emit'] = async (type) => {
      if (type !== 'transfer.completed') return;
      await delay(150);
      seenInProgress = (await tracker.get(slowId))?.status ?? null;
    };
    const slowId = randomUUID();
    const slow = await createTransferWithTransactions(
      { ...ctx.base, fromUserId: 'alice', toUserId: 'bob', amount: 10, idempotencyKey: key(), emit: slowEmit, transferId: slowId },
      { tracker, trackAfterMs: 20 },
    );
    expect(slow.transfer.id).toBe(slowId);
    expect(seenInProgress).toBe('in_progress');
    expect(await tracker.get(slowId)).toMatchObject({ status: 'completed', meta: { tenantId: ctx.tenantId } });
    await expectLedgerInvariants(ctx.db, ctx.tenantId);
  });
});
