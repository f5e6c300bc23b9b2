/**
 * A transfer under the database faults a production deployment sees (a write conflict, a commit
 * whose outcome is unknown, a connection dropped at commit), injected with the server's
 * `failCommand` fail point (the test engine offers it as mongod does with enableTestCommands).
 * Whatever the fault, the transfer is applied exactly once and every balance equals its ledger.
 *
 * The fail point is server-wide: each test arms it for its own client's `appName` only, so the
 * test files running beside this one never see it, and turns it off when it ends.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { CommandStartedEvent, Db, Document, MongoClient } from 'mongodb';
import { connectMongo } from '../../src/database/index.js';
import { createTestFixture, getTestInfrastructure } from '../../src/testing/index.js';
import { COLLECTION_NAMES, createTransferWithTransactions, ensureWalletIndexes, getWalletId, observeTransactions, type TransactionRetryLabel, type TransferParams } from '../../src/index.js';

const FUNDING = 'system:funding';

interface Faulty {
  db: Db;
  client: MongoClient;
  tenantId: string;
  appName: string;
  base: Omit<TransferParams, 'fromUserId' | 'toUserId' | 'amount' | 'idempotencyKey'>;
  /** Commands this client sent, by name, in order. */
  commands: string[];
  /** Retry labels `withTransaction` saw on this client. */
  retries: TransactionRetryLabel[];
}

/** A client of its own (its appName is what the fail point matches) on a fresh tenant, with alice funded. */
async function setup(): Promise<Faulty> {
  const { mongoUri, mongoError } = getTestInfrastructure();
  if (mongoUri === '') throw new Error(mongoError);
  const appName = `transfer-faults-${randomBytes(4).toString('hex')}`;
  const client = await connectMongo(mongoUri, { config: { minPoolSize: 0 }, clientOptions: { appName, monitorCommands: true } });
  onTestFinished(() => client.close());
  const commands: string[] = [];
  client.on('commandStarted', (event: CommandStartedEvent) => commands.push(event.commandName));
  const retries: TransactionRetryLabel[] = [];
  onTestFinished(observeTransactions(client, { onRetry: (label) => retries.push(label), onEnd: () => undefined }));
  const fixture = createTestFixture({ label: 'txfault' });
  const db = client.db(fixture.dbName('payment'));
  await ensureWalletIndexes(db);
  const ctx: Faulty = { db, client, tenantId: fixture.tenantId, appName, base: { db, client, tenantId: fixture.tenantId, currency: 'EUR' }, commands, retries };
  await createTransferWithTransactions({ ...ctx.base, fromUserId: FUNDING, toUserId: 'alice', amount: 1_000, type: 'deposit', fromSystemAccount: true, idempotencyKey: `dep-${appName}` });
  return ctx;
}

/** Arms failCommand for `ctx`'s client only, for the next `times` matching commands. */
async function failNext(ctx: Faulty, times: number, data: Document): Promise<void> {
  await ctx.client.db('admin').command({ configureFailPoint: 'failCommand', mode: { times }, data: { ...data, appName: ctx.appName } });
}

afterEach(async () => {
  const { mongoUri } = getTestInfrastructure();
  const client = await connectMongo(mongoUri, { config: { minPoolSize: 0 } });
  try {
    await client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
  } finally {
    await client.close();
  }
});

async function balanceOf(ctx: Faulty, userId: string): Promise<number | undefined> {
  const wallet = await ctx.db.collection(COLLECTION_NAMES.wallets).findOne({ _id: getWalletId(ctx.tenantId, userId, 'EUR') as never });
  return wallet?.['balance'] as number | undefined;
}

/** alice paid bob 300 once: one transfer, two ledger entries, and each balance equals its ledger. */
async function expectAppliedOnce(ctx: Faulty, transferId: string): Promise<void> {
  expect(await ctx.db.collection(COLLECTION_NAMES.transfers).countDocuments({ tenantId: ctx.tenantId, id: transferId })).toBe(1);
  expect(await ctx.db.collection(COLLECTION_NAMES.transactions).countDocuments({ tenantId: ctx.tenantId, objectId: transferId })).toBe(2);
  expect(await balanceOf(ctx, 'alice')).toBe(700);
  expect(await balanceOf(ctx, 'bob')).toBe(300);
  const wallets = await ctx.db.collection(COLLECTION_NAMES.wallets).find({ tenantId: ctx.tenantId }).toArray();
  const entries = await ctx.db.collection(COLLECTION_NAMES.transactions).find({ tenantId: ctx.tenantId, balanceType: 'balance' }).toArray();
  for (const wallet of wallets) {
    const ledger = entries.filter((e) => e['walletId'] === wallet['id']).reduce((sum, e) => sum + (e['amount'] as number), 0);
    expect(ledger, `wallet ${String(wallet['id'])}`).toBe(wallet['balance']);
  }
  expect(wallets.reduce((sum, w) => sum + (w['balance'] as number), 0)).toBe(0);
}

const pay = (ctx: Faulty) => createTransferWithTransactions({ ...ctx.base, fromUserId: 'alice', toUserId: 'bob', amount: 300, idempotencyKey: `pay-${ctx.appName}` });
const count = (commands: string[], name: string) => commands.filter((c) => c === name).length;

describe('a transfer under injected database faults', () => {
  it('a TransientTransactionError on a write (the ledger insert): the whole transaction runs again and applies once', async () => {
    const ctx = await setup();
    ctx.commands.length = 0;
    await failNext(ctx, 1, { failCommands: ['insert'], errorCode: 112, errorLabels: ['TransientTransactionError'] });
    const result = await pay(ctx);
    expect(ctx.retries).toEqual(['TransientTransactionError']);
    // The failed attempt was abandoned (never committed); the retry committed once.
    expect(count(ctx.commands, 'commitTransaction')).toBe(1);
    await expectAppliedOnce(ctx, result.transfer.id);
  });

  it('an UnknownTransactionCommitResult on commitTransaction: the commit is retried, not the transfer', async () => {
    const ctx = await setup();
    ctx.commands.length = 0;
    // ShutdownInProgress twice: the driver's own commit retry fails too, so it labels the error
    // UnknownTransactionCommitResult and withTransaction commits again.
    await failNext(ctx, 2, { failCommands: ['commitTransaction'], errorCode: 91 });
    const result = await pay(ctx);
    expect(ctx.retries).toEqual(['UnknownTransactionCommitResult']);
    expect(count(ctx.commands, 'commitTransaction')).toBe(3);
    await expectAppliedOnce(ctx, result.transfer.id);
  });

  it('a commit that was applied but answered with a writeConcernError: the retried commit does not apply it twice', async () => {
    const ctx = await setup();
    ctx.commands.length = 0;
    await failNext(ctx, 1, {
      failCommands: ['commitTransaction'],
      writeConcernError: { code: 64, codeName: 'WriteConcernFailed', errmsg: 'waiting for replication timed out', errInfo: { wtimeout: true } },
    });
    const result = await pay(ctx);
    expect(ctx.retries).toEqual(['UnknownTransactionCommitResult']);
    expect(count(ctx.commands, 'commitTransaction')).toBe(2);
    await expectAppliedOnce(ctx, result.transfer.id);
  });

  it('the connection dropped at commitTransaction: the driver commits again on a new connection and the transfer applies once', async () => {
    const ctx = await setup();
    ctx.commands.length = 0;
    await failNext(ctx, 1, { failCommands: ['commitTransaction'], closeConnection: true });
    const result = await pay(ctx);
    expect(count(ctx.commands, 'commitTransaction')).toBeGreaterThanOrEqual(2);
    await expectAppliedOnce(ctx, result.transfer.id);
  });
});
