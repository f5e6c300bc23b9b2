/** Bad requests sent through the official driver get MongoDB's error replies; the engine keeps serving. */
import { describe, expect, it } from 'vitest';
import { MongoServerError } from 'mongodb';
import { rejectionOf, useTestEngine } from '../helpers/engine.js';

const engine = useTestEngine('drivererr');

async function expectServing(label: string): Promise<void> {
  const other = await engine.newClient();
  const coll = other.db(engine.dbName(label)).collection('alive');
  await coll.insertOne({ ok: true });
  expect(await coll.countDocuments()).toBe(1);
}

describe('bad requests through the driver', () => {
  it('a document larger than 16 MB is rejected by the server and not stored', async () => {
    const coll = engine.db('oversized').collection('c');
    const big = 'x'.repeat(16 * 1024 * 1024 + 1024);
    const error = await rejectionOf(coll.insertOne({ big }));
    expect(error).toBeInstanceOf(MongoServerError);
    // BadValue "object to insert too large" on a real server; BSONObjectTooLarge is also MongoDB's code for it.
    expect([2, 10334]).toContain(error.code);
    expect(await coll.countDocuments()).toBe(0);
    await expectServing('oversized');
  });

  it('a document just under 16 MB is stored and read back intact', async () => {
    const coll = engine.db('nearlimit').collection('c');
    const big = 'z'.repeat(16 * 1024 * 1024 - 1024);
    await coll.insertOne({ _id: 'big', big } as never);
    const doc = await coll.findOne({ _id: 'big' } as never);
    expect(doc!.big.length).toBe(big.length);
    expect(doc!.big === big).toBe(true);
  });

  it('an update making a document larger than 16 MB is rejected and leaves it unchanged', async () => {
    const coll = engine.db('growth').collection('c');
    await coll.insertOne({ _id: 1, a: 'x'.repeat(9 * 1024 * 1024) } as never);
    const error = await rejectionOf(coll.updateOne({ _id: 1 } as never, { $set: { b: 'y'.repeat(9 * 1024 * 1024) } }));
    expect(error).toBeInstanceOf(MongoServerError);
    expect(typeof error.code).toBe('number');
    const doc = await coll.findOne({ _id: 1 } as never, { projection: { b: 1 } });
    expect(doc).toEqual({ _id: 1 });
    await expectServing('growth');
  });

  it('invalid operators in filters, updates and pipelines fail cleanly', async () => {
    const coll = engine.db('operators').collection('c');
    await coll.insertOne({ a: 1 });
    expect((await rejectionOf(coll.find({ a: { $nope: 1 } } as never).toArray())).code).toBe(2);
    expect((await rejectionOf(coll.updateMany({}, { $nope: { a: 1 } } as never))).code).toBe(9);
    expect((await rejectionOf(coll.aggregate([{ $nope: 1 }]).toArray())).code).toBe(40324);
    expect((await rejectionOf(coll.find({ a: { $in: 5 } } as never).toArray())).code).toBe(2);
    expect((await rejectionOf(coll.find({ a: { $size: 'x' } } as never).toArray())).code).toBe(2);
    // The driver refuses a bad sort direction itself, so send the raw command.
    const badSort = await rejectionOf(engine.client.db(coll.dbName).command({ find: 'c', filter: {}, sort: { a: 7 } }));
    expect(typeof badSort.code).toBe('number');
    expect(await coll.countDocuments()).toBe(1);
    await expectServing('operators');
  });

  it('an unknown command fails with CommandNotFound (59)', async () => {
    const error = await rejectionOf(engine.db('unknown').command({ frobnicate: 1 }));
    expect(error).toMatchObject({ code: 59, codeName: 'CommandNotFound' });
    await expectServing('unknown');
  });

  it('a malformed command argument fails with an error code, not a crash', async () => {
    const db = engine.db('badargs');
    expect(typeof (await rejectionOf(db.command({ find: 5 }))).code).toBe('number');
    expect(typeof (await rejectionOf(db.command({ insert: 'c', documents: 'nope' }))).code).toBe('number');
    expect(typeof (await rejectionOf(db.command({ update: 'c', updates: [{ q: 1, u: {} }] }))).code).toBe('number');
    expect(typeof (await rejectionOf(db.command({ aggregate: 'c', pipeline: {}, cursor: {} }))).code).toBe('number');
    expect(typeof (await rejectionOf(db.command({ getMore: 'x', collection: 'c' }))).code).toBe('number');
    await expectServing('badargs');
  });
});
