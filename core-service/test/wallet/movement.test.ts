import { describe, expect, it } from 'vitest';
import type { Collection, Db, MongoClient } from 'mongodb';
import { createTestFixture } from '../../src/testing/index.js';
import {
  COLLECTION_NAMES,
  WALLET_ERRORS,
  WalletError,
  applyMovement,
  buildDebitFilter,
  buildWalletUpdate,
  captureHold,
  ensureWalletIndexes,
  getWalletId,
  newWalletFields,
  placeHold,
  withTransaction,
  type MovementParams,
  type WalletDocument,
} from '../../src/index.js';

async function setup(): Promise<{ db: Db; client: MongoClient; tenantId: string; wallets: Collection<WalletDocument> }> {
  const fixture = createTestFixture({ label: 'movement' });
  const client = await fixture.mongoClient();
  const db = await fixture.db('payment');
  await ensureWalletIndexes(db);
  return { db, client, tenantId: fixture.tenantId, wallets: db.collection<WalletDocument>(COLLECTION_NAMES.wallets) };
}

async function seed(wallets: Collection<WalletDocument>, tenantId: string, userId: string, balance: number): Promise<void> {
  await wallets.insertOne({ ...newWalletFields(tenantId, userId, 'EUR', new Date()), balance });
}

/** The wallet collection, recording the `_id` of every wallet each write targets, in order. */
function recording(wallets: Collection<WalletDocument>): { wallets: Collection<WalletDocument>; written: string[] } {
  const written: string[] = [];
  const proxy = new Proxy(wallets, {
    get(target, property, receiver) {
      if (property === 'findOneAndUpdate') {
        return (filter: { _id: string }, ...rest: unknown[]) => {
          written.push(filter._id);
          return (target.findOneAndUpdate as (...args: unknown[]) => unknown).call(target, filter, ...rest);
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { wallets: proxy, written };
}

function movement(tenantId: string, from: string, to: string, amount: number): MovementParams {
  const now = new Date();
  const fromWalletId = getWalletId(tenantId, from, 'EUR');
  return {
    now,
    debit: {
      walletId: fromWalletId,
      filter: buildDebitFilter(fromWalletId, amount),
      update: buildWalletUpdate('balance', -amount, now),
      balanceType: 'balance',
      refused: async () => new WalletError(WALLET_ERRORS.InsufficientBalance, 'Insufficient balance'),
    },
    credit: { tenantId, userId: to, currency: 'EUR', amount, balanceType: 'balance' },
  };
}

describe('applyMovement (the debit/credit pair of transfers and hold captures)', () => {
  it('writes both wallets in wallet-id order whichever of them pays', async () => {
    const ctx = await setup();
    await seed(ctx.wallets, ctx.tenantId, 'a', 100);
    await seed(ctx.wallets, ctx.tenantId, 'b', 100);
    const [idA, idB] = [getWalletId(ctx.tenantId, 'a', 'EUR'), getWalletId(ctx.tenantId, 'b', 'EUR')];
    const forward = recording(ctx.wallets);
    await withTransaction({ client: ctx.client, fn: (session) => applyMovement(forward.wallets, session, movement(ctx.tenantId, 'a', 'b', 10)) });
    const backward = recording(ctx.wallets);
    const result = await withTransaction({ client: ctx.client, fn: (session) => applyMovement(backward.wallets, session, movement(ctx.tenantId, 'b', 'a', 30)) });
    expect(forward.written).toEqual([idA, idB]);
    expect(backward.written).toEqual([idA, idB]);
    expect(result.debited).toMatchObject({ id: idB, balance: 80 });
    expect(result.credited).toMatchObject({ id: idA, balance: 120 });
  });

  it('a debit refused after the credit was written throws its own error and the abort takes the credit back', async () => {
    const ctx = await setup();
    // 'z' pays 'a': the credit to 'a' is written first, then the debit of 'z' finds no funds.
    await seed(ctx.wallets, ctx.tenantId, 'z', 5);
    const recorded = recording(ctx.wallets);
    await expect(withTransaction({ client: ctx.client, fn: (session) => applyMovement(recorded.wallets, session, movement(ctx.tenantId, 'z', 'a', 10)) })).rejects.toMatchObject({
      code: WALLET_ERRORS.InsufficientBalance,
    });
    expect(recorded.written).toEqual([getWalletId(ctx.tenantId, 'a', 'EUR'), getWalletId(ctx.tenantId, 'z', 'EUR')]);
    expect(await ctx.wallets.findOne({ _id: getWalletId(ctx.tenantId, 'a', 'EUR') })).toBeNull();
    expect((await ctx.wallets.findOne({ _id: getWalletId(ctx.tenantId, 'z', 'EUR') }))?.balance).toBe(5);
  });

  it('a capture goes through the same pair: a new funding wallet is created as a system account', async () => {
    const ctx = await setup();
    await seed(ctx.wallets, ctx.tenantId, 'alice', 1_000);
    const transferId = `hold-${ctx.tenantId}`;
    await withTransaction({
      client: ctx.client,
      fn: (session) =>
        placeHold({ db: ctx.db, tenantId: ctx.tenantId, userId: 'alice', externalUserId: 'system:funding#0', amount: 700, currency: 'EUR', idempotencyKey: `key-${transferId}`, transferId }, session),
    });
    await withTransaction({ client: ctx.client, fn: (session) => captureHold({ db: ctx.db, tenantId: ctx.tenantId, transferId }, session) });
    expect(await ctx.wallets.findOne({ _id: getWalletId(ctx.tenantId, 'alice', 'EUR') })).toMatchObject({ balance: 300, lockedBalance: 0 });
    expect(await ctx.wallets.findOne({ _id: getWalletId(ctx.tenantId, 'system:funding#0', 'EUR') })).toMatchObject({ balance: 700, allowNegative: true });
    const entries = await ctx.db.collection(COLLECTION_NAMES.transactions).find({ objectId: transferId }).toArray();
    expect(entries.map((entry) => entry['amount']).sort((x, y) => (x as number) - (y as number))).toEqual([-700, 700]);
  });
});
