/**
 * The driver retries a write or a commit once when the connection fails before the reply
 * arrives. The server has already acted by then, so it must recognise the retry (same lsid and
 * txnNumber) and answer without acting twice. A proxy cuts the connection in place of the reply.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MongoClient } from 'mongodb';
import { useTestEngine } from '../helpers/engine.js';
import { startReplyDroppingProxy, type ReplyDroppingProxy } from '../helpers/reply-dropping-proxy.js';

const engine = useTestEngine('netretry');
let proxy: ReplyDroppingProxy;
let client: MongoClient;

beforeAll(async () => {
  const [hostname] = engine.host.split(':');
  proxy = await startReplyDroppingProxy(hostname!, engine.port);
  client = await engine.newClient({ retryWrites: true, serverSelectionTimeoutMS: 10_000 }, proxy.uri);
});

afterAll(async () => {
  await proxy?.close();
});

describe('writes retried after a lost reply', () => {
  it('an $inc whose reply was lost is applied once', async () => {
    const coll = client.db(engine.dbName('inc')).collection<{ _id: string; n: number }>('c');
    await coll.insertOne({ _id: 'counter', n: 0 });
    const droppedBefore = proxy.dropped;
    proxy.dropReplyTo('update');
    const result = await coll.updateOne({ _id: 'counter' }, { $inc: { n: 1 } });
    expect(proxy.dropped).toBe(droppedBefore + 1);
    expect(result.modifiedCount).toBe(1);
    expect(
      await engine.client
        .db(coll.dbName)
        .collection('c')
        .findOne({ _id: 'counter' } as never),
    ).toEqual({ _id: 'counter', n: 1 });
  });

  it('an insert whose reply was lost is not reported as a duplicate and is stored once', async () => {
    const coll = client.db(engine.dbName('insert')).collection<{ _id: string }>('c');
    await coll.insertOne({ _id: 'warmup' });
    const droppedBefore = proxy.dropped;
    proxy.dropReplyTo('insert');
    const result = await coll.insertOne({ _id: 'once' });
    expect(proxy.dropped).toBe(droppedBefore + 1);
    expect(result.insertedId).toBe('once');
    expect(
      await engine.client
        .db(coll.dbName)
        .collection('c')
        .countDocuments({ _id: 'once' } as never),
    ).toBe(1);
  });

  it('a findOneAndUpdate whose reply was lost returns the original pre-image and is applied once', async () => {
    const coll = client.db(engine.dbName('fam')).collection<{ _id: string; n: number }>('c');
    await coll.insertOne({ _id: 'doc', n: 10 });
    const droppedBefore = proxy.dropped;
    proxy.dropReplyTo('findAndModify');
    const before = await coll.findOneAndUpdate({ _id: 'doc' }, { $inc: { n: 5 } });
    expect(proxy.dropped).toBe(droppedBefore + 1);
    expect(before).toEqual({ _id: 'doc', n: 10 });
    expect(
      await engine.client
        .db(coll.dbName)
        .collection('c')
        .findOne({ _id: 'doc' } as never),
    ).toEqual({ _id: 'doc', n: 15 });
  });

  it('a commitTransaction whose reply was lost is retried and the transaction applied once', async () => {
    const coll = client.db(engine.dbName('commit')).collection<{ _id: string; n: number }>('c');
    await coll.insertOne({ _id: 'acc', n: 0 });
    const session = client.startSession();
    try {
      session.startTransaction();
      await coll.updateOne({ _id: 'acc' }, { $inc: { n: 7 } }, { session });
      await coll.insertOne({ _id: 'entry', n: 7 }, { session });
      const droppedBefore = proxy.dropped;
      proxy.dropReplyTo('commitTransaction');
      await session.commitTransaction();
      expect(proxy.dropped).toBe(droppedBefore + 1);
    } finally {
      await session.endSession();
    }
    const stored = await engine.client.db(coll.dbName).collection('c').find().sort({ _id: 1 }).toArray();
    expect(stored).toEqual([
      { _id: 'acc', n: 7 },
      { _id: 'entry', n: 7 },
    ]);
  });
});
