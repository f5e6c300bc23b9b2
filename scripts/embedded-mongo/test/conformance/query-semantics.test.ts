/** Query and update semantics where arrays, nulls and regular expressions interact. */
import { describe, expect, it } from 'vitest';
import { ObjectId, type Document } from 'mongodb';
import { useTestEngine } from '../helpers/engine.js';

const engine = useTestEngine('querysem');

const people = [
  {
    _id: 1,
    name: 'alice',
    tags: ['a', 'b'],
    scores: [70, 90],
    items: [
      { sku: 'x', q: 1 },
      { sku: 'y', q: 5 },
    ],
    n: null,
  },
  { _id: 2, name: 'bob', tags: ['b'], scores: [82], items: [{ sku: 'y', q: 2 }] },
  { _id: 3, name: 'Anna', tags: [], scores: [], flag: true },
  { _id: 4, name: 'carl', tags: 'a', scores: 84, items: [] },
];

async function seeded(label: string) {
  const coll = engine.db(label).collection('people');
  await coll.insertMany(people as never[]);
  return coll;
}

async function ids(coll: Awaited<ReturnType<typeof seeded>>, filter: Document): Promise<unknown[]> {
  return (await coll.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
}

describe('filters over arrays, nulls and regexes', () => {
  it('each case matches what MongoDB documents', async () => {
    const coll = await seeded('filters');
    const cases: Array<[Document, number[]]> = [
      [{ name: { $in: [/^a/, 'bob'] } }, [1, 2]],
      [{ name: { $not: /^a/ } }, [2, 3, 4]],
      [{ name: { $regex: '^a', $options: 'i' } }, [1, 3]],
      [{ n: { $exists: true } }, [1]],
      [{ n: null }, [1, 2, 3, 4]],
      [{ n: { $type: 'null' } }, [1]],
      [{ flag: { $ne: true } }, [1, 2, 4]],
      [{ tags: { $ne: 'a' } }, [2, 3]],
      [{ tags: { $nin: ['a', 'b'] } }, [3]],
      [{ tags: { $all: ['a'] } }, [1, 4]],
      [{ scores: { $elemMatch: { $gte: 80, $lt: 85 } } }, [2]],
      [{ scores: { $gte: 80, $lt: 85 } }, [1, 2, 4]],
      [{ scores: { $size: 1 } }, [2]],
      [{ 'items.sku': 'y' }, [1, 2]],
      [{ 'items.q': { $gt: 4 } }, [1]],
      [{ items: { $elemMatch: { sku: 'y', q: { $lt: 3 } } } }, [2]],
      [{ 'items.sku': 'y', 'items.q': 1 }, [1]],
      [{ items: { $size: 0 } }, [4]],
      [{ 'items.0.sku': 'x' }, [1]],
      [{ $expr: { $eq: [{ $size: { $ifNull: ['$items', []] } }, 2] } }, [1]],
    ];
    for (const [filter, expected] of cases) expect(await ids(coll, filter), JSON.stringify(filter)).toEqual(expected);
  });

  it('dates and numbers are not comparable with each other; ObjectIds order by their bytes; false < true', async () => {
    const coll = engine.db('bracketing').collection('c');
    await coll.insertMany([
      { _id: 'date', v: new Date(5) },
      { _id: 'num', v: 5 },
      { _id: 'oidLow', o: new ObjectId('000000000000000000000001'), b: false },
      { _id: 'oidHigh', o: new ObjectId('ffffffff0000000000000000'), b: true },
    ] as never[]);
    expect((await coll.find({ v: { $gte: 0 } }).toArray()).map((d) => d._id)).toEqual(['num']);
    expect((await coll.find({ v: { $gte: new Date(0) } }).toArray()).map((d) => d._id)).toEqual(['date']);
    expect(
      (
        await coll
          .find({ o: { $exists: true } })
          .sort({ o: -1 })
          .toArray()
      ).map((d) => d._id),
    ).toEqual(['oidHigh', 'oidLow']);
    expect((await coll.find({ b: { $gt: false } }).toArray()).map((d) => d._id)).toEqual(['oidHigh']);
  });

  it('sorting on a path through an array of documents uses the smallest (ascending) element', async () => {
    const coll = await seeded('sortpath');
    const order = (
      await coll
        .find({ 'items.q': { $exists: true } })
        .sort({ 'items.q': 1 })
        .toArray()
    ).map((d) => d._id);
    expect(order).toEqual([1, 2]);
    const desc = (
      await coll
        .find({ 'items.q': { $exists: true } })
        .sort({ 'items.q': -1 })
        .toArray()
    ).map((d) => d._id);
    expect(desc).toEqual([1, 2]);
  });

  it('distinct on a dotted path through arrays of documents', async () => {
    const coll = await seeded('distinctpath');
    expect((await coll.distinct('items.sku')).sort()).toEqual(['x', 'y']);
  });
});

describe('update edge cases', () => {
  it('$unset and $rename of missing fields are no-ops that modify nothing', async () => {
    const coll = await seeded('noops');
    const unset = await coll.updateOne({ _id: 2 } as never, { $unset: { nothing: '' } });
    expect(unset).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
    const rename = await coll.updateOne({ _id: 2 } as never, { $rename: { nothing: 'else' } });
    expect(rename).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
  });

  it('$addToSet compares embedded documents with their field order', async () => {
    const coll = engine.db('addtosetdoc').collection('c');
    await coll.insertOne({ _id: 1, s: [{ a: 1, b: 2 }] } as never);
    await coll.updateOne({ _id: 1 } as never, {
      $addToSet: {
        s: {
          $each: [
            { a: 1, b: 2 },
            { b: 2, a: 1 },
          ],
        },
      },
    });
    expect((await coll.findOne({ _id: 1 } as never))!.s).toEqual([
      { a: 1, b: 2 },
      { b: 2, a: 1 },
    ]);
  });

  it('$push with $sort on a nested field of embedded documents', async () => {
    const coll = engine.db('pushnested').collection('c');
    await coll.insertOne({ _id: 1, list: [{ m: { r: 3 } }, { m: { r: 1 } }] } as never);
    await coll.updateOne({ _id: 1 } as never, { $push: { list: { $each: [{ m: { r: 2 } }], $sort: { 'm.r': 1 } } } } as never);
    expect((await coll.findOne({ _id: 1 } as never))!.list.map((x: { m: { r: number } }) => x.m.r)).toEqual([1, 2, 3]);
  });

  it('upsert seeds equality fields from $and and $eq, not from ranges', async () => {
    const coll = engine.db('upsertseed').collection('c');
    const result = await coll.updateOne({ $and: [{ a: 1 }, { b: { $eq: 2 } }], c: { $gt: 5 } }, { $set: { d: 4 } }, { upsert: true });
    const doc = await coll.findOne({ _id: result.upsertedId! });
    expect(doc).toEqual({ _id: result.upsertedId, a: 1, b: 2, d: 4 });
  });

  it('updateMany with positional $ updates the matched element of each document', async () => {
    const coll = engine.db('positionalmany').collection('c');
    await coll.insertMany([
      {
        _id: 1,
        items: [
          { sku: 'x', q: 1 },
          { sku: 'y', q: 1 },
        ],
      },
      { _id: 2, items: [{ sku: 'y', q: 5 }] },
    ] as never[]);
    const result = await coll.updateMany({ 'items.sku': 'y' }, { $inc: { 'items.$.q': 10 } });
    expect(result.modifiedCount).toBe(2);
    expect((await coll.find().sort({ _id: 1 }).toArray()).map((d) => d.items)).toEqual([
      [
        { sku: 'x', q: 1 },
        { sku: 'y', q: 11 },
      ],
      [{ sku: 'y', q: 15 }],
    ]);
  });

  it('findOneAndUpdate with arrayFilters', async () => {
    const coll = engine.db('famarrayfilters').collection('c');
    await coll.insertOne({ _id: 1, grades: [50, 95, 60] } as never);
    const after = await coll.findOneAndUpdate({ _id: 1 } as never, { $set: { 'grades.$[low]': 65 } }, { arrayFilters: [{ low: { $lt: 65 } }], returnDocument: 'after' });
    expect(after).toEqual({ _id: 1, grades: [65, 95, 65] });
  });
});
