import { describe, expect, it } from 'vitest';
import { Decimal128, Double, Int32, Long } from 'mongodb';
import { useTestEngine } from '../helpers/engine.js';

const engine = useTestEngine('aggregate');

const orders = [
  { _id: 1, customer: 'ann', item: 'pen', qty: 2, price: 1.5, tags: ['office', 'cheap'] },
  { _id: 2, customer: 'bob', item: 'ink', qty: 1, price: 20, tags: ['office'] },
  { _id: 3, customer: 'ann', item: 'pad', qty: 5, price: 3, tags: [] },
  { _id: 4, customer: 'cy', item: 'pen', qty: 1, price: 1.5 },
];

async function ordersCollection(label: string) {
  const coll = engine.db(label).collection('orders');
  await coll.insertMany(orders as never[]);
  return coll;
}

describe('aggregate', () => {
  it('$match, $group with $sum/$avg/$min/$max/$push/$addToSet, then $sort', async () => {
    const coll = await ordersCollection('group');
    const out = await coll
      .aggregate([
        { $match: { qty: { $gte: 1 } } },
        {
          $group: {
            _id: '$customer',
            orders: { $sum: 1 },
            units: { $sum: '$qty' },
            avgQty: { $avg: '$qty' },
            minPrice: { $min: '$price' },
            maxPrice: { $max: '$price' },
            items: { $push: '$item' },
            distinctItems: { $addToSet: '$item' },
          },
        },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(out.map((g) => ({ ...g, distinctItems: [...g.distinctItems].sort() }))).toEqual([
      {
        _id: 'ann',
        orders: 2,
        units: 7,
        avgQty: 3.5,
        minPrice: 1.5,
        maxPrice: 3,
        items: ['pen', 'pad'],
        distinctItems: ['pad', 'pen'],
      },
      { _id: 'bob', orders: 1, units: 1, avgQty: 1, minPrice: 20, maxPrice: 20, items: ['ink'], distinctItems: ['ink'] },
      { _id: 'cy', orders: 1, units: 1, avgQty: 1, minPrice: 1.5, maxPrice: 1.5, items: ['pen'], distinctItems: ['pen'] },
    ]);
  });

  it('$group with _id null aggregates everything; $sum of a computed expression', async () => {
    const coll = await ordersCollection('groupnull');
    const out = await coll.aggregate([{ $group: { _id: null, revenue: { $sum: { $multiply: ['$qty', '$price'] } }, n: { $sum: 1 } } }]).toArray();
    expect(out).toEqual([{ _id: null, revenue: 3 + 20 + 15 + 1.5, n: 4 }]);
  });

  it('$group by a compound key', async () => {
    const coll = await ordersCollection('groupcompound');
    const out = await coll.aggregate([{ $group: { _id: { c: '$customer', i: '$item' }, n: { $sum: 1 } } }, { $sort: { '_id.c': 1, '_id.i': 1 } }]).toArray();
    expect(out.map((g) => g._id)).toEqual([
      { c: 'ann', i: 'pad' },
      { c: 'ann', i: 'pen' },
      { c: 'bob', i: 'ink' },
      { c: 'cy', i: 'pen' },
    ]);
  });

  it('$sum of Int32 values stays Int32, becomes Long when it overflows, Double with a double, Decimal with a decimal', async () => {
    const coll = engine.db('typedsum').collection('c');
    await coll.insertMany([
      { g: 'small', v: new Int32(1) },
      { g: 'small', v: new Int32(2) },
      { g: 'overflow', v: new Int32(2147483647) },
      { g: 'overflow', v: new Int32(2147483647) },
      { g: 'mixed', v: new Int32(1) },
      { g: 'mixed', v: new Double(0.5) },
      { g: 'dec', v: new Int32(1) },
      { g: 'dec', v: Decimal128.fromString('0.25') },
      { g: 'long', v: Long.fromNumber(5) },
      { g: 'long', v: new Int32(1) },
    ]);
    const out = await coll.aggregate([{ $group: { _id: '$g', s: { $sum: '$v' }, a: { $avg: '$v' } } }], { promoteValues: false }).toArray();
    const byGroup = Object.fromEntries(out.map((g) => [String(g._id), g]));
    expect(byGroup.small!.s).toBeInstanceOf(Int32);
    expect(byGroup.small!.s.value).toBe(3);
    expect(byGroup.overflow!.s).toBeInstanceOf(Long);
    expect(byGroup.overflow!.s.toString()).toBe('4294967294');
    expect(byGroup.mixed!.s).toBeInstanceOf(Double);
    expect(byGroup.mixed!.s.value).toBe(1.5);
    expect(byGroup.dec!.s).toBeInstanceOf(Decimal128);
    expect(byGroup.dec!.s.toString()).toBe('1.25');
    expect(byGroup.long!.s).toBeInstanceOf(Long);
    expect(byGroup.long!.s.toString()).toBe('6');
    expect(byGroup.small!.a).toBeInstanceOf(Double);
    expect(byGroup.small!.a.value).toBe(1.5);
    expect(byGroup.dec!.a).toBeInstanceOf(Decimal128);
  });

  it('$min/$max across numeric types compare by value and keep the winner type', async () => {
    const coll = engine.db('typedminmax').collection('c');
    await coll.insertMany([{ v: Long.fromNumber(10) }, { v: new Int32(5) }, { v: new Double(7.5) }]);
    const [out] = await coll.aggregate([{ $group: { _id: null, lo: { $min: '$v' }, hi: { $max: '$v' } } }], { promoteValues: false }).toArray();
    expect(out!.lo).toBeInstanceOf(Int32);
    expect(out!.lo.value).toBe(5);
    expect(out!.hi).toBeInstanceOf(Long);
    expect(out!.hi.toString()).toBe('10');
  });

  it('$sort, $skip, $limit and $project (inclusion and computed)', async () => {
    const coll = await ordersCollection('paging');
    const out = await coll.aggregate([{ $sort: { qty: -1, _id: 1 } }, { $skip: 1 }, { $limit: 2 }, { $project: { _id: 0, item: 1, total: { $multiply: ['$qty', '$price'] } } }]).toArray();
    expect(out).toEqual([
      { item: 'pen', total: 3 },
      { item: 'ink', total: 20 },
    ]);
  });

  it('$addFields adds computed fields and keeps the rest', async () => {
    const coll = await ordersCollection('addfields');
    const out = await coll.aggregate([{ $match: { _id: 3 } }, { $addFields: { total: { $multiply: ['$qty', '$price'] }, big: { $gt: ['$qty', 3] }, tagCount: { $size: '$tags' } } }]).toArray();
    expect(out).toEqual([{ ...orders[2], total: 15, big: true, tagCount: 0 }]);
  });

  it('$unwind flattens arrays; preserveNullAndEmptyArrays and includeArrayIndex', async () => {
    const coll = await ordersCollection('unwind');
    const plain = await coll.aggregate([{ $unwind: '$tags' }, { $project: { tags: 1 } }, { $sort: { _id: 1, tags: 1 } }]).toArray();
    expect(plain).toEqual([
      { _id: 1, tags: 'cheap' },
      { _id: 1, tags: 'office' },
      { _id: 2, tags: 'office' },
    ]);
    const preserved = await coll
      .aggregate([{ $unwind: { path: '$tags', preserveNullAndEmptyArrays: true, includeArrayIndex: 'idx' } }, { $project: { tags: 1, idx: 1 } }, { $sort: { _id: 1, idx: 1 } }])
      .toArray();
    expect(preserved).toEqual([
      { _id: 1, tags: 'office', idx: 0 },
      { _id: 1, tags: 'cheap', idx: 1 },
      { _id: 2, tags: 'office', idx: 0 },
      { _id: 3, idx: null },
      { _id: 4, idx: null },
    ]);
  });

  it('$lookup joins another collection of the same database', async () => {
    const db = engine.db('lookup');
    await db.collection('orders').insertMany(orders as never[]);
    await db.collection('customers').insertMany([
      { _id: 'ann', city: 'Oslo' },
      { _id: 'bob', city: 'Rome' },
    ] as never[]);
    const out = await db
      .collection('orders')
      .aggregate([
        { $match: { _id: { $in: [2, 4] } } },
        { $lookup: { from: 'customers', localField: 'customer', foreignField: '_id', as: 'who' } },
        { $project: { customer: 1, who: 1 } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(out).toEqual([
      { _id: 2, customer: 'bob', who: [{ _id: 'bob', city: 'Rome' }] },
      { _id: 4, customer: 'cy', who: [] },
    ]);
  });

  it('$lookup with a pipeline and let variables', async () => {
    const db = engine.db('lookuppipe');
    await db.collection('orders').insertMany(orders as never[]);
    await db.collection('stock').insertMany([
      { item: 'pen', onHand: 1 },
      { item: 'pen', onHand: 10 },
      { item: 'pad', onHand: 2 },
    ]);
    const out = await db
      .collection('orders')
      .aggregate([
        { $match: { _id: 1 } },
        {
          $lookup: {
            from: 'stock',
            let: { wanted: '$item', need: '$qty' },
            pipeline: [{ $match: { $expr: { $and: [{ $eq: ['$item', '$$wanted'] }, { $gte: ['$onHand', '$$need'] }] } } }, { $project: { _id: 0, onHand: 1 } }],
            as: 'enough',
          },
        },
        { $project: { enough: 1 } },
      ])
      .toArray();
    expect(out).toEqual([{ _id: 1, enough: [{ onHand: 10 }] }]);
  });

  it('$count counts the documents reaching it', async () => {
    const coll = await ordersCollection('count');
    expect(await coll.aggregate([{ $match: { item: 'pen' } }, { $count: 'pens' }]).toArray()).toEqual([{ pens: 2 }]);
    expect(await coll.aggregate([{ $match: { item: 'none' } }, { $count: 'n' }]).toArray()).toEqual([]);
  });

  it('$facet runs sub-pipelines over the same input', async () => {
    const coll = await ordersCollection('facet');
    const out = await coll
      .aggregate([
        {
          $facet: {
            total: [{ $count: 'n' }],
            firstTwo: [{ $sort: { _id: 1 } }, { $limit: 2 }, { $project: { _id: 1 } }],
            byItem: [{ $group: { _id: '$item', n: { $sum: 1 } } }, { $sort: { _id: 1 } }],
          },
        },
      ])
      .toArray();
    expect(out).toEqual([
      {
        total: [{ n: 4 }],
        firstTwo: [{ _id: 1 }, { _id: 2 }],
        byItem: [
          { _id: 'ink', n: 1 },
          { _id: 'pad', n: 1 },
          { _id: 'pen', n: 2 },
        ],
      },
    ]);
  });

  it('a large aggregate result is returned through getMore batches', async () => {
    const coll = engine.db('aggbatches').collection('c');
    await coll.insertMany(Array.from({ length: 350 }, (_, i) => ({ i })));
    const out = await coll.aggregate([{ $sort: { i: -1 } }, { $project: { _id: 0, i: 1 } }], { batchSize: 50 }).toArray();
    expect(out).toHaveLength(350);
    expect(out[0]).toEqual({ i: 349 });
    expect(out[349]).toEqual({ i: 0 });
  });
});
