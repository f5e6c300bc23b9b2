import { describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { rejectionOf, useTestEngine } from '../helpers/engine.js';

const engine = useTestEngine('updsem');

describe('update semantics', () => {
  it('replaceOne replaces the whole document and keeps _id', async () => {
    const coll = engine.db('replace').collection('c');
    await coll.insertOne({ _id: 1, a: 1, b: 2 } as never);
    const result = await coll.replaceOne({ _id: 1 } as never, { c: 3 });
    expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await coll.findOne({ _id: 1 } as never)).toEqual({ _id: 1, c: 3 });
  });

  it('a pipeline update computes fields from the document', async () => {
    const coll = engine.db('pipeline').collection('c');
    await coll.insertOne({ _id: 1, a: 2, b: 3, tmp: true } as never);
    await coll.updateOne({ _id: 1 } as never, [{ $set: { total: { $add: ['$a', '$b'] }, label: { $concat: ['n', { $toString: '$a' }] } } }, { $unset: 'tmp' }]);
    expect(await coll.findOne({ _id: 1 } as never)).toEqual({ _id: 1, a: 2, b: 3, total: 5, label: 'n2' });
  });

  it('updateOne with no match and no upsert changes nothing', async () => {
    const coll = engine.db('nomatch').collection('c');
    const result = await coll.updateOne({ _id: 'missing' } as never, { $set: { a: 1 } });
    expect(result).toMatchObject({ matchedCount: 0, modifiedCount: 0, upsertedCount: 0, upsertedId: null });
    expect(await coll.countDocuments()).toBe(0);
  });

  it('upsert inserts the query equality fields plus the update, applying $setOnInsert', async () => {
    const coll = engine.db('upsert').collection('c');
    const result = await coll.updateOne({ tenant: 't1', email: 'a@x' }, { $set: { name: 'A' }, $setOnInsert: { createdBy: 'upsert' }, $inc: { visits: 1 } }, { upsert: true });
    expect(result.upsertedCount).toBe(1);
    expect(result.matchedCount).toBe(0);
    expect(result.upsertedId).toBeInstanceOf(ObjectId);
    const doc = await coll.findOne({ _id: result.upsertedId! });
    expect(doc).toEqual({ _id: result.upsertedId, tenant: 't1', email: 'a@x', name: 'A', createdBy: 'upsert', visits: 1 });

    const second = await coll.updateOne({ tenant: 't1', email: 'a@x' }, { $set: { name: 'B' }, $setOnInsert: { createdBy: 'changed' }, $inc: { visits: 1 } }, { upsert: true });
    expect(second).toMatchObject({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0, upsertedId: null });
    expect(await coll.findOne({ tenant: 't1' })).toMatchObject({ name: 'B', createdBy: 'upsert', visits: 2 });
  });

  it('upsert with an _id in the query uses that _id; replacement upsert too', async () => {
    const coll = engine.db('upsertid').collection('c');
    const result = await coll.updateOne({ _id: 'given' } as never, { $set: { a: 1 } }, { upsert: true });
    expect(result.upsertedId).toBe('given');
    const replaced = await coll.replaceOne({ _id: 'r' } as never, { b: 2 }, { upsert: true });
    expect(replaced.upsertedId).toBe('r');
    expect(await coll.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'given', a: 1 },
      { _id: 'r', b: 2 },
    ]);
  });

  it('updateMany reports matchedCount and modifiedCount separately when some values are unchanged', async () => {
    const coll = engine.db('counts').collection('c');
    await coll.insertMany([
      { _id: 1, status: 'new' },
      { _id: 2, status: 'done' },
      { _id: 3, status: 'new' },
      { _id: 4, other: true },
    ] as never[]);
    const result = await coll.updateMany({ status: { $exists: true } }, { $set: { status: 'done' } });
    expect(result.matchedCount).toBe(3);
    expect(result.modifiedCount).toBe(2);
    expect(await coll.countDocuments({ status: 'done' })).toBe(3);
  });

  it('updateOne setting a field to its current value matches but does not modify', async () => {
    const coll = engine.db('noop').collection('c');
    await coll.insertOne({ _id: 1, a: 1 } as never);
    const result = await coll.updateOne({ _id: 1 } as never, { $set: { a: 1 } });
    expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
  });

  it('changing _id with $set fails with ImmutableField (66)', async () => {
    const coll = engine.db('immutable').collection('c');
    await coll.insertOne({ _id: 1, a: 1 } as never);
    const error = await rejectionOf(coll.updateOne({ _id: 1 } as never, { $set: { _id: 2 } }));
    expect(error.code).toBe(66);
    expect(error.codeName).toBe('ImmutableField');
    expect(await coll.find().toArray()).toEqual([{ _id: 1, a: 1 }]);
  });

  it('a replacement with a different _id fails with ImmutableField (66)', async () => {
    const coll = engine.db('immutablerepl').collection('c');
    await coll.insertOne({ _id: 1, a: 1 } as never);
    const error = await rejectionOf(coll.replaceOne({ _id: 1 } as never, { _id: 2, a: 2 } as never));
    expect(error.code).toBe(66);
    expect(await coll.find().toArray()).toEqual([{ _id: 1, a: 1 }]);
  });

  it('an update document mixing operators and plain fields is rejected', async () => {
    const coll = engine.db('mixed').collection('c');
    await coll.insertOne({ _id: 1 } as never);
    // The driver only checks the first key; the server must reject the plain field `b`.
    const error = await rejectionOf(coll.updateOne({ _id: 1 } as never, { $set: { a: 1 }, b: 2 } as never));
    expect(error).toMatchObject({ code: 9, codeName: 'FailedToParse' });
    expect(error.message).toContain('b');
    expect(await coll.findOne({ _id: 1 } as never)).toEqual({ _id: 1 });
  });

  it('the update command reply carries n, nModified and upserted', async () => {
    const coll = engine.db('rawreply').collection('c');
    await coll.insertMany([
      { _id: 1, a: 0 },
      { _id: 2, a: 0 },
    ] as never[]);
    const reply = await engine.client.db(coll.dbName).command({
      update: 'c',
      updates: [
        { q: { a: 0 }, u: { $set: { a: 1 } }, multi: true },
        { q: { _id: 9 }, u: { $set: { a: 9 } }, upsert: true },
      ],
    });
    expect(reply.ok).toBe(1);
    expect(reply.n).toBe(3);
    expect(reply.nModified).toBe(2);
    expect(reply.upserted).toEqual([{ index: 1, _id: 9 }]);
  });
});

describe('delete', () => {
  it('deleteOne removes one matching document, deleteMany all of them', async () => {
    const coll = engine.db('delete').collection('c');
    await coll.insertMany([{ k: 'a' }, { k: 'a' }, { k: 'a' }, { k: 'b' }]);
    expect((await coll.deleteOne({ k: 'a' })).deletedCount).toBe(1);
    expect(await coll.countDocuments({ k: 'a' })).toBe(2);
    expect((await coll.deleteMany({ k: 'a' })).deletedCount).toBe(2);
    expect((await coll.deleteMany({ k: 'zzz' })).deletedCount).toBe(0);
    expect(await coll.find({}, { projection: { _id: 0 } }).toArray()).toEqual([{ k: 'b' }]);
  });

  it('deleteMany with an empty filter empties the collection', async () => {
    const coll = engine.db('deleteall').collection('c');
    await coll.insertMany([{ a: 1 }, { a: 2 }]);
    expect((await coll.deleteMany({})).deletedCount).toBe(2);
    expect(await coll.countDocuments()).toBe(0);
  });
});

describe('findOneAndUpdate / Replace / Delete', () => {
  it('returns the document before the update by default and after with returnDocument after', async () => {
    const coll = engine.db('fau').collection('c');
    await coll.insertOne({ _id: 1, n: 1 } as never);
    expect(await coll.findOneAndUpdate({ _id: 1 } as never, { $inc: { n: 1 } })).toEqual({ _id: 1, n: 1 });
    expect(await coll.findOneAndUpdate({ _id: 1 } as never, { $inc: { n: 1 } }, { returnDocument: 'after' })).toEqual({
      _id: 1,
      n: 3,
    });
  });

  it('sort chooses which document is modified; projection shapes the returned one', async () => {
    const coll = engine.db('fausort').collection('c');
    await coll.insertMany([
      { _id: 1, q: 'jobs', pri: 2 },
      { _id: 2, q: 'jobs', pri: 9 },
      { _id: 3, q: 'jobs', pri: 5 },
    ] as never[]);
    const taken = await coll.findOneAndUpdate({ q: 'jobs', taken: { $exists: false } }, { $set: { taken: true } }, { sort: { pri: -1 }, returnDocument: 'after', projection: { pri: 1, taken: 1 } });
    expect(taken).toEqual({ _id: 2, pri: 9, taken: true });
  });

  it('upsert with returnDocument before returns null and inserts; after returns the new document', async () => {
    const coll = engine.db('faupsert').collection('c');
    expect(await coll.findOneAndUpdate({ _id: 'a' } as never, { $set: { v: 1 } }, { upsert: true })).toBeNull();
    expect(await coll.findOneAndUpdate({ _id: 'b' } as never, { $set: { v: 2 } }, { upsert: true, returnDocument: 'after' })).toEqual({ _id: 'b', v: 2 });
    expect(await coll.countDocuments()).toBe(2);
  });

  it('includeResultMetadata exposes lastErrorObject', async () => {
    const coll = engine.db('faumeta').collection('c');
    const result = await coll.findOneAndUpdate({ _id: 'x' } as never, { $set: { v: 1 } }, { upsert: true, returnDocument: 'after', includeResultMetadata: true });
    expect(result.ok).toBe(1);
    expect(result.value).toEqual({ _id: 'x', v: 1 });
    expect(result.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false, upserted: 'x' });
  });

  it('findOneAndReplace replaces and returns the chosen version', async () => {
    const coll = engine.db('far').collection('c');
    await coll.insertOne({ _id: 1, a: 1 } as never);
    expect(await coll.findOneAndReplace({ _id: 1 } as never, { b: 2 }, { returnDocument: 'after' })).toEqual({
      _id: 1,
      b: 2,
    });
    expect(await coll.findOneAndReplace({ _id: 'none' } as never, { b: 3 })).toBeNull();
  });

  it('findOneAndDelete removes and returns the first document in sort order', async () => {
    const coll = engine.db('fad').collection('c');
    await coll.insertMany([
      { _id: 1, p: 3 },
      { _id: 2, p: 1 },
      { _id: 3, p: 2 },
    ] as never[]);
    expect(await coll.findOneAndDelete({}, { sort: { p: 1 } })).toEqual({ _id: 2, p: 1 });
    expect(await coll.findOneAndDelete({ _id: 'none' } as never)).toBeNull();
    expect(await coll.countDocuments()).toBe(2);
  });
});

describe('counting and distinct', () => {
  it('countDocuments honours filter, skip and limit; estimatedDocumentCount counts all', async () => {
    const coll = engine.db('count').collection('c');
    await coll.insertMany(Array.from({ length: 12 }, (_, i) => ({ i, even: i % 2 === 0 })));
    expect(await coll.countDocuments()).toBe(12);
    expect(await coll.countDocuments({ even: true })).toBe(6);
    expect(await coll.countDocuments({ even: true }, { skip: 2, limit: 3 })).toBe(3);
    expect(await coll.countDocuments({ even: true }, { skip: 5 })).toBe(1);
    expect(await coll.estimatedDocumentCount()).toBe(12);
  });

  it('the count command returns n', async () => {
    const coll = engine.db('countcmd').collection('c');
    await coll.insertMany([{ a: 1 }, { a: 2 }, { a: 2 }]);
    const reply = await engine.client.db(coll.dbName).command({ count: 'c', query: { a: 2 } });
    expect(reply).toMatchObject({ ok: 1, n: 2 });
  });

  it('distinct returns unique values, unwinding arrays, with a filter', async () => {
    const coll = engine.db('distinct').collection('c');
    await coll.insertMany([{ k: 'a', tags: ['x', 'y'], n: 1 }, { k: 'b', tags: ['y', 'z'], n: 2 }, { k: 'a', tags: 'w', n: 3 }, { n: 4 }]);
    expect((await coll.distinct('k')).sort()).toEqual(['a', 'b']);
    expect((await coll.distinct('tags')).sort()).toEqual(['w', 'x', 'y', 'z']);
    expect((await coll.distinct('tags', { n: { $gte: 2 } })).sort()).toEqual(['w', 'y', 'z']);
    expect(await coll.distinct('missing')).toEqual([]);
  });

  it('distinct treats numerically equal values of different types as one', async () => {
    const coll = engine.db('distinctnum').collection('c');
    const { Int32, Long, Double } = await import('mongodb');
    await coll.insertMany([{ v: new Int32(1) }, { v: Long.fromNumber(1) }, { v: new Double(1) }, { v: new Int32(2) }]);
    expect(await coll.distinct('v')).toHaveLength(2);
  });
});
