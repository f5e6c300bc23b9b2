import type { ClientSession, CommandStartedEvent, MongoClient } from 'mongodb';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectMongo, DEFAULT_TRANSACTION_OPTIONS, runAfterCommit, withTransaction } from '../../src/database/index.js';
import { createTestFixture, getTestInfrastructure } from '../../src/testing/index.js';

async function client(options: { monitorCommands?: boolean } = {}): Promise<MongoClient> {
  const { mongoUri, mongoError } = getTestInfrastructure();
  if (mongoUri === '') throw new Error(mongoError);
  const connected = await connectMongo(mongoUri, { config: { minPoolSize: 0 }, clientOptions: options });
  onTestFinished(() => connected.close());
  return connected;
}

/** A promise plus its resolver, for ordering two concurrent transactions without sleeping. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('withTransaction', () => {
  it('uses snapshot reads, majority writes and the primary by default', () => {
    expect(DEFAULT_TRANSACTION_OPTIONS.readConcern?.level).toBe('snapshot');
    expect(DEFAULT_TRANSACTION_OPTIONS.writeConcern?.w).toBe('majority');
    expect(DEFAULT_TRANSACTION_OPTIONS.readPreference?.mode).toBe('primary');
    expect(DEFAULT_TRANSACTION_OPTIONS.maxCommitTimeMS).toBe(5_000);
  });

  it('commits every write of the callback together and returns its result', async () => {
    const fixture = createTestFixture({ label: 'commit' });
    const mongo = await client({ monitorCommands: true });
    const commands: CommandStartedEvent[] = [];
    mongo.on('commandStarted', (event) => commands.push(event));
    const db = mongo.db(fixture.dbName('tx'));
    await db.createCollection('wallets');
    await db.createCollection('ledger');
    await db.collection('wallets').insertOne({ _id: 'w1' as never, balance: 100 });

    const result = await withTransaction({
      client: mongo,
      fn: async (session) => {
        await db.collection('wallets').updateOne({ _id: 'w1' as never }, { $inc: { balance: -30 } }, { session });
        await db.collection('ledger').insertOne({ walletId: 'w1', amount: -30 }, { session });
        return { debited: 30 };
      },
    });

    expect(result).toEqual({ debited: 30 });
    expect(await db.collection('wallets').findOne({ _id: 'w1' as never })).toMatchObject({ balance: 70 });
    expect(await db.collection('ledger').countDocuments({ walletId: 'w1' })).toBe(1);
    // The defaults reached the server: snapshot on the first command, majority on the commit.
    const start = commands.find((event) => event.command['startTransaction'] === true);
    expect(start?.command['readConcern']).toMatchObject({ level: 'snapshot' });
    const commit = commands.find((event) => event.commandName === 'commitTransaction');
    expect(commit?.command['writeConcern']).toMatchObject({ w: 'majority' });
  });

  it('aborts when the callback throws: nothing is written and the error reaches the caller', async () => {
    const fixture = createTestFixture({ label: 'abort' });
    const mongo = await client();
    const db = mongo.db(fixture.dbName('tx'));
    await db.createCollection('ledger');
    const failure = new Error('insufficient balance');

    await expect(
      withTransaction({
        client: mongo,
        fn: async (session) => {
          await db.collection('ledger').insertOne({ amount: -30 }, { session });
          await db.collection('ledger').insertOne({ amount: 30 }, { session });
          throw failure;
        },
      }),
    ).rejects.toBe(failure);
    expect(await db.collection('ledger').countDocuments()).toBe(0);
  });

  it('retries the callback after a write conflict: both concurrent transactions apply exactly once', async () => {
    const fixture = createTestFixture({ label: 'conflict' });
    const mongo = await client();
    const db = mongo.db(fixture.dbName('tx'));
    const counters = db.collection<{ _id: string; value: number; writers: string[] }>('counters');
    await counters.insertOne({ _id: 'c', value: 0, writers: [] });

    const firstHasWritten = gate();
    const secondHasRetried = gate();
    let firstAttempts = 0;
    let secondAttempts = 0;

    const first = withTransaction({
      client: mongo,
      fn: async (session) => {
        firstAttempts += 1;
        await counters.updateOne({ _id: 'c' }, { $inc: { value: 1 }, $push: { writers: 'first' } }, { session });
        firstHasWritten.open();
        // Hold the uncommitted write until the second transaction has collided with it.
        await secondHasRetried.opened;
        return 'first';
      },
    });
    const second = (async () => {
      await firstHasWritten.opened;
      return withTransaction({
        client: mongo,
        fn: async (session) => {
          secondAttempts += 1;
          if (secondAttempts === 2) secondHasRetried.open();
          await counters.updateOne({ _id: 'c' }, { $inc: { value: 1 }, $push: { writers: 'second' } }, { session });
          return 'second';
        },
      });
    })();

    expect(await Promise.all([first, second])).toEqual(['first', 'second']);
    expect(firstAttempts).toBe(1);
    expect(secondAttempts).toBeGreaterThanOrEqual(2);
    const counter = await counters.findOne({ _id: 'c' });
    expect(counter?.value).toBe(2);
    expect(counter?.writers.sort()).toEqual(['first', 'second']);
  });

  it('gives up on a document an abandoned transaction holds after its retry budget, with a typed retryable error and nothing written', async () => {
    const fixture = createTestFixture({ label: 'budget' });
    const mongo = await client();
    const db = mongo.db(fixture.dbName('tx'));
    const wallets = db.collection<{ _id: string; balance: number }>('wallets');
    await wallets.insertMany([
      { _id: 'held', balance: 100 },
      { _id: 'free', balance: 100 },
    ]);
    // A transaction left open by a process that died: it holds `held` until the server aborts it.
    const abandoned = mongo.startSession();
    onTestFinished(() => abandoned.endSession());
    abandoned.startTransaction(DEFAULT_TRANSACTION_OPTIONS);
    await wallets.updateOne({ _id: 'held' }, { $inc: { balance: -1 } }, { session: abandoned });

    const started = Date.now();
    const refused = await withTransaction({ client: mongo, retryBudgetMs: 300, fn: (session) => wallets.updateOne({ _id: 'held' }, { $inc: { balance: -10 } }, { session }) }).catch(
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ name: 'TransactionConflictError', extensions: { code: 'MSCoreTransactionConflict', retryable: true } });
    expect(Date.now() - started).toBeLessThan(5_000);
    // Only the held document is affected: others commit at once.
    await withTransaction({ client: mongo, retryBudgetMs: 300, fn: (session) => wallets.updateOne({ _id: 'free' }, { $inc: { balance: -10 } }, { session }) });
    await abandoned.abortTransaction();
    // Once the holder is gone the same operation goes through.
    await withTransaction({ client: mongo, retryBudgetMs: 300, fn: (session) => wallets.updateOne({ _id: 'held' }, { $inc: { balance: -10 } }, { session }) });
    expect(await wallets.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'free', balance: 90 },
      { _id: 'held', balance: 90 },
    ]);
  });

  it('runs after-commit hooks only once the transaction has committed, never after an abort', async () => {
    const fixture = createTestFixture({ label: 'hooks' });
    const mongo = await client();
    const db = mongo.db(fixture.dbName('tx'));
    await db.createCollection('items');
    const ran: string[] = [];

    await withTransaction({
      client: mongo,
      fn: async (session: ClientSession) => {
        await db.collection('items').insertOne({ a: 1 }, { session });
        await runAfterCommit(session, () => void ran.push('committed'));
        expect(ran).toEqual([]);
      },
    });
    expect(ran).toEqual(['committed']);

    await expect(
      withTransaction({
        client: mongo,
        fn: async (session) => {
          await db.collection('items').insertOne({ a: 2 }, { session });
          await runAfterCommit(session, () => void ran.push('aborted'));
          throw new Error('abort');
        },
      }),
    ).rejects.toThrow('abort');
    expect(ran).toEqual(['committed']);

    // Outside a transaction the hook runs at once.
    await runAfterCommit(undefined, () => void ran.push('immediate'));
    expect(ran).toEqual(['committed', 'immediate']);
  });
});
