/**
 * Document shape and path rules that are easy to get subtly wrong: field order, _id first,
 * embedded-document equality, array paths, paths through scalars, string order by UTF-8 bytes.
 */
import { describe, expect, it } from 'vitest';
import { Double } from 'mongodb';
import { rejectionOf, useTestEngine } from '../helpers/engine.js';

const engine = useTestEngine('paths');

describe('stored document shape', () => {
  it('_id is stored first even when given last; $set appends new fields at the end', async () => {
    const coll = engine.db('order').collection('c');
    await coll.insertOne({ b: 1, a: 2, _id: 'x' } as never);
    await coll.updateOne({ _id: 'x' } as never, { $set: { c: 3, a: 20 } });
    const doc = await coll.findOne({ _id: 'x' } as never);
    expect(Object.keys(doc!)).toEqual(['_id', 'b', 'a', 'c']);
    expect(doc).toEqual({ _id: 'x', b: 1, a: 20, c: 3 });
  });

  it('a replacement keeps _id first', async () => {
    const coll = engine.db('replaceorder').collection('c');
    await coll.insertOne({ _id: 'x', a: 1 } as never);
    await coll.replaceOne({ _id: 'x' } as never, { z: 1, y: 2 });
    expect(Object.keys((await coll.findOne({ _id: 'x' } as never))!)).toEqual(['_id', 'z', 'y']);
  });
});

describe('update paths', () => {
  it('$set through a scalar fails with PathNotViable (28)', async () => {
    const coll = engine.db('notviable').collection('c');
    await coll.insertOne({ _id: 1, a: 5 } as never);
    const error = await rejectionOf(coll.updateOne({ _id: 1 } as never, { $set: { 'a.b': 1 } }));
    expect(error.code).toBe(28);
    expect(await coll.findOne({ _id: 1 } as never)).toEqual({ _id: 1, a: 5 });
  });

  it('$set past the end of an array pads with nulls; $unset of an element leaves null', async () => {
    const coll = engine.db('arraypaths').collection('c');
    await coll.insertOne({ _id: 1, arr: [1, 2, 3], brr: [1, 2, 3] } as never);
    await coll.updateOne({ _id: 1 } as never, { $set: { 'arr.5': 6 }, $unset: { 'brr.1': '' } });
    expect(await coll.findOne({ _id: 1 } as never)).toEqual({ _id: 1, arr: [1, 2, 3, null, null, 6], brr: [1, null, 3] });
  });

  it('a numeric path component on an object is a field name', async () => {
    const coll = engine.db('numericfield').collection('c');
    await coll.insertOne({ _id: 1, o: {} } as never);
    await coll.updateOne({ _id: 1 } as never, { $set: { 'o.1': 'one' } });
    expect(await coll.findOne({ _id: 1 } as never)).toEqual({ _id: 1, o: { '1': 'one' } });
  });
});

describe('query equality', () => {
  it('embedded documents are equal only with the same fields in the same order', async () => {
    const coll = engine.db('docequal').collection('c');
    await coll.insertOne({ _id: 1, o: { x: 1, y: 2 } } as never);
    expect(await coll.countDocuments({ o: { x: 1, y: 2 } })).toBe(1);
    expect(await coll.countDocuments({ o: { y: 2, x: 1 } })).toBe(0);
    expect(await coll.countDocuments({ o: { x: 1 } })).toBe(0);
    expect(await coll.countDocuments({ 'o.y': 2 })).toBe(1);
  });

  it('an array query value matches the whole array; a scalar matches an element; a numeric path an index', async () => {
    const coll = engine.db('arrayequal').collection('c');
    await coll.insertMany([
      { _id: 1, a: [1, 2] },
      { _id: 2, a: [2, 1] },
      { _id: 3, a: [[1, 2], 3] },
    ] as never[]);
    const ids = async (filter: object) => (await coll.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);
    expect(await ids({ a: [1, 2] })).toEqual([1, 3]);
    expect(await ids({ a: 1 })).toEqual([1, 2]);
    // a.0 of document 3 is the array [1, 2], and an array at the end of a path matches by element.
    expect(await ids({ 'a.0': 1 })).toEqual([1, 3]);
    expect(await ids({ 'a.0': [1, 2] })).toEqual([3]);
    expect(await ids({ a: { $size: 2 } })).toEqual([1, 2, 3]);
  });

  it('NaN equals NaN and sorts before every other number', async () => {
    const coll = engine.db('nan').collection('c');
    await coll.insertMany([
      { _id: 'one', v: 1 },
      { _id: 'nan', v: new Double(Number.NaN) },
      { _id: 'minusInf', v: new Double(Number.NEGATIVE_INFINITY) },
    ] as never[]);
    expect((await coll.find({ v: new Double(Number.NaN) }).toArray()).map((d) => d._id)).toEqual(['nan']);
    expect((await coll.find().sort({ v: 1 }).toArray()).map((d) => d._id)).toEqual(['nan', 'minusInf', 'one']);
  });
});

describe('string order', () => {
  it('strings compare by UTF-8 bytes (simple binary order), not by UTF-16 code units', async () => {
    const coll = engine.db('utf8').collection('c');
    // U+FF5E (UTF-8 EF BD 9E) sorts before U+1F600 (UTF-8 F0 9F 98 80), although its UTF-16
    // code unit 0xFF5E is above the emoji's leading surrogate 0xD83D.
    await coll.insertMany([
      { _id: 'emoji', s: '\u{1F600}' },
      { _id: 'fullwidth', s: '\uFF5E' },
      { _id: 'upper', s: 'B' },
      { _id: 'lower', s: 'a' },
    ] as never[]);
    expect((await coll.find().sort({ s: 1 }).toArray()).map((d) => d._id)).toEqual(['upper', 'lower', 'fullwidth', 'emoji']);
    expect((await coll.find({ s: { $gt: '\uFF5E' } }).toArray()).map((d) => d._id)).toEqual(['emoji']);
  });
});
