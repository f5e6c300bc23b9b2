import { describe, expect, it } from 'vitest';
import { Double, Int32, Long, Timestamp, type Document } from 'mongodb';
import { useTestEngine } from '../helpers/engine.js';

const engine = useTestEngine('updops');

/** Inserts `doc` as _id 1 into a fresh collection, applies `update`, returns the stored document. */
async function applied(label: string, doc: Document, update: Document | Document[], options: Document = {}) {
  const coll = engine.db(label).collection('c');
  await coll.insertOne({ _id: 1, ...doc } as never);
  const result = await coll.updateOne({ _id: 1 } as never, update, options);
  const stored = await coll.findOne({ _id: 1 } as never);
  return { result, stored };
}

describe('field update operators', () => {
  it('$set creates nested paths and $unset removes fields', async () => {
    const { stored } = await applied('set', { a: 1, b: 2 }, { $set: { 'x.y.z': 'deep', a: 10 }, $unset: { b: '' } });
    expect(stored).toEqual({ _id: 1, a: 10, x: { y: { z: 'deep' } } });
  });

  it('$inc adds to existing values and creates missing fields', async () => {
    const { stored } = await applied('inc', { n: 5 }, { $inc: { n: -2, fresh: 3 } });
    expect(stored).toEqual({ _id: 1, n: 3, fresh: 3 });
  });

  it('$inc on a non-numeric field fails with TypeMismatch (14)', async () => {
    const coll = engine.db('incbad').collection('c');
    await coll.insertOne({ _id: 1, s: 'text' } as never);
    await expect(coll.updateOne({ _id: 1 } as never, { $inc: { s: 1 } })).rejects.toMatchObject({ code: 14 });
    expect(await coll.findOne({ _id: 1 } as never)).toEqual({ _id: 1, s: 'text' });
  });

  it('$mul multiplies and sets a missing field to zero of the multiplier type', async () => {
    const coll = engine.db('mul').collection('c');
    await coll.insertOne({ _id: 1, price: new Double(2.5), qty: new Int32(3) } as never);
    await coll.updateOne({ _id: 1 } as never, { $mul: { price: new Int32(2), qty: Long.fromNumber(2), missing: new Int32(7) } });
    const doc = await coll.findOne({ _id: 1 } as never, { promoteValues: false });
    expect(doc!.price).toBeInstanceOf(Double);
    expect(doc!.price.value).toBe(5);
    expect(doc!.qty).toBeInstanceOf(Long);
    expect(doc!.qty.toString()).toBe('6');
    expect(doc!.missing).toBeInstanceOf(Int32);
    expect(doc!.missing.value).toBe(0);
  });

  it('$min and $max only replace when the new value is lower / higher', async () => {
    const { stored } = await applied('minmax', { lo: 5, hi: 5, keep: 1 }, { $min: { lo: 3, keep: 4 }, $max: { hi: 9 } });
    expect(stored).toEqual({ _id: 1, lo: 3, hi: 9, keep: 1 });
  });

  it('$min/$max compare dates', async () => {
    const early = new Date('2020-01-01T00:00:00Z');
    const late = new Date('2024-01-01T00:00:00Z');
    const { stored } = await applied('mindate', { first: late, last: early }, { $min: { first: early }, $max: { last: late } });
    expect(stored).toEqual({ _id: 1, first: early, last: late });
  });

  it('$rename moves a field, including into a nested path', async () => {
    const { stored } = await applied('rename', { old: 'v', other: 1 }, { $rename: { old: 'n.renamed' } });
    expect(stored).toEqual({ _id: 1, other: 1, n: { renamed: 'v' } });
  });

  it('$currentDate sets a Date by default and a Timestamp on request', async () => {
    const before = Date.now();
    const { stored } = await applied('curdate', {}, { $currentDate: { d: true, ts: { $type: 'timestamp' }, d2: { $type: 'date' } } });
    expect(stored!.d).toBeInstanceOf(Date);
    expect(stored!.d.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    expect(stored!.d2).toBeInstanceOf(Date);
    expect(stored!.ts).toBeInstanceOf(Timestamp);
  });

  it('two operators on the same path conflict (40)', async () => {
    const coll = engine.db('conflict').collection('c');
    await coll.insertOne({ _id: 1, a: 1 } as never);
    await expect(coll.updateOne({ _id: 1 } as never, { $set: { a: 2 }, $inc: { a: 1 } })).rejects.toMatchObject({
      code: 40,
      codeName: 'ConflictingUpdateOperators',
    });
  });
});

describe('array update operators', () => {
  it('$push appends one value; $each appends several', async () => {
    const { stored } = await applied('push', { arr: [1] }, { $push: { arr: { $each: [2, 3] }, other: 'x' } });
    expect(stored).toEqual({ _id: 1, arr: [1, 2, 3], other: ['x'] });
  });

  it('$push with $position inserts at the index', async () => {
    const { stored } = await applied('position', { arr: [1, 4] }, { $push: { arr: { $each: [2, 3], $position: 1 } } });
    expect(stored!.arr).toEqual([1, 2, 3, 4]);
  });

  it('$push with $sort and $slice keeps the top N', async () => {
    const { stored } = await applied('pushsort', { scores: [{ s: 5 }, { s: 1 }] }, { $push: { scores: { $each: [{ s: 9 }, { s: 3 }], $sort: { s: -1 }, $slice: 3 } } });
    expect(stored!.scores).toEqual([{ s: 9 }, { s: 5 }, { s: 3 }]);
  });

  it('$push with a negative $slice keeps the last N', async () => {
    const { stored } = await applied('pushslice', { arr: [1, 2, 3] }, { $push: { arr: { $each: [4, 5], $slice: -2 } } });
    expect(stored!.arr).toEqual([4, 5]);
  });

  it('$addToSet adds only missing values, with $each', async () => {
    const { stored } = await applied('addtoset', { tags: ['a', 'b'] }, { $addToSet: { tags: { $each: ['b', 'c', 'c'] } } });
    expect(stored!.tags).toEqual(['a', 'b', 'c']);
  });

  it('$addToSet treats numerically equal values of different types as present', async () => {
    const { stored, result } = await applied('addtosetnum', { nums: [new Int32(1)] }, { $addToSet: { nums: new Double(1) } });
    expect(stored!.nums).toEqual([1]);
    expect(result.modifiedCount).toBe(0);
  });

  it('$pull removes matching values and matching documents by condition', async () => {
    const { stored } = await applied(
      'pull',
      {
        nums: [1, 5, 8, 2],
        items: [
          { k: 'a', q: 1 },
          { k: 'b', q: 7 },
        ],
      },
      { $pull: { nums: { $gte: 5 }, items: { q: { $gt: 3 } } } },
    );
    expect(stored).toEqual({ _id: 1, nums: [1, 2], items: [{ k: 'a', q: 1 }] });
  });

  it('$pullAll removes every occurrence of the listed values', async () => {
    const { stored } = await applied('pullall', { arr: [1, 2, 1, 3, 2] }, { $pullAll: { arr: [1, 2] } });
    expect(stored!.arr).toEqual([3]);
  });

  it('$pop removes the last (1) or first (-1) element', async () => {
    const { stored } = await applied('pop', { a: [1, 2, 3], b: [1, 2, 3] }, { $pop: { a: 1, b: -1 } });
    expect(stored).toEqual({ _id: 1, a: [1, 2], b: [2, 3] });
  });

  it('$push on a non-array field fails', async () => {
    const coll = engine.db('pushbad').collection('c');
    await coll.insertOne({ _id: 1, arr: 'scalar' } as never);
    const error = await coll.updateOne({ _id: 1 } as never, { $push: { arr: 1 } } as never).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 2 });
  });
});

describe('array element paths', () => {
  it('positional $ updates the first element matched by the query', async () => {
    const coll = engine.db('positional').collection('c');
    await coll.insertOne({ _id: 1, grades: [80, 85, 80] } as never);
    await coll.updateOne({ _id: 1, grades: 80 } as never, { $set: { 'grades.$': 82 } });
    expect(await coll.findOne({ _id: 1 } as never)).toEqual({ _id: 1, grades: [82, 85, 80] });
  });

  it('positional $ on an array of documents', async () => {
    const coll = engine.db('positionaldoc').collection('c');
    await coll.insertOne({
      _id: 1,
      items: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 1 },
      ],
    } as never);
    await coll.updateOne({ _id: 1, 'items.sku': 'b' } as never, { $inc: { 'items.$.qty': 5 } });
    expect((await coll.findOne({ _id: 1 } as never))!.items).toEqual([
      { sku: 'a', qty: 1 },
      { sku: 'b', qty: 6 },
    ]);
  });

  it('$[] updates every element', async () => {
    const { stored } = await applied('allpos', { arr: [1, 2, 3] }, { $inc: { 'arr.$[]': 10 } });
    expect(stored!.arr).toEqual([11, 12, 13]);
  });

  it('$[id] with arrayFilters updates only the matching elements', async () => {
    const { stored, result } = await applied('arrayfilters', { grades: [95, 80, 100, 85] }, { $set: { 'grades.$[g]': 100 } }, { arrayFilters: [{ g: { $gte: 90 } }] });
    expect(stored!.grades).toEqual([100, 80, 100, 85]);
    expect(result.modifiedCount).toBe(1);
  });

  it('$[id] with a document arrayFilter on nested fields', async () => {
    const { stored } = await applied(
      'arrayfiltersdoc',
      {
        items: [
          { k: 'a', q: 1 },
          { k: 'b', q: 2 },
          { k: 'a', q: 3 },
        ],
      },
      { $inc: { 'items.$[it].q': 100 } },
      { arrayFilters: [{ 'it.k': 'a' }] },
    );
    expect(stored!.items).toEqual([
      { k: 'a', q: 101 },
      { k: 'b', q: 2 },
      { k: 'a', q: 103 },
    ]);
  });

  it('numeric path components address array indexes', async () => {
    const { stored } = await applied('index', { arr: [1, 2, 3] }, { $set: { 'arr.1': 'two' } });
    expect(stored!.arr).toEqual([1, 'two', 3]);
  });
});
