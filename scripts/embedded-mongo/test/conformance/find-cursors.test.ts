import { describe, expect, it } from 'vitest';
import { Long, type CommandStartedEvent } from 'mongodb';
import { rejectionOf, useTestEngine } from '../helpers/engine.js';

const engine = useTestEngine('find');

interface Item {
  _id: number;
  group: string;
  n: number;
  tags: string[];
  nested: { a: number; b: number };
}

function items(count: number): Item[] {
  return Array.from({ length: count }, (_, i) => ({
    _id: i,
    group: i % 2 === 0 ? 'even' : 'odd',
    n: (i * 7) % count,
    tags: [`t${i % 3}`],
    nested: { a: i, b: -i },
  }));
}

async function monitoredClient() {
  const client = await engine.newClient({ monitorCommands: true });
  const started: CommandStartedEvent[] = [];
  client.on('commandStarted', (event) => started.push(event));
  return { client, started };
}

describe('find', () => {
  it('filters, sorts, skips and limits', async () => {
    const coll = engine.db('basic').collection<Item>('c');
    await coll.insertMany(items(20));
    const docs = await coll
      .find({ group: 'even', n: { $gte: 4 } })
      .sort({ n: -1 })
      .skip(1)
      .limit(3)
      .toArray();
    const expected = items(20)
      .filter((d) => d.group === 'even' && d.n >= 4)
      .sort((a, b) => b.n - a.n)
      .slice(1, 4);
    expect(docs).toEqual(expected);
  });

  it('sorts on a compound key with mixed directions', async () => {
    const coll = engine.db('compoundsort').collection<Item>('c');
    await coll.insertMany(items(10));
    const docs = await coll
      .find({}, { projection: { group: 1, _id: 1 } })
      .sort({ group: 1, _id: -1 })
      .toArray();
    expect(docs.map((d) => d._id)).toEqual([8, 6, 4, 2, 0, 9, 7, 5, 3, 1]);
  });

  it('inclusion projection keeps _id unless excluded, and supports dotted paths', async () => {
    const coll = engine.db('projection').collection<Item>('c');
    await coll.insertMany(items(3));
    expect(await coll.findOne({ _id: 2 }, { projection: { group: 1, 'nested.a': 1 } })).toEqual({
      _id: 2,
      group: 'even',
      nested: { a: 2 },
    });
    expect(await coll.findOne({ _id: 2 }, { projection: { _id: 0, n: 1 } })).toEqual({ n: (2 * 7) % 3 });
  });

  it('exclusion projection drops only the named fields', async () => {
    const coll = engine.db('exclusion').collection<Item>('c');
    await coll.insertMany(items(3));
    expect(await coll.findOne({ _id: 1 }, { projection: { tags: 0, 'nested.b': 0 } })).toEqual({
      _id: 1,
      group: 'odd',
      n: 7 % 3,
      nested: { a: 1 },
    });
  });

  it('$slice and $elemMatch projections', async () => {
    const coll = engine.db('projops').collection('c');
    await coll.insertOne({ _id: 1 as never, arr: [1, 2, 3, 4, 5], objs: [{ k: 1 }, { k: 2 }, { k: 3 }] });
    expect(await coll.findOne({}, { projection: { arr: { $slice: 2 }, objs: 0 } })).toEqual({ _id: 1, arr: [1, 2] });
    expect(await coll.findOne({}, { projection: { arr: { $slice: -2 }, objs: 0 } })).toEqual({ _id: 1, arr: [4, 5] });
    expect(await coll.findOne({}, { projection: { objs: { $elemMatch: { k: { $gte: 2 } } } } })).toEqual({
      _id: 1,
      objs: [{ k: 2 }],
    });
  });

  it('a small batchSize forces several getMores and still returns every document once', async () => {
    const coll = engine.db('getmore').collection<Item>('c');
    await coll.insertMany(items(25));
    const { client, started } = await monitoredClient();
    const docs = await client.db(coll.dbName).collection<Item>('c').find({}, { batchSize: 4 }).sort({ _id: 1 }).toArray();
    expect(docs.map((d) => d._id)).toEqual(items(25).map((d) => d._id));
    const getMores = started.filter((e) => e.commandName === 'getMore');
    expect(getMores.length).toBeGreaterThanOrEqual(6);
  });

  it('limit is honoured across getMores', async () => {
    const coll = engine.db('limitgetmore').collection<Item>('c');
    await coll.insertMany(items(30));
    const docs = await coll.find({}, { batchSize: 3 }).sort({ _id: 1 }).limit(7).toArray();
    expect(docs.map((d) => d._id)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('singleBatch returns one batch and leaves no open cursor', async () => {
    const coll = engine.db('singlebatch').collection<Item>('c');
    await coll.insertMany(items(10));
    const reply = await engine.client.db(coll.dbName).command({ find: 'c', filter: {}, sort: { _id: 1 }, batchSize: 3, singleBatch: true });
    expect(reply.cursor.firstBatch.map((d: Item) => d._id)).toEqual([0, 1, 2]);
    expect(Number(reply.cursor.id)).toBe(0);
  });

  it('a cursor that is exhausted in the first batch reports cursor id 0', async () => {
    const coll = engine.db('exhausted').collection<Item>('c');
    await coll.insertMany(items(3));
    const reply = await engine.client.db(coll.dbName).command({ find: 'c', filter: {} });
    expect(reply.cursor.firstBatch).toHaveLength(3);
    expect(Number(reply.cursor.id)).toBe(0);
    expect(reply.cursor.ns).toBe(`${coll.dbName}.c`);
  });

  it('cursor.close() sends killCursors and the cursor is gone afterwards', async () => {
    const coll = engine.db('kill').collection<Item>('c');
    await coll.insertMany(items(20));
    const { client, started } = await monitoredClient();
    const db = client.db(coll.dbName);
    const cursor = db.collection<Item>('c').find({}, { batchSize: 2 });
    expect(await cursor.next()).not.toBeNull();
    const cursorId = cursor.id;
    expect(cursorId).toBeDefined();
    expect(Number(cursorId)).not.toBe(0);
    await cursor.close();
    const kill = started.find((e) => e.commandName === 'killCursors');
    expect(kill).toBeDefined();
    expect(kill!.command.cursors.map(String)).toEqual([String(cursorId)]);
    const error = await rejectionOf(db.command({ getMore: cursorId!, collection: 'c' }));
    expect(error.code).toBe(43);
    expect(error.codeName).toBe('CursorNotFound');
  });

  it('killCursors reports killed and notFound ids', async () => {
    const coll = engine.db('killcmd').collection<Item>('c');
    await coll.insertMany(items(10));
    const db = engine.client.db(coll.dbName);
    // promoteLongs:false keeps the cursor id an int64, as killCursors requires.
    const first = await db.command({ find: 'c', filter: {}, batchSize: 2 }, { promoteLongs: false });
    const id = first.cursor.id;
    const reply = await db.command({ killCursors: 'c', cursors: [id] });
    expect(reply.ok).toBe(1);
    expect(reply.cursorsKilled.map(String)).toEqual([String(id)]);
    const again = await db.command({ killCursors: 'c', cursors: [id] });
    expect(again.cursorsNotFound.map(String)).toEqual([String(id)]);
  });

  it('matches array elements, $in, $exists, $regex, $elemMatch, $and/$or/$nor, $not and $expr', async () => {
    const coll = engine.db('filters').collection('c');
    await coll.insertMany([
      { _id: 1, tags: ['a', 'b'], name: 'alpha', qty: 5, limit: 3, scores: [{ s: 1 }, { s: 9 }] },
      { _id: 2, tags: ['b', 'c'], name: 'beta', qty: 1, limit: 4, scores: [{ s: 5 }] },
      { _id: 3, tags: [], name: 'Gamma', limit: 0 },
    ] as never[]);
    const ids = async (filter: object) => (await coll.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id as unknown as number);
    expect(await ids({ tags: 'b' })).toEqual([1, 2]);
    expect(await ids({ tags: { $in: ['a', 'c'] } })).toEqual([1, 2]);
    expect(await ids({ qty: { $exists: false } })).toEqual([3]);
    expect(await ids({ name: { $regex: '^g', $options: 'i' } })).toEqual([3]);
    expect(await ids({ name: /^b/ })).toEqual([2]);
    expect(await ids({ scores: { $elemMatch: { s: { $gt: 2, $lt: 8 } } } })).toEqual([2]);
    expect(await ids({ $or: [{ qty: 1 }, { name: 'Gamma' }] })).toEqual([2, 3]);
    expect(await ids({ $and: [{ tags: 'b' }, { qty: { $gt: 2 } }] })).toEqual([1]);
    expect(await ids({ $nor: [{ qty: 1 }, { name: 'Gamma' }] })).toEqual([1]);
    expect(await ids({ qty: { $not: { $gt: 2 } } })).toEqual([2, 3]);
    expect(await ids({ $expr: { $gt: ['$qty', '$limit'] } })).toEqual([1]);
    expect(await ids({ tags: { $size: 0 } })).toEqual([3]);
    expect(await ids({ tags: { $all: ['b', 'a'] } })).toEqual([1]);
    expect(await ids({ 'scores.s': 9 })).toEqual([1]);
    expect(await ids({ qty: null })).toEqual([3]);
    expect(await ids({ qty: { $ne: 5 } })).toEqual([2, 3]);
    expect(await ids({ qty: { $nin: [5, 1] } })).toEqual([3]);
  });

  it('sorting on an array field uses the smallest element ascending and the largest descending', async () => {
    const coll = engine.db('arraysort').collection('c');
    await coll.insertMany([
      { _id: 'arr31', a: [3, 1] },
      { _id: 'arr2', a: [2] },
      { _id: 'zero', a: 0 },
      { _id: 'arr5', a: [5, 4] },
    ] as never[]);
    expect((await coll.find().sort({ a: 1 }).toArray()).map((d) => d._id)).toEqual(['zero', 'arr31', 'arr2', 'arr5']);
    expect((await coll.find().sort({ a: -1 }).toArray()).map((d) => d._id)).toEqual(['arr5', 'arr31', 'arr2', 'zero']);
  });

  it('missing fields sort like null, before numbers', async () => {
    const coll = engine.db('missingsort').collection('c');
    await coll.insertMany([{ _id: 1, v: 2 }, { _id: 2 }, { _id: 3, v: null }, { _id: 4, v: 1 }] as never[]);
    const ids = (await coll.find().sort({ v: 1, _id: 1 }).toArray()).map((d) => d._id);
    expect(ids).toEqual([2, 3, 4, 1]);
  });

  it('batches are capped near 16 MB: 40 documents of 1 MB come back over several replies', async () => {
    const coll = engine.db('bigbatches').collection('c');
    const payload = 'p'.repeat(1024 * 1024);
    // One insertMany of ~40 MB: the driver sends it as one message (under maxMessageSizeBytes, 48 MB).
    await coll.insertMany(Array.from({ length: 40 }, (_, i) => ({ _id: i, payload })) as never[]);
    const { client, started } = await monitoredClient();
    const replies: number[] = [];
    client.on('commandSucceeded', (event) => {
      const reply = event.reply as { cursor?: { firstBatch?: unknown[]; nextBatch?: unknown[] } } | undefined;
      const batch = reply?.cursor?.firstBatch ?? reply?.cursor?.nextBatch;
      if (Array.isArray(batch)) replies.push(batch.length);
    });
    const docs = await client.db(coll.dbName).collection('c').find().sort({ _id: 1 }).toArray();
    expect(docs).toHaveLength(40);
    expect(docs.map((d) => d._id)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(docs.every((d) => d.payload.length === payload.length)).toBe(true);
    expect(started.filter((e) => e.commandName === 'getMore').length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...replies)).toBeLessThanOrEqual(16);
    const aggregated = await client
      .db(coll.dbName)
      .collection('c')
      .aggregate([{ $sort: { _id: -1 } }])
      .toArray();
    expect(aggregated.map((d) => d._id)).toEqual(Array.from({ length: 40 }, (_, i) => 39 - i));
    // 80 MB through the wire and BSON both ways: over a minute on a 2-core CI machine running
    // every package's suite at once. The bound is on correctness, not speed (benches measure that).
  }, 240_000);

  it('getMore honours its own batchSize', async () => {
    const coll = engine.db('getmorebatch').collection<Item>('c');
    await coll.insertMany(items(20));
    const db = engine.client.db(coll.dbName);
    const first = await db.command({ find: 'c', filter: {}, sort: { _id: 1 }, batchSize: 2 }, { promoteLongs: false });
    expect(first.cursor.id).toBeInstanceOf(Long); // cursor ids are int64 on the wire
    const next = await db.command({ getMore: first.cursor.id, collection: 'c', batchSize: 5 });
    expect(next.cursor.nextBatch.map((d: Item) => d._id)).toEqual([2, 3, 4, 5, 6]);
    await db.command({ killCursors: 'c', cursors: [first.cursor.id] });
  });
});
