import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Double, Int32, Long, MongoBulkWriteError, MongoClient, MongoServerError } from 'mongodb';
import { type EmbeddedMongo, startEmbeddedMongo } from '../../src/index.js';

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

describe('CRUD through the official driver', () => {
  it('a document round-trips with its Int32, Long and Double types', async () => {
    const coll = client.db('crud_types').collection('c');
    await coll.insertOne({ _id: 'typed', i: new Int32(5), l: Long.fromNumber(5), d: new Double(5) } as never);
    const raw = await coll.findOne({ _id: 'typed' } as never, { promoteValues: false });
    expect(raw!.i).toBeInstanceOf(Int32);
    expect(raw!.l).toBeInstanceOf(Long);
    expect(raw!.d).toBeInstanceOf(Double);
    await coll.updateOne({ _id: 'typed' } as never, { $inc: { l: Long.fromNumber(10), i: new Int32(1) } });
    const after = await coll.findOne({ _id: 'typed' } as never, { promoteValues: false });
    expect(after!.l).toEqual(Long.fromNumber(15));
    expect(after!.i).toEqual(new Int32(6));
  });

  it('stored documents have _id first, as MongoDB stores them, whatever order they were sent in', async () => {
    const coll = client.db('crud_order').collection('c');
    await coll.insertOne({ a: 1, b: { c: [1, 2] } });
    await coll.insertMany([
      { x: 'y', _id: 'given-last', z: null },
      { _id: 'given-first', x: 1 },
    ] as never[]);
    const docs = await coll.find().toArray();
    expect(docs.map((d) => Object.keys(d))).toEqual([
      ['_id', 'a', 'b'],
      ['_id', 'x', 'z'],
      ['_id', 'x'],
    ]);
    expect(docs[1]).toEqual({ _id: 'given-last', x: 'y', z: null });
    expect(docs[0]!.b).toEqual({ c: [1, 2] });
  });

  it('a duplicate key fails with code 11000, keyPattern, keyValue and the E11000 message', async () => {
    const coll = client.db('crud_dup').collection('users');
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.insertOne({ email: 'a@example.com' });
    const error = await coll.insertOne({ email: 'a@example.com' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    const e = error as MongoServerError;
    expect(e.code).toBe(11000);
    expect(e.keyPattern).toEqual({ email: 1 });
    expect(e.keyValue).toEqual({ email: 'a@example.com' });
    expect(e.message).toBe('E11000 duplicate key error collection: crud_dup.users index: email_1 dup key: { email: "a@example.com" }');
  });

  it('an unordered insertMany reports each duplicate and inserts the rest', async () => {
    const coll = client.db('crud_unordered').collection('c');
    const error = await coll.insertMany([{ _id: 1 }, { _id: 1 }, { _id: 2 }, { _id: 2 }, { _id: 3 }] as never[], { ordered: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    expect((error as MongoBulkWriteError).result.insertedCount).toBe(3);
    expect((error as MongoBulkWriteError).writeErrors).toHaveLength(2);
    expect(await coll.countDocuments()).toBe(3);
  });

  it('updates report matched, modified and upserted counts; $setOnInsert applies only on insert', async () => {
    const coll = client.db('crud_update').collection('c');
    await coll.insertMany([
      { k: 1, v: 0 },
      { k: 1, v: 0 },
      { k: 2, v: 0 },
    ]);
    const many = await coll.updateMany({ k: 1 }, { $set: { v: 1 } });
    expect([many.matchedCount, many.modifiedCount]).toEqual([2, 2]);
    const same = await coll.updateMany({ k: 1 }, { $set: { v: 1 } });
    expect([same.matchedCount, same.modifiedCount]).toEqual([2, 0]);
    const up = await coll.updateOne({ k: 9 }, { $set: { v: 9 }, $setOnInsert: { created: true } }, { upsert: true });
    expect(up.upsertedCount).toBe(1);
    expect(await coll.findOne({ k: 9 }, { projection: { _id: 0 } })).toEqual({ k: 9, v: 9, created: true });
    const again = await coll.updateOne({ k: 9 }, { $set: { v: 10 }, $setOnInsert: { created: false } }, { upsert: true });
    expect([again.matchedCount, again.modifiedCount, again.upsertedCount]).toEqual([1, 1, 0]);
    expect(await coll.findOne({ k: 9 }, { projection: { _id: 0 } })).toEqual({ k: 9, v: 10, created: true });
  });

  it('findOneAndUpdate returns the before or after document and delete removes one or many', async () => {
    const coll = client.db('crud_fam').collection('c');
    await coll.insertMany([
      { _id: 1, n: 1 },
      { _id: 2, n: 2 },
      { _id: 3, n: 3 },
    ] as never[]);
    const before = await coll.findOneAndUpdate({ _id: 1 } as never, { $inc: { n: 10 } });
    expect(before).toEqual({ _id: 1, n: 1 });
    const after = await coll.findOneAndUpdate({ _id: 1 } as never, { $inc: { n: 10 } }, { returnDocument: 'after' });
    expect(after).toEqual({ _id: 1, n: 21 });
    const removed = await coll.findOneAndDelete({}, { sort: { n: -1 } });
    expect(removed).toEqual({ _id: 1, n: 21 });
    expect((await coll.deleteMany({ n: { $gte: 2 } })).deletedCount).toBe(2);
    expect(await coll.countDocuments()).toBe(0);
  });

  it('a cursor pages through a collection in index order with getMore', async () => {
    const coll = client.db('crud_pages').collection('c');
    await coll.createIndex({ ts: 1 });
    await coll.insertMany(Array.from({ length: 1000 }, (_, i) => ({ ts: 1000 - i })));
    const seen = await coll
      .find({ ts: { $gt: 100 } })
      .sort({ ts: 1 })
      .batchSize(50)
      .toArray();
    expect(seen).toHaveLength(900);
    expect(seen.map((d) => d.ts)).toEqual(Array.from({ length: 900 }, (_, i) => 101 + i));
    const plan = await coll
      .find({ ts: { $gt: 100 } })
      .sort({ ts: 1 })
      .explain();
    expect(JSON.stringify(plan.queryPlanner.winningPlan)).toContain('IXSCAN');
    expect(JSON.stringify(plan.queryPlanner.winningPlan)).not.toContain('SORT');
    // A page deep in the index examines what the first page examines.
    const first = (
      await coll
        .find({ ts: { $gt: 0 } })
        .sort({ ts: 1 })
        .limit(20)
        .explain('executionStats')
    ).executionStats;
    const deep = (
      await coll
        .find({ ts: { $gt: 950 } })
        .sort({ ts: 1 })
        .limit(20)
        .explain('executionStats')
    ).executionStats;
    expect([first.nReturned, first.totalKeysExamined, first.totalDocsExamined]).toEqual([20, 20, 20]);
    expect([deep.nReturned, deep.totalKeysExamined, deep.totalDocsExamined]).toEqual([20, 20, 20]);
    const reversed = await coll.find({}).sort({ ts: -1 }).limit(3).toArray();
    expect(reversed.map((d) => d.ts)).toEqual([1000, 999, 998]);
  });

  it('a keyset page filter with $or is answered from an index range in sort order', async () => {
    const coll = client.db('crud_keyset').collection('c');
    await coll.createIndex({ at: -1, seq: -1 });
    await coll.insertMany(Array.from({ length: 300 }, (_, i) => ({ at: Math.floor(i / 3), seq: i })));
    const filter = { $or: [{ at: { $lt: 50 } }, { at: 50, seq: { $lt: 151 } }] };
    const page = await coll.find(filter).sort({ at: -1, seq: -1 }).limit(4).toArray();
    expect(page.map((d) => [d.at, d.seq])).toEqual([
      [50, 150],
      [49, 149],
      [49, 148],
      [49, 147],
    ]);
    const winningPlan = (await coll.find(filter).sort({ at: -1, seq: -1 }).limit(4).explain()).queryPlanner.winningPlan;
    expect(winningPlan.stage).toBe('FETCH');
    expect(winningPlan.inputStage).toMatchObject({ stage: 'IXSCAN', indexName: 'at_-1_seq_-1', scanBounds: [{ start: [50], end: [] }] });
  });

  it('listCollections, listIndexes, dropIndexes and drop manage the catalog', async () => {
    const db = client.db('crud_catalog');
    await db.createCollection('a');
    await db.collection('b').createIndex({ x: 1, y: -1 }, { name: 'xy', sparse: true });
    expect((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort()).toEqual(['a', 'b']);
    const indexes = await db.collection('b').listIndexes().toArray();
    expect(indexes.map((i) => i.name)).toEqual(['_id_', 'xy']);
    expect(indexes[1]).toMatchObject({ key: { x: 1, y: -1 }, sparse: true });
    await db.collection('b').dropIndex('xy');
    expect((await db.collection('b').listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
    const exists = await db.createCollection('a').catch((e: unknown) => e);
    expect((exists as MongoServerError).code).toBe(48);
    expect(await db.collection('a').drop()).toBe(true);
    expect((await db.listCollections().toArray()).map((c) => c.name)).toEqual(['b']);
  });

  it('count, distinct and aggregate answer over the stored documents', async () => {
    const coll = client.db('crud_agg').collection('c');
    await coll.insertMany([
      { g: 'a', v: new Int32(1), tags: ['x', 'y'] },
      { g: 'a', v: new Int32(2), tags: ['y'] },
      { g: 'b', v: new Int32(3), tags: [] },
    ]);
    expect(await coll.estimatedDocumentCount()).toBe(3);
    expect(await coll.countDocuments({ g: 'a' })).toBe(2);
    expect(await coll.distinct('tags')).toEqual(['x', 'y']);
    const groups = await coll.aggregate([{ $match: { v: { $gte: 1 } } }, { $group: { _id: '$g', total: { $sum: '$v' } } }, { $sort: { _id: 1 } }]).toArray();
    expect(groups).toEqual([
      { _id: 'a', total: 3 },
      { _id: 'b', total: 3 },
    ]);
  });

  it('collMod changes a TTL index expireAfterSeconds and the new limit applies', async () => {
    const coll = client.db('crud_collmod').collection('c');
    await coll.createIndex({ at: 1 }, { expireAfterSeconds: 3600 });
    await coll.insertOne({ at: new Date(Date.now() - 10_000) });
    const reply = await client.db('crud_collmod').command({ collMod: 'c', index: { keyPattern: { at: 1 }, expireAfterSeconds: 1 } });
    expect(reply).toMatchObject({ ok: 1, expireAfterSeconds_old: 3600, expireAfterSeconds_new: 1 });
    expect((await coll.listIndexes().toArray())[1]).toMatchObject({ name: 'at_1', expireAfterSeconds: 1 });
    await expect.poll(() => coll.countDocuments(), { timeout: 5000, interval: 100 }).toBe(0);
  });

  it('a TTL index removes expired documents', async () => {
    const coll = client.db('crud_ttl').collection('c');
    await coll.createIndex({ at: 1 }, { expireAfterSeconds: 0 });
    await coll.insertMany([{ at: new Date(Date.now() - 1000) }, { at: new Date(Date.now() + 3_600_000) }, { at: 'not a date' }]);
    await expect.poll(() => coll.countDocuments(), { timeout: 5000, interval: 100 }).toBe(2);
  });
});
