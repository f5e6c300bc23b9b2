import { Decimal128, Double, Int32, Long, ObjectId, Timestamp } from 'bson';
import type { Document } from 'bson';
import { describe, expect, it } from 'vitest';
import { applyUpdate, bsonTypeAlias, buildUpsertDocument } from '../../src/language/index.js';
import { MongoCommandError } from '../../src/errors.js';

function errorOf(action: () => unknown): { code: number; message: string } {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(MongoCommandError);
    return { code: (error as MongoCommandError).code, message: (error as Error).message };
  }
  throw new Error('expected an error');
}

function update(doc: Document, spec: Document | Document[], options = {}): Document {
  return applyUpdate(doc, spec, options).doc;
}

describe('$inc and $mul', () => {
  it('increments a Long beyond 2^53 exactly (the mingo trap)', () => {
    const result = update({ _id: 1, n: Long.fromBigInt(2n ** 53n + 1n) }, { $inc: { n: new Int32(1) } });
    expect(bsonTypeAlias(result.n)).toBe('long');
    expect((result.n as Long).toBigInt()).toBe(2n ** 53n + 2n);
  });

  it('keeps Int32 an Int32 and overflows into Long', () => {
    const small = update({ _id: 1, n: new Int32(5) }, { $inc: { n: new Int32(-7) } });
    expect(small.n).toEqual(new Int32(-2));
    const overflow = update({ _id: 1, n: new Int32(2147483647) }, { $inc: { n: new Int32(1) } });
    expect(bsonTypeAlias(overflow.n)).toBe('long');
    expect((overflow.n as Long).toNumber()).toBe(2147483648);
  });

  it('widens to double and decimal with the operand', () => {
    expect(bsonTypeAlias(update({ n: new Int32(1) }, { $inc: { n: new Double(0.5) } }).n)).toBe('double');
    const decimal = update({ n: new Int32(1) }, { $inc: { n: Decimal128.fromString('0.1') } }).n as Decimal128;
    expect(decimal.toString()).toBe('1.1');
    expect(update({ n: Decimal128.fromString('2.50') }, { $mul: { n: new Int32(2) } }).n.toString()).toBe('5.00');
  });

  it('sets a missing field to the increment, and $mul sets it to zero of the operand type', () => {
    expect(update({}, { $inc: { 'a.b': Long.fromNumber(3) } })).toEqual({ a: { b: Long.fromNumber(3) } });
    const multiplied = update({}, { $mul: { n: new Int32(3) } });
    expect(multiplied.n).toEqual(new Int32(0));
  });

  it('fails with TypeMismatch on a non-numeric field or argument', () => {
    expect(errorOf(() => update({ _id: 1, a: 'x' }, { $inc: { a: new Int32(1) } }))).toEqual({
      code: 14,
      message: "Cannot apply $inc to a value of non-numeric type. {_id: 1} has the field 'a' of non-numeric type string",
    });
    expect(errorOf(() => update({ a: 1 }, { $inc: { a: 'x' } })).code).toBe(14);
  });
});

describe('$set, $unset and field order', () => {
  it('appends new fields, creating subdocuments, and keeps existing positions', () => {
    const result = update({ _id: 1, a: 1, b: 2 }, { $set: { a: 10, z: 1, 'c.d': 2 } });
    expect(Object.keys(result)).toEqual(['_id', 'a', 'b', 'c', 'z']);
    expect(result).toEqual({ _id: 1, a: 10, b: 2, c: { d: 2 }, z: 1 });
  });

  it('sets array elements by index, padding with nulls', () => {
    expect(update({ a: [1] }, { $set: { 'a.3': 4 } })).toEqual({ a: [1, null, null, 4] });
    expect(update({ a: [{ b: 1 }, { b: 2 }] }, { $set: { 'a.1.b': 5 } })).toEqual({ a: [{ b: 1 }, { b: 5 }] });
  });

  it('cannot create a field inside a scalar', () => {
    expect(errorOf(() => update({ a: 5 }, { $set: { 'a.b': 1 } })).code).toBe(28);
  });

  it('$unset removes fields and nulls array elements; missing fields are a no-op', () => {
    expect(update({ a: 1, b: 2 }, { $unset: { a: '' } })).toEqual({ b: 2 });
    expect(update({ a: [1, 2, 3] }, { $unset: { 'a.1': 1 } })).toEqual({ a: [1, null, 3] });
    expect(applyUpdate({ a: 1 }, { $unset: { x: 1 } }).modified).toBe(false);
  });

  it('never mutates the input document', () => {
    const original = { _id: 1, a: { b: [1, 2], d: [{ e: 1 }] }, c: 1 };
    const snapshot = structuredClone(original);
    update(original, { $set: { 'a.b.0': 9, c: 2, 'a.d.0.e': 5 }, $push: { 'a.x': 3 }, $unset: { 'a.d.0.f': 1 } } as Document);
    update(original, { $pull: { 'a.b': 1 }, $pop: { 'a.d': 1 } } as Document);
    update(original, { $rename: { c: 'a.c' } } as Document);
    expect(original).toEqual(snapshot);
  });
});

describe('modified flag', () => {
  it('is false when $set writes the identical value', () => {
    expect(applyUpdate({ _id: 1, a: new Int32(1) }, { $set: { a: new Int32(1) } }).modified).toBe(false);
    expect(applyUpdate({ _id: 1, a: { b: [1] } }, { $set: { a: { b: [1] } } }).modified).toBe(false);
  });

  it('is true when only the BSON type changes', () => {
    expect(applyUpdate({ _id: 1, a: new Int32(1) }, { $set: { a: new Double(1) } }).modified).toBe(true);
  });

  it('is false for $addToSet of a present value and $inc by zero on an int', () => {
    expect(applyUpdate({ a: [1, 2] }, { $addToSet: { a: 2 } }).modified).toBe(false);
    expect(applyUpdate({ a: new Int32(2) }, { $inc: { a: new Int32(0) } }).modified).toBe(false);
  });
});

describe('array operators', () => {
  it('$push appends, and supports $each, $position, $sort and $slice', () => {
    expect(update({ a: [1] }, { $push: { a: 2 } })).toEqual({ a: [1, 2] });
    expect(update({}, { $push: { a: 1 } })).toEqual({ a: [1] });
    expect(update({ a: [1, 2] }, { $push: { a: { $each: [3, 4], $position: 0 } } })).toEqual({ a: [3, 4, 1, 2] });
    expect(update({ a: [5, 1] }, { $push: { a: { $each: [3], $sort: 1, $slice: 2 } } })).toEqual({ a: [1, 3] });
    expect(update({ a: [5, 1] }, { $push: { a: { $each: [3], $slice: -2 } } })).toEqual({ a: [1, 3] });
    expect(update({ s: [{ n: 2 }, { n: 9 }] }, { $push: { s: { $each: [{ n: 5 }], $sort: { n: -1 }, $slice: 2 } } })).toEqual({ s: [{ n: 9 }, { n: 5 }] });
    expect(update({ a: [1, 2, 3] }, { $push: { a: { $each: [9], $position: -1 } } })).toEqual({ a: [1, 2, 9, 3] });
  });

  it('$push fails on a non-array field', () => {
    expect(errorOf(() => update({ _id: 1, a: 1 }, { $push: { a: 2 } })).code).toBe(2);
  });

  it('$addToSet adds missing values only, comparing numbers across types', () => {
    expect(update({ a: [new Int32(1)] }, { $addToSet: { a: { $each: [new Double(1), 2, 2] } } })).toEqual({ a: [new Int32(1), 2] });
  });

  it('$pull removes values, operator matches and subdocument query matches', () => {
    expect(update({ a: [1, 2, 3, 2] }, { $pull: { a: 2 } })).toEqual({ a: [1, 3] });
    expect(update({ a: [1, 5, 8] }, { $pull: { a: { $gte: 5 } } })).toEqual({ a: [1] });
    expect(update({ a: [{ x: 1, y: 1 }, { x: 2 }] }, { $pull: { a: { x: 1 } } })).toEqual({ a: [{ x: 2 }] });
    expect(update({ a: ['apple', 'banana'] }, { $pull: { a: { $in: ['apple'] } } })).toEqual({ a: ['banana'] });
  });

  it('$pullAll removes every listed value; $pop removes from either end', () => {
    expect(update({ a: [1, 2, 3, 1] }, { $pullAll: { a: [1, 3] } })).toEqual({ a: [2] });
    expect(update({ a: [1, 2, 3] }, { $pop: { a: 1 } })).toEqual({ a: [1, 2] });
    expect(update({ a: [1, 2, 3] }, { $pop: { a: -1 } })).toEqual({ a: [2, 3] });
  });
});

describe('positional updates', () => {
  it('$ updates the first element the query matched', () => {
    const doc = { _id: 1, grades: [80, 85, 90] };
    expect(update(doc, { $set: { 'grades.$': 82 } }, { query: { _id: 1, grades: 85 } })).toEqual({ _id: 1, grades: [80, 82, 90] });
    const items = {
      items: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 1 },
      ],
    };
    expect(update(items, { $inc: { 'items.$.qty': new Int32(2) } }, { query: { 'items.sku': 'b' } }).items[1]).toEqual({ sku: 'b', qty: new Int32(3) });
    expect(update(items, { $set: { 'items.$.qty': 0 } }, { query: { items: { $elemMatch: { sku: 'a' } } } }).items[0].qty).toBe(0);
  });

  it('$ without a matching query clause fails', () => {
    expect(errorOf(() => update({ a: [1] }, { $set: { 'a.$': 2 } }, { query: {} })).message).toBe('The positional operator did not find the match needed from the query.');
  });

  it('$[] updates every element and $[id] the elements its array filter selects', () => {
    expect(update({ a: [1, 2, 3] }, { $inc: { 'a.$[]': new Int32(10) } })).toEqual({ a: [new Int32(11), new Int32(12), new Int32(13)] });
    const result = update({ a: [1, 5, 9] }, { $set: { 'a.$[big]': 0 } }, { arrayFilters: [{ big: { $gte: 5 } }] });
    expect(result).toEqual({ a: [1, 0, 0] });
    const nested = update(
      {
        s: [
          { g: 'x', n: 1 },
          { g: 'y', n: 1 },
        ],
      },
      { $set: { 's.$[e].n': 7 } },
      { arrayFilters: [{ 'e.g': 'y' }] },
    );
    expect(nested.s).toEqual([
      { g: 'x', n: 1 },
      { g: 'y', n: 7 },
    ]);
  });

  it('rejects a missing or an unused array filter', () => {
    expect(errorOf(() => update({ a: [1] }, { $set: { 'a.$[x]': 1 } })).message).toBe("No array filter found for identifier 'x' in path 'a.$[x]'");
    expect(errorOf(() => update({ a: [1] }, { $set: { a: [] } }, { arrayFilters: [{ x: 1 }] })).code).toBe(9);
  });
});

describe('other operators', () => {
  it('$rename moves a field to the end', () => {
    const result = update({ _id: 1, a: 1, b: 2 }, { $rename: { a: 'z' } });
    expect(result).toEqual({ _id: 1, b: 2, z: 1 });
    expect(Object.keys(result)).toEqual(['_id', 'b', 'z']);
    expect(update({ b: 2 }, { $rename: { a: 'x.y' } })).toEqual({ b: 2 });
  });

  it('$min and $max compare with the BSON order', () => {
    expect(update({ a: Long.fromNumber(10) }, { $min: { a: Long.fromNumber(5) } }).a).toEqual(Long.fromNumber(5));
    expect(update({ a: Long.fromNumber(10) }, { $max: { a: Long.fromNumber(5) } }).a).toEqual(Long.fromNumber(10));
    expect(update({}, { $max: { a: 1 } })).toEqual({ a: 1 });
  });

  it('$currentDate sets a date or a timestamp', () => {
    const result = update({}, { $currentDate: { d: true, t: { $type: 'timestamp' } } });
    expect(result.d).toBeInstanceOf(Date);
    expect(result.t).toBeInstanceOf(Timestamp);
  });

  it('$setOnInsert applies only on insert', () => {
    expect(update({ a: 1 }, { $setOnInsert: { b: 1 } })).toEqual({ a: 1 });
    expect(update({ a: 1 }, { $setOnInsert: { b: 1 } }, { isInsert: true })).toEqual({ a: 1, b: 1 });
  });

  it('$bit combines integers', () => {
    expect(update({ a: new Int32(13) }, { $bit: { a: { and: new Int32(10) } } }).a).toEqual(new Int32(8));
    expect(update({ a: new Int32(1) }, { $bit: { a: { or: Long.fromNumber(4) } } }).a).toEqual(Long.fromNumber(5));
  });
});

describe('validation errors', () => {
  it('rejects unknown modifiers with FailedToParse', () => {
    const error = errorOf(() => update({}, { $foo: { a: 1 } }));
    expect(error.code).toBe(9);
    expect(error.message).toMatch(/^Unknown modifier: \$foo/);
  });

  it('rejects conflicting paths', () => {
    expect(errorOf(() => update({}, { $set: { a: 1 }, $inc: { a: 1 } }))).toEqual({
      code: 40,
      message: "Updating the path 'a' would create a conflict at 'a'",
    });
    expect(errorOf(() => update({}, { $set: { 'a.b': 1 }, $unset: { a: 1 } })).code).toBe(40);
  });

  it('refuses to change _id', () => {
    expect(errorOf(() => update({ _id: 1 }, { $set: { _id: 2 } }))).toEqual({
      code: 66,
      message: "Performing an update on the path '_id' would modify the immutable field '_id'",
    });
    expect(errorOf(() => update({ _id: 1 }, { $unset: { _id: 1 } })).code).toBe(66);
    expect(errorOf(() => update({ _id: 1 }, { _id: 2, a: 1 })).code).toBe(66);
    expect(applyUpdate({ _id: 1, a: 1 }, { $set: { _id: 1, a: 2 } }).doc).toEqual({ _id: 1, a: 2 });
  });

  it('rejects a modifier whose operand is not a document', () => {
    expect(errorOf(() => update({}, { $set: 5 })).code).toBe(9);
  });

  it('rejects $-prefixed fields in a replacement', () => {
    expect(errorOf(() => update({ _id: 1 }, { a: 1, $set: { b: 1 } })).code).toBe(52);
  });
});

describe('replacement and pipeline updates', () => {
  it('replacement keeps _id first and drops the other fields', () => {
    const result = update({ _id: new Int32(7), a: 1, b: 2 }, { c: 3 });
    expect(result).toEqual({ _id: new Int32(7), c: 3 });
    expect(Object.keys(update({ _id: 1, a: 1 }, { c: 3, _id: 1 }))).toEqual(['_id', 'c']);
  });

  it('pipeline updates compute from the current document', () => {
    const result = update({ _id: 1, a: new Int32(2), b: new Int32(3) }, [{ $set: { sum: { $add: ['$a', '$b'] } } }, { $unset: 'b' }]);
    expect(result).toEqual({ _id: 1, a: new Int32(2), sum: new Int32(5) });
  });

  it('pipeline updates that drop _id keep the original _id', () => {
    expect(update({ _id: 1, a: { b: 2 } }, [{ $replaceWith: '$a' }])).toEqual({ _id: 1, b: 2 });
    expect(() => update({ _id: 1 }, [{ $set: { _id: 2 } }])).toThrow(MongoCommandError);
  });

  it('pipeline updates accept only the update stages', () => {
    expect(() => update({ _id: 1 }, [{ $group: { _id: null } }])).toThrow(MongoCommandError);
  });
});

describe('buildUpsertDocument', () => {
  it('seeds the document from the query equalities and applies the update as an insert', () => {
    const id = new ObjectId();
    const result = buildUpsertDocument({ _id: id, status: 'new', 'owner.name': 'x', n: { $gt: 5 }, k: { $eq: 1 } }, { $set: { a: 1 }, $setOnInsert: { created: true }, $inc: { c: new Int32(1) } });
    expect(result).toEqual({ _id: id, status: 'new', owner: { name: 'x' }, k: 1, a: 1, c: new Int32(1), created: true });
    expect(Object.keys(result)[0]).toBe('_id');
  });

  it('uses only the query _id for a replacement upsert', () => {
    expect(buildUpsertDocument({ _id: 5, a: 1 }, { b: 2 })).toEqual({ _id: 5, b: 2 });
  });

  it('treats a one-element $in as an equality and ignores regexes', () => {
    expect(buildUpsertDocument({ a: { $in: [5] }, b: { $in: [1, 2] }, c: /x/ }, { $set: { d: 1 } })).toEqual({ a: 5, d: 1 });
  });

  it('keeps equality fields from $and', () => {
    expect(buildUpsertDocument({ $and: [{ a: 1 }, { b: 2 }] }, { $set: { c: 3 } })).toEqual({ a: 1, b: 2, c: 3 });
  });
});

describe('update path edge cases', () => {
  it('pads arrays for $inc past the end and unsets inside array elements', () => {
    expect(update({ a: [1] }, { $inc: { 'a.3': new Int32(1) } })).toEqual({ a: [1, null, null, new Int32(1)] });
    expect(update({ a: [{ b: 1, c: 2 }] }, { $unset: { 'a.0.b': 1 } })).toEqual({ a: [{ c: 2 }] });
  });

  it('cannot create a named field inside an array', () => {
    expect(errorOf(() => update({ a: [1] }, { $set: { 'a.b': 1 } })).code).toBe(28);
  });

  it('$push through $[] reaches every element', () => {
    expect(update({ a: [{ b: [] }, { b: [0] }] }, { $push: { 'a.$[].b': 1 } })).toEqual({ a: [{ b: [1] }, { b: [0, 1] }] });
  });

  it('orders new fields by path, as MongoDB 5.0+ does', () => {
    expect(Object.keys(update({ _id: 1 }, { $set: { b: 1, a: 1 }, $inc: { c: new Int32(1) } }))).toEqual(['_id', 'a', 'b', 'c']);
  });

  it('treats an empty operator document as a no-op (MongoDB 5.0+)', () => {
    expect(applyUpdate({ _id: 1, a: 1 }, { $set: {} })).toEqual({ doc: { _id: 1, a: 1 }, modified: false });
  });

  it('treats an empty update document as a replacement keeping only _id', () => {
    expect(update({ _id: 1, a: 1 }, {})).toEqual({ _id: 1 });
  });
});
