import { describe, expect, it } from 'vitest';
import { Long, MongoServerError, type ClientSession } from 'mongodb';
import { rejectionOf, useTestEngine } from '../helpers/engine.js';

const engine = useTestEngine('txn');

interface Account {
  _id: string;
  balance: number;
}

async function accounts(label: string, initial: Account[]) {
  const coll = engine.db(label).collection<Account>('accounts');
  // A real server cannot create a collection inside a transaction on older versions; make it first.
  await coll.insertMany(initial);
  return coll;
}

async function withSession<T>(fn: (session: ClientSession) => Promise<T>): Promise<T> {
  const session = engine.client.startSession();
  try {
    return await fn(session);
  } finally {
    await session.endSession();
  }
}

/** A promise with an outside-visible state, to check that an operation has not finished yet. */
function tracked<T>(promise: Promise<T>) {
  const state = { settled: false };
  const wrapped = promise.finally(() => {
    state.settled = true;
  });
  return { promise: wrapped, state };
}

describe('transactions', () => {
  it('commit makes all writes visible at once; before commit others see none', async () => {
    const coll = await accounts('commit', [{ _id: 'a', balance: 100 }]);
    await withSession(async (session) => {
      session.startTransaction();
      await coll.updateOne({ _id: 'a' }, { $inc: { balance: -30 } }, { session });
      await coll.insertOne({ _id: 'b', balance: 30 }, { session });
      expect(await coll.findOne({ _id: 'a' })).toEqual({ _id: 'a', balance: 100 });
      expect(await coll.findOne({ _id: 'b' })).toBeNull();
      await session.commitTransaction();
    });
    expect(await coll.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'a', balance: 70 },
      { _id: 'b', balance: 30 },
    ]);
  });

  it('abort discards every write of the transaction', async () => {
    const coll = await accounts('abort', [{ _id: 'a', balance: 100 }]);
    await withSession(async (session) => {
      session.startTransaction();
      await coll.updateOne({ _id: 'a' }, { $inc: { balance: -30 } }, { session });
      await coll.insertOne({ _id: 'b', balance: 30 }, { session });
      await coll.deleteOne({ _id: 'a' }, { session });
      await session.abortTransaction();
    });
    expect(await coll.find().toArray()).toEqual([{ _id: 'a', balance: 100 }]);
  });

  it('a transaction reads its own writes (find, count, aggregate)', async () => {
    const coll = await accounts('ryow', [{ _id: 'a', balance: 100 }]);
    await withSession(async (session) => {
      session.startTransaction();
      await coll.updateOne({ _id: 'a' }, { $inc: { balance: -30 } }, { session });
      await coll.insertOne({ _id: 'b', balance: 30 }, { session });
      expect(await coll.findOne({ _id: 'a' }, { session })).toEqual({ _id: 'a', balance: 70 });
      expect(await coll.countDocuments({}, { session })).toBe(2);
      const [sum] = await coll.aggregate([{ $group: { _id: null, total: { $sum: '$balance' } } }], { session }).toArray();
      expect(sum!.total).toBe(100);
      await session.abortTransaction();
    });
  });

  it('snapshot isolation: a transaction does not see a commit made after its snapshot', async () => {
    const coll = await accounts('snapshot', [
      { _id: 'a', balance: 100 },
      { _id: 'b', balance: 0 },
    ]);
    await withSession(async (session) => {
      session.startTransaction({ readConcern: { level: 'snapshot' } });
      expect(await coll.findOne({ _id: 'a' }, { session })).toEqual({ _id: 'a', balance: 100 });
      // Another client changes and inserts after the transaction's first read.
      await coll.updateOne({ _id: 'b' }, { $set: { balance: 55 } });
      await coll.insertOne({ _id: 'c', balance: 1 });
      expect(await coll.findOne({ _id: 'b' }, { session })).toEqual({ _id: 'b', balance: 0 });
      expect(await coll.findOne({ _id: 'c' }, { session })).toBeNull();
      expect(await coll.countDocuments({}, { session })).toBe(2);
      await session.commitTransaction();
    });
    expect(await coll.countDocuments()).toBe(3);
  });

  it('two transactions writing one document: the second gets WriteConflict (112) labelled TransientTransactionError', async () => {
    const coll = await accounts('conflict', [{ _id: 'a', balance: 100 }]);
    const first = engine.client.startSession();
    const second = engine.client.startSession();
    try {
      first.startTransaction();
      second.startTransaction();
      await coll.updateOne({ _id: 'a' }, { $inc: { balance: -10 } }, { session: first });
      const error = await rejectionOf(coll.updateOne({ _id: 'a' }, { $inc: { balance: -20 } }, { session: second }));
      expect(error).toBeInstanceOf(MongoServerError);
      expect(error.code).toBe(112);
      expect(error.codeName).toBe('WriteConflict');
      expect((error as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
      await second.abortTransaction();
      await first.commitTransaction();
    } finally {
      await first.endSession();
      await second.endSession();
    }
    expect(await coll.findOne({ _id: 'a' })).toEqual({ _id: 'a', balance: 90 });
  });

  it('after a write conflict the loser’s transaction is gone: its next operation fails with NoSuchTransaction (251), labelled transient', async () => {
    const coll = await accounts('afterconflict', [
      { _id: 'a', balance: 100 },
      { _id: 'b', balance: 0 },
    ]);
    const winner = engine.client.startSession();
    const loser = engine.client.startSession();
    try {
      winner.startTransaction();
      loser.startTransaction();
      await coll.updateOne({ _id: 'b' }, { $inc: { balance: 1 } }, { session: loser });
      await coll.updateOne({ _id: 'a' }, { $inc: { balance: -10 } }, { session: winner });
      expect((await rejectionOf(coll.updateOne({ _id: 'a' }, { $inc: { balance: -20 } }, { session: loser }))).code).toBe(112);
      const next = await rejectionOf(coll.findOne({ _id: 'b' }, { session: loser }));
      expect(next.code).toBe(251);
      expect((next as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
      await loser.abortTransaction().catch(() => undefined);
      await winner.commitTransaction();
    } finally {
      await winner.endSession();
      await loser.endSession();
    }
    // The loser's earlier write to b was discarded with its transaction.
    expect(await coll.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'a', balance: 90 },
      { _id: 'b', balance: 0 },
    ]);
  });

  it('writing a document changed by another commit after the snapshot fails with WriteConflict (no lost update)', async () => {
    const coll = await accounts('stalewrite', [
      { _id: 'a', balance: 100 },
      { _id: 'b', balance: 0 },
    ]);
    await withSession(async (session) => {
      session.startTransaction();
      expect(await coll.findOne({ _id: 'a' }, { session })).toEqual({ _id: 'a', balance: 100 });
      await coll.updateOne({ _id: 'a' }, { $inc: { balance: -40 } }); // committed outside, after the snapshot
      const error = await rejectionOf(coll.updateOne({ _id: 'a' }, { $inc: { balance: -90 } }, { session }));
      expect(error.code).toBe(112);
      expect((error as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
      await session.abortTransaction().catch(() => undefined);
    });
    expect(await coll.findOne({ _id: 'a' })).toEqual({ _id: 'a', balance: 60 });
  });

  it('a transaction spans collections and databases: abort discards all, commit shows all', async () => {
    const first = engine.db('multiA').collection('x');
    const second = engine.db('multiB').collection('y');
    await first.insertOne({ _id: 'seed' } as never);
    await second.insertOne({ _id: 'seed' } as never);
    await withSession(async (session) => {
      session.startTransaction();
      await first.insertOne({ _id: 'aborted' } as never, { session });
      await second.deleteOne({ _id: 'seed' } as never, { session });
      await session.abortTransaction();
    });
    expect(await first.countDocuments()).toBe(1);
    expect(await second.countDocuments()).toBe(1);
    await withSession(async (session) => {
      await session.withTransaction(async (s) => {
        await first.insertOne({ _id: 'committed' } as never, { session: s });
        await second.deleteOne({ _id: 'seed' } as never, { session: s });
      });
    });
    expect((await first.find().sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual(['committed', 'seed']);
    expect(await second.countDocuments()).toBe(0);
  });

  it('a cursor opened in a transaction is read through getMore inside it, seeing its own writes', async () => {
    const coll = await accounts(
      'txncursor',
      Array.from({ length: 20 }, (_, i) => ({ _id: `a${String(i).padStart(2, '0')}`, balance: i })),
    );
    await withSession(async (session) => {
      session.startTransaction();
      await coll.insertOne({ _id: 'zz', balance: 99 }, { session });
      await coll.deleteOne({ _id: 'a00' }, { session });
      const docs = await coll.find({}, { session, batchSize: 3 }).sort({ _id: 1 }).toArray();
      expect(docs).toHaveLength(20);
      expect(docs[0]!._id).toBe('a01');
      expect(docs[19]).toEqual({ _id: 'zz', balance: 99 });
      await session.commitTransaction();
    });
    expect(await coll.countDocuments()).toBe(20);
  });

  it('$lookup inside a transaction sees the transaction’s own writes to the joined collection', async () => {
    const db = engine.db('txnlookup');
    await db.collection('orders').insertOne({ _id: 1, customer: 'new' } as never);
    await db.collection('customers').insertOne({ _id: 'old' } as never);
    await withSession(async (session) => {
      session.startTransaction();
      await db.collection('customers').insertOne({ _id: 'new', city: 'Lima' } as never, { session });
      const [joined] = await db
        .collection('orders')
        .aggregate([{ $lookup: { from: 'customers', localField: 'customer', foreignField: '_id', as: 'c' } }], { session })
        .toArray();
      expect(joined!.c).toEqual([{ _id: 'new', city: 'Lima' }]);
      const [outside] = await db
        .collection('orders')
        .aggregate([{ $lookup: { from: 'customers', localField: 'customer', foreignField: '_id', as: 'c' } }])
        .toArray();
      expect(outside!.c).toEqual([]);
      await session.abortTransaction();
    });
  });

  it('upserts and findOneAndUpdate inside a transaction commit together', async () => {
    const coll = await accounts('txnupsert', [{ _id: 'a', balance: 10 }]);
    await withSession((session) =>
      session.withTransaction(async (s) => {
        const before = await coll.findOneAndUpdate({ _id: 'a' }, { $inc: { balance: -5 } }, { session: s });
        expect(before).toEqual({ _id: 'a', balance: 10 });
        const upsert = await coll.updateOne({ _id: 'b' }, { $inc: { balance: 5 } }, { session: s, upsert: true });
        expect(upsert.upsertedId).toBe('b');
        expect(await coll.findOne({ _id: 'b' })).toBeNull();
      }),
    );
    expect(await coll.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'a', balance: 5 },
      { _id: 'b', balance: 5 },
    ]);
  });

  it('a collection first written inside a transaction: abort leaves no documents, commit keeps them', async () => {
    const db = engine.db('txncreate');
    await db.collection('existing').insertOne({ x: 1 });
    await withSession(async (session) => {
      session.startTransaction();
      await db.collection('fresh').insertOne({ _id: 1 } as never, { session });
      await session.abortTransaction();
    });
    expect(await db.collection('fresh').countDocuments()).toBe(0);
    await withSession((session) =>
      session.withTransaction(async (s) => {
        await db.collection('fresh2').insertOne({ _id: 2 } as never, { session: s });
      }),
    );
    expect(await db.collection('fresh2').find().toArray()).toEqual([{ _id: 2 }]);
  });

  it('withTransaction retries a transaction that hit a write conflict and then succeeds', async () => {
    const coll = await accounts('retry', [{ _id: 'a', balance: 100 }]);
    let releaseFirst!: () => void;
    const secondConflicted = new Promise<void>((resolve) => (releaseFirst = resolve));
    let signalFirstWrote!: () => void;
    const firstWrote = new Promise<void>((resolve) => (signalFirstWrote = resolve));
    const secondErrors: MongoServerError[] = [];
    let secondAttempts = 0;

    const firstSession = engine.client.startSession();
    const secondSession = engine.client.startSession();
    try {
      const firstDone = firstSession.withTransaction(async (session) => {
        await coll.updateOne({ _id: 'a' }, { $inc: { balance: -10 } }, { session });
        signalFirstWrote();
        await secondConflicted; // hold the document until the second transaction has collided
      });
      await firstWrote;
      const secondDone = secondSession.withTransaction(async (session) => {
        secondAttempts += 1;
        try {
          await coll.updateOne({ _id: 'a' }, { $inc: { balance: -20 } }, { session });
        } catch (error) {
          secondErrors.push(error as MongoServerError);
          releaseFirst();
          throw error;
        }
      });
      await Promise.all([firstDone, secondDone]);
    } finally {
      await firstSession.endSession();
      await secondSession.endSession();
    }
    expect(secondAttempts).toBeGreaterThanOrEqual(2);
    expect(secondErrors[0]!.code).toBe(112);
    expect(secondErrors[0]!.hasErrorLabel('TransientTransactionError')).toBe(true);
    expect(await coll.findOne({ _id: 'a' })).toEqual({ _id: 'a', balance: 70 });
  });

  it('a non-transactional write to a document held by an open transaction waits for it, then applies', async () => {
    const coll = await accounts('blocked', [{ _id: 'a', balance: 100 }]);
    const session = engine.client.startSession();
    const other = await engine.newClient();
    try {
      session.startTransaction();
      await coll.updateOne({ _id: 'a' }, { $set: { balance: 50 } }, { session });
      const write = tracked(
        other
          .db(coll.dbName)
          .collection<Account>('accounts')
          .updateOne({ _id: 'a' }, { $inc: { balance: 10 } }),
      );
      // Round trips on the transaction's connection and the other client give the write time to arrive.
      for (let i = 0; i < 5; i += 1) {
        await other.db('admin').command({ ping: 1 });
        await coll.findOne({ _id: 'a' }, { session });
      }
      expect(write.state.settled).toBe(false);
      await session.commitTransaction();
      const result = await write.promise;
      expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    } finally {
      await session.endSession();
    }
    expect(await coll.findOne({ _id: 'a' })).toEqual({ _id: 'a', balance: 60 });
  });

  it('after abort, the waiting non-transactional write applies to the original value', async () => {
    const coll = await accounts('blockedabort', [{ _id: 'a', balance: 100 }]);
    const session = engine.client.startSession();
    const other = await engine.newClient();
    try {
      session.startTransaction();
      await coll.updateOne({ _id: 'a' }, { $set: { balance: 50 } }, { session });
      const write = tracked(
        other
          .db(coll.dbName)
          .collection<Account>('accounts')
          .updateOne({ _id: 'a' }, { $inc: { balance: 10 } }),
      );
      for (let i = 0; i < 5; i += 1) await other.db('admin').command({ ping: 1 });
      expect(write.state.settled).toBe(false);
      await session.abortTransaction();
      await write.promise;
    } finally {
      await session.endSession();
    }
    expect(await coll.findOne({ _id: 'a' })).toEqual({ _id: 'a', balance: 110 });
  });

  it('a non-transactional insert of an _id a transaction has inserted waits, then fails with 11000 after the commit', async () => {
    const coll = await accounts('blockedinsert', [{ _id: 'a', balance: 1 }]);
    const session = engine.client.startSession();
    const other = await engine.newClient();
    try {
      session.startTransaction();
      await coll.insertOne({ _id: 'new', balance: 5 }, { session });
      const insert = tracked(
        other
          .db(coll.dbName)
          .collection<Account>('accounts')
          .insertOne({ _id: 'new', balance: 9 })
          .then(
            () => ({ code: 0 }),
            (error: { code?: number }) => ({ code: error.code }),
          ),
      );
      for (let i = 0; i < 5; i += 1) await other.db('admin').command({ ping: 1 });
      expect(insert.state.settled).toBe(false);
      await session.commitTransaction();
      expect((await insert.promise).code).toBe(11000);
    } finally {
      await session.endSession();
    }
    expect(await coll.findOne({ _id: 'new' })).toEqual({ _id: 'new', balance: 5 });
  });

  it('a non-transactional delete of a document a transaction updated waits, then deletes it', async () => {
    const coll = await accounts('blockeddelete', [{ _id: 'a', balance: 1 }]);
    const session = engine.client.startSession();
    const other = await engine.newClient();
    try {
      session.startTransaction();
      await coll.updateOne({ _id: 'a' }, { $set: { balance: 2 } }, { session });
      const removal = tracked(other.db(coll.dbName).collection<Account>('accounts').deleteOne({ _id: 'a' }));
      for (let i = 0; i < 5; i += 1) await other.db('admin').command({ ping: 1 });
      expect(removal.state.settled).toBe(false);
      await session.commitTransaction();
      expect((await removal.promise).deletedCount).toBe(1);
    } finally {
      await session.endSession();
    }
    expect(await coll.countDocuments()).toBe(0);
  });

  it('a write blocked by an open transaction gives up with MaxTimeMSExpired (50) when maxTimeMS runs out', async () => {
    const coll = await accounts('blockedtimeout', [{ _id: 'a', balance: 100 }]);
    const session = engine.client.startSession();
    try {
      session.startTransaction();
      await coll.updateOne({ _id: 'a' }, { $set: { balance: 50 } }, { session });
      const error = await rejectionOf(coll.updateOne({ _id: 'a' }, { $inc: { balance: 1 } }, { maxTimeMS: 300 }));
      expect(error.code).toBe(50);
      expect(error.codeName).toBe('MaxTimeMSExpired');
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect(await coll.findOne({ _id: 'a' })).toEqual({ _id: 'a', balance: 50 });
  }, 15_000);

  it('a duplicate key error inside a transaction leaves the committed data as it was', async () => {
    const coll = await accounts('txndup', [{ _id: 'a', balance: 1 }]);
    await withSession(async (session) => {
      session.startTransaction();
      await coll.insertOne({ _id: 'b', balance: 2 }, { session });
      const error = await rejectionOf(coll.insertOne({ _id: 'a', balance: 3 }, { session }));
      expect(error.code).toBe(11000);
      await session.abortTransaction().catch(() => undefined);
    });
    expect(await coll.find().toArray()).toEqual([{ _id: 'a', balance: 1 }]);
  });

  it('commitTransaction for an unknown transaction fails with NoSuchTransaction (251)', async () => {
    const coll = await accounts('nosuch', [{ _id: 'a', balance: 1 }]);
    // A fresh client, so the pooled server session has never run a transaction: a commit for a
    // txnNumber that did commit before would be a legitimate (idempotent) retry.
    const client = await engine.newClient();
    const session = client.startSession();
    try {
      const error = await rejectionOf(client.db('admin').command({ commitTransaction: 1, txnNumber: Long.fromNumber(42), autocommit: false }, { session }));
      expect(error.code).toBe(251);
      expect(error.codeName).toBe('NoSuchTransaction');
    } finally {
      await session.endSession();
    }
    expect(await coll.countDocuments()).toBe(1);
  });

  // Driver 7 leaves "starting transaction" only when the first answer arrives, so operations
  // issued in parallel before it all carry startTransaction with one txnNumber. A replica set
  // starts a transaction number once: the later start is refused, not merged or restarted.
  it('two first operations of a transaction sent in parallel both carry startTransaction; the server refuses the second with ConflictingOperationInProgress (117)', async () => {
    const coll = await accounts('parallelstart', [
      { _id: 'a', balance: 1 },
      { _id: 'b', balance: 2 },
    ]);
    const client = await engine.newClient({ monitorCommands: true });
    const starts: Array<{ txnNumber: unknown; startTransaction: unknown }> = [];
    client.on('commandStarted', (event) => {
      if (event.commandName !== 'find' || event.command.autocommit !== false) return;
      starts.push({ txnNumber: event.command.txnNumber, startTransaction: event.command.startTransaction });
    });
    const accountsOfClient = client.db(coll.dbName).collection<Account>('accounts');
    // The session is applied once a command has its connection: with one idle connection the
    // second operation would wait for a new one and leave after the first answer. Grow the pool.
    let connectionsCreated = 0;
    client.on('connectionCreated', () => (connectionsCreated += 1));
    while (connectionsCreated < 2) await Promise.all([0, 1, 2, 3].map(() => accountsOfClient.countDocuments()));
    const session = client.startSession();
    try {
      session.startTransaction();
      const outcomes = await Promise.allSettled([accountsOfClient.findOne({ _id: 'a' }, { session }), accountsOfClient.findOne({ _id: 'b' }, { session })]);
      expect(starts).toHaveLength(2);
      expect(starts.map((start) => start.startTransaction)).toEqual([true, true]);
      expect(String(starts[0]!.txnNumber)).toBe(String(starts[1]!.txnNumber));

      const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
      const answered = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      expect(refused).toHaveLength(1);
      expect(answered).toHaveLength(1);
      const error = (refused[0] as PromiseRejectedResult).reason as MongoServerError;
      expect(error.code).toBe(117);
      expect(error.codeName).toBe('ConflictingOperationInProgress');
      expect(error.hasErrorLabel('TransientTransactionError')).toBe(false);

      // The transaction the answered operation started goes on: one after the other works.
      await accountsOfClient.updateOne({ _id: 'a' }, { $inc: { balance: 10 } }, { session });
      expect(await accountsOfClient.findOne({ _id: 'b' }, { session })).toEqual({ _id: 'b', balance: 2 });
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect(await coll.findOne({ _id: 'a' })).toEqual({ _id: 'a', balance: 11 });
  });
});

describe('retryable writes', () => {
  it('a write retried with the same lsid and txnNumber is applied once and answers the same', async () => {
    const coll = await accounts('retryable', [{ _id: 'a', balance: 100 }]);
    // A client of its own: its pooled server sessions have run no retryable writes yet, so the
    // hand-picked txnNumbers below are the newest the server has seen for the session.
    const client = await engine.newClient();
    const db = client.db(coll.dbName);
    const session = client.startSession();
    try {
      const command = {
        update: 'accounts',
        updates: [{ q: { _id: 'a' }, u: { $inc: { balance: 5 } } }],
        txnNumber: Long.fromNumber(7),
      };
      const first = await db.command(command, { session });
      const retried = await db.command(command, { session });
      expect(first).toMatchObject({ ok: 1, n: 1, nModified: 1 });
      expect(retried).toMatchObject({ ok: 1, n: 1, nModified: 1 });
      expect(await coll.findOne({ _id: 'a' })).toEqual({ _id: 'a', balance: 105 });

      const insert = { insert: 'accounts', documents: [{ _id: 'b', balance: 1 }], txnNumber: Long.fromNumber(8) };
      expect(await db.command(insert, { session })).toMatchObject({ ok: 1, n: 1 });
      const insertRetried = await db.command(insert, { session });
      expect(insertRetried).toMatchObject({ ok: 1, n: 1 });
      expect(insertRetried.writeErrors).toBeUndefined();

      const next = { ...command, txnNumber: Long.fromNumber(9) };
      await db.command(next, { session });
      expect(await coll.findOne({ _id: 'a' })).toEqual({ _id: 'a', balance: 110 });

      // An older txnNumber than the newest seen on the session is refused, not re-applied.
      const stale = await rejectionOf(db.command(command, { session }));
      expect(stale.code).toBe(225);
      expect(stale.codeName).toBe('TransactionTooOld');
      expect(await coll.findOne({ _id: 'a' })).toEqual({ _id: 'a', balance: 110 });
    } finally {
      await session.endSession();
    }
    expect(await coll.countDocuments()).toBe(2);
  });

  it('driver writes with retryWrites (the default) succeed and are applied once', async () => {
    const coll = await accounts('retrydefault', [{ _id: 'a', balance: 0 }]);
    for (let i = 0; i < 20; i += 1) await coll.updateOne({ _id: 'a' }, { $inc: { balance: 1 } });
    expect(await coll.findOne({ _id: 'a' })).toEqual({ _id: 'a', balance: 20 });
  });
});
