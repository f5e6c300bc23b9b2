/**
 * Queries answered through an index must return exactly what a collection scan returns: type
 * bracketing, numbers of every type, null and missing, multikey arrays, and index entries kept
 * in step with updates, deletes and aborted transactions. Each case runs the same query with and
 * without a usable index (the `hint: { $natural: 1 }` scan) and compares.
 */
import { describe, expect, it } from 'vitest';
import { Decimal128, Double, Int32, Long, type Collection, type Document } from 'mongodb';
import { rejectionOf, useTestEngine } from '../helpers/engine.js';

const engine = useTestEngine('idxq');

async function idsOf(coll: Collection, filter: Document, sort: Document = { _id: 1 }): Promise<unknown[]> {
  return (await coll.find(filter).sort(sort).toArray()).map((d) => d._id);
}

async function scannedIdsOf(coll: Collection, filter: Document, sort: Document = { _id: 1 }): Promise<unknown[]> {
  return (
    await coll
      .find(filter, { hint: { $natural: 1 } })
      .sort(sort)
      .toArray()
  ).map((d) => d._id);
}

describe('queries through indexes', () => {
  it('range predicates keep type bracketing and compare numbers of every type by value', async () => {
    const coll = engine.db('bracket').collection('c');
    await coll.createIndex({ v: 1 });
    await coll.insertMany([
      { _id: 1, v: new Int32(3) },
      { _id: 2, v: Long.fromNumber(7) },
      { _id: 3, v: new Double(5.5) },
      { _id: 4, v: Decimal128.fromString('6') },
      { _id: 5, v: '9' },
      { _id: 6, v: null },
      { _id: 7 },
      { _id: 8, v: new Date(10) },
      { _id: 9, v: true },
    ] as never[]);
    const cases: Document[] = [
      { v: { $gt: 5 } },
      { v: { $gte: Long.fromNumber(3), $lt: new Double(6) } },
      { v: { $lte: Decimal128.fromString('6') } },
      { v: { $gt: '1' } },
      { v: null },
      { v: { $ne: null } },
      { v: { $in: [new Int32(7), 'x', null] } },
      { v: { $exists: false } },
      { v: 6 },
    ];
    const expected: unknown[][] = [[2, 3, 4], [1, 3], [1, 3, 4], [5], [6, 7], [1, 2, 3, 4, 5, 8, 9], [2, 6, 7], [7], [4]];
    for (const [i, filter] of cases.entries()) {
      expect(await idsOf(coll, filter), JSON.stringify(filter)).toEqual(expected[i]);
      expect(await scannedIdsOf(coll, filter), `scan ${JSON.stringify(filter)}`).toEqual(expected[i]);
    }
  });

  it('Decimal128("0.1") and the double 0.1 are different values', async () => {
    const coll = engine.db('decimaldouble').collection('c');
    await coll.createIndex({ v: 1 });
    await coll.insertMany([
      { _id: 'decimal', v: Decimal128.fromString('0.1') },
      { _id: 'double', v: new Double(0.1) },
    ] as never[]);
    expect(await idsOf(coll, { v: Decimal128.fromString('0.1') })).toEqual(['decimal']);
    expect(await idsOf(coll, { v: new Double(0.1) })).toEqual(['double']);
  });

  it('multikey range: bounds may be met by different elements unless $elemMatch is used', async () => {
    const coll = engine.db('multikey').collection('c');
    await coll.createIndex({ scores: 1 });
    await coll.insertMany([
      { _id: 'split', scores: [1, 10] }, // 10 > 5 and 1 < 8: matches without $elemMatch
      { _id: 'inside', scores: [6] },
      { _id: 'outside', scores: [1, 2] },
      { _id: 'scalar', scores: 7 },
    ] as never[]);
    expect(await idsOf(coll, { scores: { $gt: 5, $lt: 8 } })).toEqual(['inside', 'scalar', 'split']);
    expect(await idsOf(coll, { scores: { $elemMatch: { $gt: 5, $lt: 8 } } })).toEqual(['inside']);
    expect(await idsOf(coll, { scores: 10 })).toEqual(['split']);
  });

  it('an indexed multikey field returns each document once even when several elements match', async () => {
    const coll = engine.db('dedupe').collection('c');
    await coll.createIndex({ tags: 1 });
    await coll.insertMany([
      { _id: 1, tags: ['a', 'b', 'c'] },
      { _id: 2, tags: ['b'] },
    ] as never[]);
    expect(await idsOf(coll, { tags: { $in: ['a', 'b', 'c'] } })).toEqual([1, 2]);
    expect(await coll.countDocuments({ tags: { $gte: 'a' } })).toBe(2);
  });

  it('a compound index serves a prefix equality with a sort on the next field in either direction', async () => {
    const coll = engine.db('compound').collection('c');
    await coll.createIndex({ tenant: 1, at: -1 });
    const docs = Array.from({ length: 30 }, (_, i) => ({ _id: i, tenant: `t${i % 3}`, at: new Date(1_000 * ((i * 7) % 30)) }));
    await coll.insertMany(docs as never[]);
    const want = docs.filter((d) => d.tenant === 't1').sort((a, b) => b.at.getTime() - a.at.getTime());
    expect(await idsOf(coll, { tenant: 't1' }, { at: -1 })).toEqual(want.map((d) => d._id));
    expect(await idsOf(coll, { tenant: 't1' }, { at: 1 })).toEqual(want.map((d) => d._id).reverse());
    const page = await coll
      .find({ tenant: 't1', at: { $lt: want[2]!.at } })
      .sort({ at: -1 })
      .limit(3)
      .toArray();
    expect(page.map((d) => d._id)).toEqual(want.slice(3, 6).map((d) => d._id));
  });

  it('$or over indexed fields returns the union once', async () => {
    const coll = engine.db('or').collection('c');
    await coll.createIndex({ a: 1 });
    await coll.createIndex({ b: 1 });
    await coll.insertMany([
      { _id: 1, a: 1, b: 1 },
      { _id: 2, a: 1, b: 2 },
      { _id: 3, a: 2, b: 1 },
      { _id: 4, a: 3, b: 3 },
    ] as never[]);
    expect(await idsOf(coll, { $or: [{ a: 1 }, { b: 1 }] })).toEqual([1, 2, 3]);
  });

  it('a unique index treats numerically equal values of different types as duplicates', async () => {
    const coll = engine.db('uniquenum').collection('c');
    await coll.createIndex({ k: 1 }, { unique: true });
    await coll.insertOne({ k: new Int32(1) });
    expect((await rejectionOf(coll.insertOne({ k: Long.fromNumber(1) }))).code).toBe(11000);
    expect((await rejectionOf(coll.insertOne({ k: new Double(1) }))).code).toBe(11000);
    await coll.insertOne({ k: new Double(1.5) });
    expect(await coll.countDocuments()).toBe(2);
  });

  it('index entries follow updates, deletes and replacements', async () => {
    const coll = engine.db('maintenance').collection('c');
    await coll.createIndex({ k: 1 });
    await coll.createIndex({ 'n.m': 1 });
    await coll.insertMany([
      { _id: 1, k: 'a', n: { m: 1 } },
      { _id: 2, k: 'b', n: { m: 2 } },
      { _id: 3, k: 'c', n: { m: 3 } },
    ] as never[]);
    await coll.updateOne({ _id: 1 } as never, { $set: { k: 'z', 'n.m': 9 } });
    await coll.replaceOne({ _id: 2 } as never, { k: 'y' });
    await coll.deleteOne({ _id: 3 } as never);
    await coll.updateMany({}, { $set: { extra: true } });
    expect(await idsOf(coll, { k: 'a' })).toEqual([]);
    expect(await idsOf(coll, { k: 'z' })).toEqual([1]);
    expect(await idsOf(coll, { k: 'b' })).toEqual([]);
    expect(await idsOf(coll, { k: 'y' })).toEqual([2]);
    expect(await idsOf(coll, { k: 'c' })).toEqual([]);
    expect(await idsOf(coll, { 'n.m': 1 })).toEqual([]);
    expect(await idsOf(coll, { 'n.m': 9 })).toEqual([1]);
    expect(await idsOf(coll, { 'n.m': null })).toEqual([2]);
    expect(await idsOf(coll, { k: { $gte: 'a' } }, { k: 1 })).toEqual([2, 1]);
  });

  it('index entries written by an aborted transaction are gone; a committed one is found', async () => {
    const coll = engine.db('txnindex').collection('c');
    await coll.createIndex({ k: 1 }, { unique: true });
    await coll.insertOne({ _id: 1, k: 'kept' } as never);
    const session = engine.client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ _id: 2, k: 'ghost' } as never, { session });
      await coll.updateOne({ _id: 1 } as never, { $set: { k: 'moved' } }, { session });
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await idsOf(coll, { k: 'ghost' })).toEqual([]);
    expect(await idsOf(coll, { k: 'moved' })).toEqual([]);
    expect(await idsOf(coll, { k: 'kept' })).toEqual([1]);
    await coll.insertOne({ _id: 3, k: 'ghost' } as never); // the unique key is free again
    expect(await idsOf(coll, { k: 'ghost' })).toEqual([3]);
  });

  it('queries on a collection or database that does not exist return nothing', async () => {
    const coll = engine.db('nothing').collection('missing');
    expect(await coll.find({ a: 1 }).toArray()).toEqual([]);
    expect(await coll.countDocuments()).toBe(0);
    expect(await coll.distinct('a')).toEqual([]);
    expect(await coll.aggregate([{ $match: {} }]).toArray()).toEqual([]);
  });

  it('keyset pagination over a compound index with ties visits every document exactly once', async () => {
    const coll = engine.db('keyset').collection<{ _id: number; createdAt: Date; tenant: string }>('c');
    await coll.createIndex({ tenant: 1, createdAt: -1, _id: -1 });
    // Many equal timestamps, so the _id tie-breaker carries the order.
    const docs = Array.from({ length: 237 }, (_, i) => ({ _id: i, createdAt: new Date(1_700_000_000_000 + Math.floor(i / 10) * 1000), tenant: i % 4 === 0 ? 'other' : 't' }));
    await coll.insertMany([...docs].sort(() => Math.random() - 0.5));
    const expected = docs
      .filter((d) => d.tenant === 't')
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b._id - a._id)
      .map((d) => d._id);
    const seen: number[] = [];
    let last: { createdAt: Date; _id: number } | undefined;
    for (;;) {
      const filter = last ? { tenant: 't', $or: [{ createdAt: { $lt: last.createdAt } }, { createdAt: last.createdAt, _id: { $lt: last._id } }] } : { tenant: 't' };
      const page = await coll.find(filter).sort({ createdAt: -1, _id: -1 }).limit(25).toArray();
      if (page.length === 0) break;
      seen.push(...page.map((d) => d._id));
      last = page[page.length - 1]!;
    }
    expect(seen).toEqual(expected);
  });
});
