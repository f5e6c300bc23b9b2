import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Long, MongoClient, MongoServerError, UUID } from 'mongodb';
import { type EmbeddedMongo, startEmbeddedMongo } from '../../src/index.js';
import { RawWireClient } from './raw-wire-client.js';

let server: EmbeddedMongo;
let client: MongoClient;

beforeAll(async () => {
  server = await startEmbeddedMongo();
  client = await new MongoClient(server.uri).connect();
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

describe('transactions', () => {
  it('a committed transaction becomes visible all at once; before commit others see nothing', async () => {
    const coll = client.db('txn_commit').collection('accounts');
    await coll.insertMany([
      { _id: 'a', balance: 100 },
      { _id: 'b', balance: 0 },
    ] as never[]);
    const session = client.startSession();
    try {
      session.startTransaction();
      await coll.updateOne({ _id: 'a', balance: { $gte: 30 } } as never, { $inc: { balance: -30 } }, { session });
      await coll.updateOne({ _id: 'b' } as never, { $inc: { balance: 30 } }, { session });
      await coll.insertOne({ _id: 'entry', amount: 30 } as never, { session });
      // Inside: own writes. Outside: the committed state only.
      expect((await coll.findOne({ _id: 'a' } as never, { session }))!.balance).toBe(70);
      expect((await coll.findOne({ _id: 'a' } as never))!.balance).toBe(100);
      expect(await coll.findOne({ _id: 'entry' } as never)).toBeNull();
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect(await coll.find({}, { sort: { _id: 1 } }).toArray()).toEqual([
      { _id: 'a', balance: 70 },
      { _id: 'b', balance: 30 },
      { _id: 'entry', amount: 30 },
    ]);
  });

  it('an aborted transaction leaves no trace, including in unique indexes', async () => {
    const coll = client.db('txn_abort').collection('c');
    await coll.createIndex({ key: 1 }, { unique: true });
    const session = client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ key: 'k1' }, { session });
      await coll.updateMany({}, { $set: { touched: true } }, { session });
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await coll.countDocuments()).toBe(0);
    await coll.insertOne({ key: 'k1' });
    expect(await coll.countDocuments({ key: 'k1' })).toBe(1);
  });

  it('a transaction reads its snapshot even after others commit', async () => {
    const coll = client.db('txn_snapshot').collection('c');
    await coll.insertOne({ _id: 1, v: 'old' } as never);
    const session = client.startSession();
    try {
      session.startTransaction();
      expect((await coll.findOne({ _id: 1 } as never, { session }))!.v).toBe('old');
      await coll.updateOne({ _id: 1 } as never, { $set: { v: 'new' } });
      await coll.insertOne({ _id: 2, v: 'inserted later' } as never);
      expect((await coll.findOne({ _id: 1 } as never, { session }))!.v).toBe('old');
      expect(await coll.countDocuments({}, { session })).toBe(1);
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
  });

  it('the second writer of a document gets WriteConflict labelled TransientTransactionError', async () => {
    const coll = client.db('txn_conflict').collection('c');
    await coll.insertOne({ _id: 'x', n: 0 } as never);
    const first = client.startSession();
    const second = client.startSession();
    try {
      first.startTransaction();
      second.startTransaction();
      await coll.updateOne({ _id: 'x' } as never, { $inc: { n: 1 } }, { session: first });
      const error = await coll.updateOne({ _id: 'x' } as never, { $inc: { n: 10 } }, { session: second }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect((error as MongoServerError).code).toBe(112);
      expect((error as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
      await second.abortTransaction();
      await first.commitTransaction();
    } finally {
      await first.endSession();
      await second.endSession();
    }
    expect((await coll.findOne({ _id: 'x' } as never))!.n).toBe(1);
  });

  it('serverStatus counts transactions started, committed and aborted (a write conflict aborts)', async () => {
    const coll = client.db('txn_counts').collection('accounts');
    await coll.insertOne({ _id: 'a', balance: 100 } as never);
    const totals = async () => {
      const { transactions } = await client.db('admin').command({ serverStatus: 1 });
      return { started: Number(transactions.totalStarted), committed: Number(transactions.totalCommitted), aborted: Number(transactions.totalAborted) };
    };
    const before = await totals();
    const [first, second, third] = [client.startSession(), client.startSession(), client.startSession()];
    try {
      first.startTransaction();
      second.startTransaction();
      await coll.updateOne({ _id: 'a' } as never, { $inc: { balance: -1 } }, { session: first });
      await expect(coll.updateOne({ _id: 'a' } as never, { $inc: { balance: -2 } }, { session: second })).rejects.toMatchObject({ code: 112 });
      await first.commitTransaction();
      third.startTransaction();
      await coll.findOne({ _id: 'a' } as never, { session: third });
      await third.abortTransaction();
    } finally {
      for (const session of [first, second, third]) await session.endSession();
    }
    expect(await totals()).toEqual({ started: before.started + 3, committed: before.committed + 1, aborted: before.aborted + 2 });
  });

  it('withTransaction retries conflicting transfers until every one is applied', async () => {
    const coll = client.db('txn_retry').collection('c');
    await coll.insertOne({ _id: 'counter', n: 0 } as never);
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const session = client.startSession();
        try {
          await session.withTransaction(async () => {
            await coll.updateOne({ _id: 'counter' } as never, { $inc: { n: 1 } }, { session });
            await coll.insertOne({ kind: 'entry' }, { session });
          });
        } finally {
          await session.endSession();
        }
      }),
    );
    expect((await coll.findOne({ _id: 'counter' } as never))!.n).toBe(20);
    expect(await coll.countDocuments({ kind: 'entry' })).toBe(20);
  });

  it('a non-transactional write to a document a transaction holds waits for the commit', async () => {
    const coll = client.db('txn_wait').collection('c');
    await coll.insertOne({ _id: 'w', n: 100 } as never);
    const session = client.startSession();
    try {
      session.startTransaction();
      await coll.updateOne({ _id: 'w' } as never, { $inc: { n: -50 } }, { session });
      let finished = false;
      const waiting = coll.updateOne({ _id: 'w' } as never, { $inc: { n: 1 } }).then((r) => {
        finished = true;
        return r;
      });
      await expect.poll(async () => (await client.db('admin').command({ serverStatus: 1 })).embeddedMongo.writesWaitingForTransactions, { timeout: 5000, interval: 20 }).toBe(1);
      expect(finished).toBe(false);
      expect((await coll.findOne({ _id: 'w' } as never))!.n).toBe(100);
      await session.commitTransaction();
      expect((await waiting).modifiedCount).toBe(1);
    } finally {
      await session.endSession();
    }
    expect((await coll.findOne({ _id: 'w' } as never))!.n).toBe(51);
  });

  it('a command in an aborted transaction fails with NoSuchTransaction labelled transient', async () => {
    const coll = client.db('txn_nosuch').collection('c');
    await coll.insertOne({ _id: 1 } as never);
    const session = client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ _id: 2 } as never, { session });
      const dup = await coll.insertOne({ _id: 1 } as never, { session }).catch((e: unknown) => e);
      expect((dup as MongoServerError).code).toBe(11000);
      const after = await coll.insertOne({ _id: 3 } as never, { session }).catch((e: unknown) => e);
      expect((after as MongoServerError).code).toBe(251);
      expect((after as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
      await session.abortTransaction().catch(() => undefined);
    } finally {
      await session.endSession();
    }
    expect(await coll.countDocuments()).toBe(1);
  });

  it('a unique key inserted by an open transaction conflicts for another transaction', async () => {
    const coll = client.db('txn_unique').collection('c');
    await coll.createIndex({ k: 1 }, { unique: true });
    const first = client.startSession();
    const second = client.startSession();
    try {
      first.startTransaction();
      second.startTransaction();
      await coll.insertOne({ k: 'same' }, { session: first });
      const error = await coll.insertOne({ k: 'same' }, { session: second }).catch((e: unknown) => e);
      expect((error as MongoServerError).code).toBe(112);
      await second.abortTransaction().catch(() => undefined);
      await first.commitTransaction();
    } finally {
      await first.endSession();
      await second.endSession();
    }
    expect(await coll.countDocuments({ k: 'same' })).toBe(1);
  });
});

describe('retryable writes', () => {
  it('the same (lsid, txnNumber) is applied once and the retry gets the recorded reply', async () => {
    const raw = await RawWireClient.connect(server.port);
    try {
      const lsid = { id: new UUID() };
      const command = { update: 'c', $db: 'retry_once', updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } }, upsert: true }], lsid, txnNumber: Long.fromNumber(7) };
      const first = await raw.command(command);
      const retry = await raw.command(command);
      expect(Number(first.n)).toBe(1);
      expect(Number(retry.n)).toBe(1);
      const next = await raw.command({ ...command, txnNumber: Long.fromNumber(8) });
      expect(Number(next.nModified)).toBe(1);
    } finally {
      raw.close();
    }
    expect(
      await client
        .db('retry_once')
        .collection('c')
        .findOne({ _id: 1 } as never),
    ).toEqual({ _id: 1, n: 2 });
  });
});

describe('transaction lifetime', () => {
  it('a transaction past its lifetime is aborted, releasing the documents it held', async () => {
    const short = await startEmbeddedMongo({ transactionLifetimeSeconds: 1 });
    const shortClient = await new MongoClient(short.uri).connect();
    try {
      const coll = shortClient.db('txn_lifetime').collection('c');
      await coll.insertOne({ _id: 'held', n: 0 } as never);
      const session = shortClient.startSession();
      session.startTransaction();
      await coll.updateOne({ _id: 'held' } as never, { $inc: { n: 100 } }, { session });
      // A non-transactional write queues behind the transaction until the server aborts it.
      const waiting = coll.updateOne({ _id: 'held' } as never, { $inc: { n: 1 } });
      expect((await waiting).modifiedCount).toBe(1);
      const commit = await session.commitTransaction().catch((e: unknown) => e);
      expect((commit as MongoServerError).code).toBe(251);
      await session.endSession();
      expect((await coll.findOne({ _id: 'held' } as never))!.n).toBe(1);
    } finally {
      await shortClient.close();
      await short.stop();
    }
  });
});
