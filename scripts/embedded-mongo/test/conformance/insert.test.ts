import { describe, expect, it } from 'vitest';
import { MongoBulkWriteError, ObjectId } from 'mongodb';
import { rejectionOf, useTestEngine, waitFor } from '../helpers/engine.js';

const engine = useTestEngine('insert');

describe('insert', () => {
  it('insertOne assigns an ObjectId _id when none is given', async () => {
    const coll = engine.db('one').collection('c');
    const result = await coll.insertOne({ name: 'a' });
    expect(result.acknowledged).toBe(true);
    expect(result.insertedId).toBeInstanceOf(ObjectId);
    expect(await coll.findOne({ _id: result.insertedId })).toEqual({ _id: result.insertedId, name: 'a' });
  });

  it('insertOne with a duplicate _id fails with 11000 and leaves the first document', async () => {
    const coll = engine.db('dupid').collection<{ _id: number; v: string }>('c');
    await coll.insertOne({ _id: 1, v: 'first' });
    const error = await rejectionOf(coll.insertOne({ _id: 1, v: 'second' }));
    expect(error.code).toBe(11000);
    expect(error.keyPattern).toEqual({ _id: 1 });
    expect(error.keyValue).toEqual({ _id: 1 });
    expect(await coll.find().toArray()).toEqual([{ _id: 1, v: 'first' }]);
  });

  it('ordered insertMany stops at the duplicate: earlier documents land, later ones do not', async () => {
    const coll = engine.db('ordered').collection<{ _id: number }>('c');
    const error = await rejectionOf(coll.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 1 }, { _id: 3 }, { _id: 4 }]));
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    const bulk = error as MongoBulkWriteError;
    expect(bulk.insertedCount).toBe(2);
    const writeErrors = Array.isArray(bulk.writeErrors) ? bulk.writeErrors : [bulk.writeErrors];
    expect(writeErrors).toHaveLength(1);
    expect(writeErrors[0]!.index).toBe(2);
    expect(writeErrors[0]!.code).toBe(11000);
    expect((await coll.find().sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([1, 2]);
  });

  it('unordered insertMany skips the duplicate and inserts all the others', async () => {
    const coll = engine.db('unordered').collection<{ _id: number }>('c');
    const error = await rejectionOf(coll.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 1 }, { _id: 3 }, { _id: 2 }, { _id: 4 }], { ordered: false }));
    const bulk = error as MongoBulkWriteError;
    expect(bulk).toBeInstanceOf(MongoBulkWriteError);
    expect(bulk.insertedCount).toBe(4);
    const writeErrors = Array.isArray(bulk.writeErrors) ? bulk.writeErrors : [bulk.writeErrors];
    expect(writeErrors.map((e) => e.index)).toEqual([2, 4]);
    expect(writeErrors.every((e) => e.code === 11000)).toBe(true);
    expect((await coll.find().sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([1, 2, 3, 4]);
  });

  it('insertMany of many documents (several document sequences) inserts them all', async () => {
    const coll = engine.db('many').collection('c');
    const docs = Array.from({ length: 5000 }, (_, i) => ({ i, pad: 'x'.repeat(100) }));
    const result = await coll.insertMany(docs);
    expect(result.insertedCount).toBe(5000);
    expect(await coll.countDocuments()).toBe(5000);
  });

  it('dollar-prefixed field names are permitted at the top level and nested on insert (MongoDB 5.0+)', async () => {
    const coll = engine.db('dollarfields').collection('c');
    const result = await coll.insertOne({ $price: 50, quantity: 30, location: { $db: 'novels', $inc: true } } as never);
    expect(await coll.findOne({ _id: result.insertedId })).toEqual({
      _id: result.insertedId,
      $price: 50,
      quantity: 30,
      location: { $db: 'novels', $inc: true },
    });
  });

  it('bulkWrite applies mixed operations in order and reports each count', async () => {
    const coll = engine.db('bulk').collection<{ _id: number; v?: number; w?: number }>('c');
    const result = await coll.bulkWrite([
      { insertOne: { document: { _id: 1, v: 1 } } },
      { insertOne: { document: { _id: 2, v: 2 } } },
      { updateOne: { filter: { _id: 1 }, update: { $inc: { v: 10 } } } },
      { updateMany: { filter: {}, update: { $set: { w: 0 } } } },
      { replaceOne: { filter: { _id: 2 }, replacement: { v: 20 } } },
      { updateOne: { filter: { _id: 3 }, update: { $set: { v: 3 } }, upsert: true } },
      { deleteOne: { filter: { _id: 2 } } },
    ]);
    expect(result.insertedCount).toBe(2);
    expect(result.matchedCount).toBe(4);
    expect(result.modifiedCount).toBe(4);
    expect(result.upsertedCount).toBe(1);
    expect(result.deletedCount).toBe(1);
    expect(result.upsertedIds).toEqual({ 5: 3 });
    expect(await coll.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, v: 11, w: 0 },
      { _id: 3, v: 3 },
    ]);
  });

  it('an unacknowledged (w:0) insert gets no reply, lands, and the connection keeps working', async () => {
    const coll = engine.db('wzero').collection('c');
    const result = await coll.insertOne({ _id: 'fire-and-forget' } as never, { writeConcern: { w: 0 } });
    expect(result.acknowledged).toBe(false);
    await waitFor(async () => (await coll.countDocuments({ _id: 'fire-and-forget' } as never)) === 1, {
      timeoutMs: 5_000,
      intervalMs: 20,
      what: 'the unacknowledged insert to land',
    });
    expect(await engine.client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it('raw write replies carry n and writeErrors (index, code, errmsg); delete replies carry n', async () => {
    const db = engine.db('rawwrites');
    const insert = await db.command({ insert: 'c', documents: [{ _id: 1 }, { _id: 1 }, { _id: 2 }], ordered: false });
    expect(insert.ok).toBe(1);
    expect(insert.n).toBe(2);
    expect(insert.writeErrors).toHaveLength(1);
    expect(insert.writeErrors[0]).toMatchObject({ index: 1, code: 11000 });
    expect(typeof insert.writeErrors[0].errmsg).toBe('string');
    const removal = await db.command({ delete: 'c', deletes: [{ q: { _id: { $in: [1, 2, 3] } }, limit: 0 }] });
    expect(removal).toMatchObject({ ok: 1, n: 2 });
  });
});
