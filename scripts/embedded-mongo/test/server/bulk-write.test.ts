import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Document, MongoClient } from 'mongodb';
import { type EmbeddedMongo, startEmbeddedMongo } from '../../src/index.js';

/** Documents with any `_id` (the driver's default schema types `_id` as an ObjectId). */
type Doc = { _id: number | string; [field: string]: unknown };

let server: EmbeddedMongo;
let client: MongoClient;

beforeAll(async () => {
  server = await startEmbeddedMongo();
  client = await new MongoClient(server.replicaSetUri).connect();
});
beforeEach(async () => {
  await client.db('bw').dropDatabase();
  await client.db('bw2').dropDatabase();
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

const bulkWrite = (command: Document) => client.db('admin').command({ bulkWrite: 1, ...command });

describe('the bulkWrite command (MongoDB 8.0)', () => {
  it('runs inserts, updates and deletes across namespaces and answers one result per op and the counters', async () => {
    const reply = await bulkWrite({
      nsInfo: [{ ns: 'bw.a' }, { ns: 'bw2.b' }],
      ops: [
        { insert: 0, document: { _id: 1, x: 1 } },
        { insert: 1, document: { _id: 1, y: 1 } },
        { update: 0, filter: { _id: 1 }, updateMods: { $inc: { x: 1 } } },
        { update: 1, filter: { _id: 2 }, updateMods: { $set: { y: 2 } }, upsert: true },
        { delete: 1, filter: { _id: 1 } },
      ],
    });
    expect(reply).toMatchObject({ ok: 1, nErrors: 0, nInserted: 2, nMatched: 1, nModified: 1, nUpserted: 1, nDeleted: 1 });
    expect(reply.cursor.ns).toBe('admin.$cmd.bulkWrite');
    expect(reply.cursor.firstBatch).toEqual([
      { ok: 1, idx: 0, n: 1 },
      { ok: 1, idx: 1, n: 1 },
      { ok: 1, idx: 2, n: 1, nModified: 1 },
      { ok: 1, idx: 3, n: 1, nModified: 0, upserted: { _id: 2 } },
      { ok: 1, idx: 4, n: 1 },
    ]);
    expect(await client.db('bw').collection<Doc>('a').find().toArray()).toEqual([{ _id: 1, x: 2 }]);
    expect(await client.db('bw2').collection<Doc>('b').find().toArray()).toEqual([{ _id: 2, y: 2 }]);
  });

  it('ordered stops at the first failed op; unordered goes on; errorsOnly answers only the failures', async () => {
    const ops = [
      { insert: 0, document: { _id: 1 } },
      { insert: 0, document: { _id: 1 } },
      { insert: 0, document: { _id: 2 } },
    ];
    const ordered = await bulkWrite({ nsInfo: [{ ns: 'bw.o' }], ops });
    expect(ordered).toMatchObject({ nErrors: 1, nInserted: 1 });
    expect(ordered.cursor.firstBatch[1]).toMatchObject({ ok: 0, idx: 1, code: 11000, n: 0 });
    const unordered = await bulkWrite({ nsInfo: [{ ns: 'bw.u' }], ops, ordered: false, errorsOnly: true });
    expect(unordered).toMatchObject({ nErrors: 1, nInserted: 2 });
    expect(unordered.cursor.firstBatch).toHaveLength(1);
    expect(unordered.cursor.firstBatch[0]).toMatchObject({ ok: 0, idx: 1, code: 11000 });
  });

  it('takes let, update sort, and runs inside a transaction', async () => {
    await client
      .db('bw')
      .collection<Doc>('s')
      .insertMany([
        { _id: 1, r: 1 },
        { _id: 2, r: 2 },
      ]);
    const session = client.startSession();
    try {
      await session.withTransaction(async () => {
        await client.bulkWrite(
          [
            { name: 'updateOne', namespace: 'bw.s', filter: {}, update: { $set: { top: true } }, sort: { r: -1 } },
            { name: 'deleteOne', namespace: 'bw.s', filter: { $expr: { $eq: ['$_id', '$$gone'] } } },
          ],
          { session, let: { gone: 1 } },
        );
      });
    } finally {
      await session.endSession();
    }
    expect(await client.db('bw').collection<Doc>('s').find().toArray()).toEqual([{ _id: 2, r: 2, top: true }]);
  });

  it('refuses what mongod refuses, before running any op', async () => {
    const good = { insert: 0, document: { _id: 1 } };
    const refusals: [Document, number][] = [
      [{ nsInfo: [{ ns: 'bw.r' }], ops: [good], bogus: 1 }, 40415],
      [{ nsInfo: [{ ns: 'bw.r' }], ops: [good, { insert: 0, document: {}, bogus: 1 }] }, 40415],
      [{ nsInfo: [{ ns: 'bw.r' }], ops: [good, { insert: 3, document: {} }] }, 2],
      [{ nsInfo: [{ ns: 'bw.r' }], ops: [good, { insert: 0 }] }, 40414],
      [{ nsInfo: [{ ns: 'nodot' }], ops: [good] }, 73],
      [{ nsInfo: [{ ns: 'bw.r' }], ops: [] }, 16],
    ];
    for (const [command, code] of refusals) await expect(bulkWrite(command), JSON.stringify(command)).rejects.toMatchObject({ code });
    expect(await client.db('bw').collection<Doc>('r').countDocuments()).toBe(0);
    await expect(client.db('bw').command({ bulkWrite: 1, nsInfo: [{ ns: 'bw.r' }], ops: [good] })).rejects.toMatchObject({ code: 13 });
  });
});

describe('update sort (MongoDB 8.0)', () => {
  it('updateOne / replaceOne update the first document in sort order', async () => {
    const coll = client.db('bw').collection<Doc>('sorted');
    await coll.insertMany([
      { _id: 1, r: 3 },
      { _id: 2, r: 1 },
      { _id: 3, r: 2 },
    ]);
    await coll.updateOne({}, { $set: { first: true } }, { sort: { r: 1 } });
    await coll.replaceOne({}, { replaced: true }, { sort: { r: -1 } });
    expect(await coll.find().toArray()).toEqual([
      { _id: 1, replaced: true },
      { _id: 2, r: 1, first: true },
      { _id: 3, r: 2 },
    ]);
  });

  it('refuses sort with multi: true as FailedToParse, after applying the statements before it', async () => {
    const reply = client.db('bw').command({
      update: 'multi',
      updates: [
        { q: { _id: 1 }, u: { $set: { a: 1 } }, upsert: true },
        { q: {}, u: { $set: { b: 1 } }, multi: true, sort: { _id: 1 } },
      ],
    });
    await expect(reply).rejects.toMatchObject({ code: 9, message: 'Cannot specify sort with multi=true' });
    expect(await client.db('bw').collection<Doc>('multi').find().toArray()).toEqual([{ _id: 1, a: 1 }]);
    await expect(client.db('bw').command({ update: 'multi', updates: [{ q: {}, u: { $set: { b: 1 } }, sort: true }] })).rejects.toMatchObject({ code: 14 });
  });
});
