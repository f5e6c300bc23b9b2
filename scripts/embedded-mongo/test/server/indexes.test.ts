import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MongoClient, MongoServerError } from 'mongodb';
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

const codeOf = (e: unknown): unknown => (e as MongoServerError).code;

describe('indexes', () => {
  it('a compound unique index rejects only the full repeated key', async () => {
    const coll = client.db('ix_compound').collection('wallets');
    await coll.createIndex({ tenantId: 1, userId: 1, currency: 1 }, { unique: true });
    await coll.insertMany([
      { tenantId: 't', userId: 'u', currency: 'EUR' },
      { tenantId: 't', userId: 'u', currency: 'USD' },
      { tenantId: 't', userId: 'v', currency: 'EUR' },
    ]);
    const error = await coll.insertOne({ tenantId: 't', userId: 'u', currency: 'EUR' }).catch((e: unknown) => e);
    expect(codeOf(error)).toBe(11000);
    expect((error as MongoServerError).keyValue).toEqual({ tenantId: 't', userId: 'u', currency: 'EUR' });
  });

  it('a sparse unique index allows many documents without the field; a partial one only checks matching documents', async () => {
    const sparse = client.db('ix_sparse').collection('c');
    await sparse.createIndex({ code: 1 }, { unique: true, sparse: true });
    await sparse.insertMany([{ a: 1 }, { a: 2 }, { code: 'x' }]);
    expect(codeOf(await sparse.insertOne({ code: 'x' }).catch((e: unknown) => e))).toBe(11000);

    const partial = client.db('ix_partial').collection('c');
    await partial.createIndex({ key: 1 }, { unique: true, partialFilterExpression: { active: true } });
    await partial.insertMany([
      { key: 'k', active: false },
      { key: 'k', active: false },
      { key: 'k', active: true },
    ]);
    expect(codeOf(await partial.insertOne({ key: 'k', active: true }).catch((e: unknown) => e))).toBe(11000);
    expect(await partial.countDocuments({ key: 'k' })).toBe(3);
  });

  it('building a unique index over duplicates fails with 11000 and leaves no index', async () => {
    const coll = client.db('ix_build').collection('c');
    await coll.insertMany([{ email: 'a' }, { email: 'a' }]);
    expect(codeOf(await coll.createIndex({ email: 1 }, { unique: true }).catch((e: unknown) => e))).toBe(11000);
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('a multikey index finds documents by any array element, once each', async () => {
    const coll = client.db('ix_multikey').collection('c');
    await coll.createIndex({ tags: 1 });
    await coll.insertMany([
      { _id: 1, tags: ['a', 'b'] },
      { _id: 2, tags: ['b', 'c'] },
      { _id: 3, tags: 'a' },
    ] as never[]);
    expect((await coll.find({ tags: 'a' }).sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([1, 3]);
    expect(
      (
        await coll
          .find({ tags: { $gte: 'a' } })
          .sort({ _id: 1 })
          .toArray()
      ).map((d) => d._id),
    ).toEqual([1, 2, 3]);
    expect(
      (
        await coll
          .find({ tags: { $in: ['a', 'b'] } })
          .sort({ _id: 1 })
          .toArray()
      ).map((d) => d._id),
    ).toEqual([1, 2, 3]);
    await coll.updateOne({ _id: 1 } as never, { $set: { tags: ['z'] } });
    expect((await coll.find({ tags: 'a' }).toArray()).map((d) => d._id)).toEqual([3]);
  });

  it('a sort on a descending compound index is served in either direction', async () => {
    const coll = client.db('ix_sort').collection('c');
    await coll.createIndex({ g: 1, at: -1 });
    await coll.insertMany(Array.from({ length: 30 }, (_, i) => ({ g: i % 3, at: i })));
    const newest = await coll.find({ g: 1 }).sort({ at: -1 }).limit(3).toArray();
    expect(newest.map((d) => d.at)).toEqual([28, 25, 22]);
    const oldest = await coll.find({ g: 1 }).sort({ at: 1 }).limit(3).toArray();
    expect(oldest.map((d) => d.at)).toEqual([1, 4, 7]);
    const plan = (await coll.find({ g: 1 }).sort({ at: 1 }).explain()).queryPlanner.winningPlan;
    expect(plan.inputStage).toMatchObject({ stage: 'IXSCAN', indexName: 'g_1_at_-1', direction: 'backward' });
  });

  it('hint picks the named index and an unknown hint is a BadValue', async () => {
    const coll = client.db('ix_hint').collection('c');
    await coll.createIndex({ a: 1 });
    await coll.createIndex({ b: 1 });
    await coll.insertMany([{ a: 1, b: 2 }]);
    const plan = (await coll.find({ a: 1, b: 2 }).hint('b_1').explain()).queryPlanner.winningPlan;
    expect(plan.inputStage.indexName).toBe('b_1');
    expect(await coll.find({ a: 1 }).hint({ b: 1 }).toArray()).toHaveLength(1);
    expect(
      codeOf(
        await coll
          .find({})
          .hint('nope')
          .toArray()
          .catch((e: unknown) => e),
      ),
    ).toBe(2);
  });

  it('createIndex with the same name and other options conflicts; dropping _id_ is refused', async () => {
    const coll = client.db('ix_conflict').collection('c');
    await coll.createIndex({ t: 1 }, { name: 'ttl', expireAfterSeconds: 60 });
    expect(await coll.createIndex({ t: 1 }, { name: 'ttl', expireAfterSeconds: 60 })).toBe('ttl');
    expect(codeOf(await coll.createIndex({ t: 1 }, { name: 'ttl', expireAfterSeconds: 30 }).catch((e: unknown) => e))).toBe(85);
    expect(codeOf(await coll.createIndex({ u: 1 }, { name: 'ttl' }).catch((e: unknown) => e))).toBe(86);
    expect(codeOf(await coll.dropIndex('_id_').catch((e: unknown) => e))).toBe(72);
    expect(codeOf(await coll.dropIndex('missing').catch((e: unknown) => e))).toBe(27);
  });
});
