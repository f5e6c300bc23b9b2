import { Binary, BSONRegExp, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import type { Document } from 'bson';
import { compileFilter } from '../../src/language/index.js';
import { MongoCommandError } from '../../src/errors.js';

function matches(filter: Document, doc: Document): boolean {
  return compileFilter(filter)(doc);
}

function errorOf(action: () => unknown): { code: number; message: string } {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(MongoCommandError);
    return { code: (error as MongoCommandError).code, message: (error as Error).message };
  }
  throw new Error('expected an error');
}

describe('equality', () => {
  it('matches numbers across Int32, Long, Double and Decimal128', () => {
    for (const stored of [new Int32(1), Long.fromNumber(1), new Double(1), Decimal128.fromString('1.0')]) {
      expect(matches({ a: 1 }, { a: stored })).toBe(true);
      expect(matches({ a: new Int32(1) }, { a: stored })).toBe(true);
      expect(matches({ a: Long.fromNumber(1) }, { a: stored })).toBe(true);
    }
    expect(matches({ a: 1 }, { a: new Int32(2) })).toBe(false);
    expect(matches({ a: 1 }, { a: '1' })).toBe(false);
  });

  it('matches an array field when any element or the whole array equals the value', () => {
    expect(matches({ a: 5 }, { a: [1, 5] })).toBe(true);
    expect(matches({ a: [1, 5] }, { a: [1, 5] })).toBe(true);
    expect(matches({ a: [1, 5] }, { a: [[1, 5], 2] })).toBe(true);
    expect(matches({ a: [5, 1] }, { a: [1, 5] })).toBe(false);
  });

  it('traverses arrays of subdocuments along dotted paths', () => {
    const doc = { a: [{ b: new Int32(1) }, { b: new Int32(2) }] };
    expect(matches({ 'a.b': 2 }, doc)).toBe(true);
    expect(matches({ 'a.b': 3 }, doc)).toBe(false);
    expect(matches({ 'a.b.c': 1 }, { a: [{ b: [{ c: 0 }, { c: 1 }] }] })).toBe(true);
  });

  it('uses numeric path components as array indexes', () => {
    const doc = { a: [{ b: 1 }, { b: 2 }], c: [10, 20] };
    expect(matches({ 'a.1.b': 2 }, doc)).toBe(true);
    expect(matches({ 'a.0.b': 2 }, doc)).toBe(false);
    expect(matches({ 'c.1': 20 }, doc)).toBe(true);
  });

  it('matches null against null and missing fields, but not against other values', () => {
    expect(matches({ a: null }, {})).toBe(true);
    expect(matches({ a: null }, { a: null })).toBe(true);
    expect(matches({ a: null }, { a: 0 })).toBe(false);
    expect(matches({ 'a.b': null }, { a: [{ b: 1 }, { c: 1 }] })).toBe(true);
    expect(matches({ 'a.b': null }, { a: [{ b: 1 }] })).toBe(false);
  });

  it('matches subdocuments exactly, field order included', () => {
    expect(matches({ a: { x: 1, y: 2 } }, { a: { x: 1, y: 2 } })).toBe(true);
    expect(matches({ a: { x: 1, y: 2 } }, { a: { y: 2, x: 1 } })).toBe(false);
    expect(matches({ a: { x: 1 } }, { a: { x: 1, y: 2 } })).toBe(false);
  });

  it('matches ObjectId and Binary by bytes', () => {
    const id = new ObjectId();
    expect(matches({ _id: id }, { _id: new ObjectId(id.toHexString()) })).toBe(true);
    expect(matches({ _id: id }, { _id: new ObjectId() })).toBe(false);
    expect(matches({ b: new Binary(Buffer.from([1, 2])) }, { b: new Binary(Buffer.from([1, 2])) })).toBe(true);
    expect(matches({ b: new Binary(Buffer.from([1, 2])) }, { b: new Binary(Buffer.from([1, 3])) })).toBe(false);
  });

  it('does not resolve field names through Object.prototype', () => {
    expect(matches({ constructor: null }, {})).toBe(true);
    expect(matches({ toString: { $exists: true } }, {})).toBe(false);
  });
});

describe('comparison operators', () => {
  it('compare Longs numerically (Long(5) < Long(10))', () => {
    expect(matches({ a: { $lt: Long.fromNumber(10) } }, { a: Long.fromNumber(5) })).toBe(true);
    expect(matches({ a: { $gt: Long.fromNumber(10) } }, { a: Long.fromNumber(5) })).toBe(false);
    expect(matches({ a: { $gte: new Double(4.5) } }, { a: Long.fromNumber(5) })).toBe(true);
  });

  it('only match values of the same type bracket', () => {
    expect(matches({ a: { $gt: 1 } }, { a: 'zzz' })).toBe(false);
    expect(matches({ a: { $lt: 'a' } }, { a: 5 })).toBe(false);
    expect(matches({ a: { $gt: 1 } }, {})).toBe(false);
    expect(matches({ a: { $gte: new Date(0) } }, { a: new Date(5) })).toBe(true);
  });

  it('match when any array element satisfies the bound', () => {
    expect(matches({ a: { $gt: 4 } }, { a: [1, 5] })).toBe(true);
    expect(matches({ a: { $gt: 5 } }, { a: [1, 5] })).toBe(false);
  });

  it('treat $gte/$lte null as matching null and missing', () => {
    expect(matches({ a: { $gte: null } }, {})).toBe(true);
    expect(matches({ a: { $lte: null } }, { a: null })).toBe(true);
    expect(matches({ a: { $gt: null } }, { a: null })).toBe(false);
  });

  it('never order NaN against other numbers', () => {
    expect(matches({ a: { $lt: 0 } }, { a: new Double(NaN) })).toBe(false);
    expect(matches({ a: { $gt: new Double(NaN) } }, { a: 5 })).toBe(false);
    expect(matches({ a: { $gte: new Double(NaN) } }, { a: new Double(NaN) })).toBe(true);
    expect(matches({ a: new Double(NaN) }, { a: Decimal128.fromString('NaN') })).toBe(true);
  });

  it('compare across all types with MinKey and MaxKey operands', () => {
    expect(matches({ a: { $gt: new MinKey() } }, { a: 'x' })).toBe(true);
    expect(matches({ a: { $lt: new MaxKey() } }, { a: { b: 1 } })).toBe(true);
  });
});

describe('$ne, $in, $nin', () => {
  it('$ne rejects arrays containing the value and accepts missing fields', () => {
    expect(matches({ a: { $ne: 5 } }, { a: [1, 5] })).toBe(false);
    expect(matches({ a: { $ne: 5 } }, { a: [1, 2] })).toBe(true);
    expect(matches({ a: { $ne: 5 } }, {})).toBe(true);
    expect(matches({ a: { $ne: null } }, {})).toBe(false);
  });

  it('$in matches any member, numbers across types, regex members by pattern, null members missing fields', () => {
    expect(matches({ a: { $in: [1, 'x'] } }, { a: Long.fromNumber(1) })).toBe(true);
    expect(matches({ a: { $in: [/^ab/] } }, { a: 'abc' })).toBe(true);
    expect(matches({ a: { $in: [/^ab/] } }, { a: 'xabc' })).toBe(false);
    expect(matches({ a: { $in: [null] } }, {})).toBe(true);
    expect(matches({ a: { $in: [2, 3] } }, { a: [1, 3] })).toBe(true);
    expect(matches({ a: { $in: [] } }, { a: 1 })).toBe(false);
  });

  it('$nin is the negation of $in over the whole field', () => {
    expect(matches({ a: { $nin: [1, 2] } }, { a: [3, 2] })).toBe(false);
    expect(matches({ a: { $nin: [1, 2] } }, {})).toBe(true);
    expect(matches({ a: { $nin: [null] } }, {})).toBe(false);
  });

  it('rejects a non-array $in', () => {
    expect(errorOf(() => compileFilter({ a: { $in: 5 } }))).toEqual({ code: 2, message: '$in needs an array' });
  });
});

describe('array operators', () => {
  it('$elemMatch needs one element to satisfy every condition', () => {
    const doc = {
      a: [
        { x: 1, y: 5 },
        { x: 5, y: 1 },
      ],
    };
    expect(matches({ a: { $elemMatch: { x: 1, y: 5 } } }, doc)).toBe(true);
    expect(matches({ a: { $elemMatch: { x: 5, y: 5 } } }, doc)).toBe(false);
    // Without $elemMatch the conditions may be met by different elements.
    expect(matches({ 'a.x': 5, 'a.y': 5 }, doc)).toBe(true);
    expect(matches({ s: { $elemMatch: { $gt: 2, $lt: 4 } } }, { s: [1, 3, 5] })).toBe(true);
    expect(matches({ s: { $elemMatch: { $gt: 3, $lt: 4 } } }, { s: [1, 3, 5] })).toBe(false);
    expect(matches({ s: { $elemMatch: { $gt: 0 } } }, { s: 5 })).toBe(false);
  });

  it('$size matches the exact array length', () => {
    expect(matches({ a: { $size: 2 } }, { a: [1, 2] })).toBe(true);
    expect(matches({ a: { $size: 2 } }, { a: [1] })).toBe(false);
    expect(matches({ a: { $size: 0 } }, {})).toBe(false);
    expect(matches({ a: { $size: new Int32(1) } }, { a: [[1, 2]] })).toBe(true);
  });

  it('$all needs every value present, and works with $elemMatch members', () => {
    expect(matches({ a: { $all: [1, 3] } }, { a: [3, 2, 1] })).toBe(true);
    expect(matches({ a: { $all: [1, 4] } }, { a: [3, 2, 1] })).toBe(false);
    expect(matches({ a: { $all: [] } }, { a: [1] })).toBe(false);
    expect(matches({ a: { $all: [{ $elemMatch: { x: 1 } }, { $elemMatch: { x: 2 } }] } }, { a: [{ x: 1 }, { x: 2 }] })).toBe(true);
  });
});

describe('$exists and $type', () => {
  it('$exists checks presence, including null values and through arrays', () => {
    expect(matches({ a: { $exists: true } }, { a: null })).toBe(true);
    expect(matches({ a: { $exists: false } }, {})).toBe(true);
    expect(matches({ a: { $exists: false } }, { a: 1 })).toBe(false);
    expect(matches({ 'a.b': { $exists: true } }, { a: [{ c: 1 }, { b: 2 }] })).toBe(true);
    expect(matches({ 'a.b': { $exists: true } }, { a: [{ c: 1 }] })).toBe(false);
    expect(matches({ a: { $exists: 0 } }, {})).toBe(true);
  });

  it('$type accepts aliases, numeric codes, "number" and arrays of them', () => {
    expect(matches({ a: { $type: 'long' } }, { a: Long.fromNumber(1) })).toBe(true);
    expect(matches({ a: { $type: 'int' } }, { a: Long.fromNumber(1) })).toBe(false);
    expect(matches({ a: { $type: 18 } }, { a: Long.fromNumber(1) })).toBe(true);
    expect(matches({ a: { $type: new Int32(16) } }, { a: new Int32(1) })).toBe(true);
    expect(matches({ a: { $type: 'number' } }, { a: Decimal128.fromString('1') })).toBe(true);
    expect(matches({ a: { $type: 'number' } }, { a: '1' })).toBe(false);
    expect(matches({ a: { $type: ['string', 'double'] } }, { a: new Double(1) })).toBe(true);
    expect(matches({ a: { $type: 'array' } }, { a: [] })).toBe(true);
    expect(matches({ a: { $type: 'string' } }, { a: [1, 'x'] })).toBe(true);
    expect(matches({ a: { $type: 'null' } }, {})).toBe(false);
    expect(matches({ a: { $type: 'binData' } }, { a: new Binary(Buffer.from([1])) })).toBe(true);
    expect(matches({ a: { $type: 'decimal' } }, { a: Decimal128.fromString('1') })).toBe(true);
  });

  it('$type rejects unknown aliases and codes', () => {
    expect(errorOf(() => compileFilter({ a: { $type: 'integer' } }))).toEqual({ code: 2, message: 'Unknown type name alias: integer' });
    expect(errorOf(() => compileFilter({ a: { $type: 99 } })).code).toBe(2);
  });
});

describe('$regex, $not, $mod', () => {
  it('$regex honours $options and plain regex values', () => {
    expect(matches({ a: { $regex: '^ab', $options: 'i' } }, { a: 'ABC' })).toBe(true);
    expect(matches({ a: { $regex: '^ab' } }, { a: 'ABC' })).toBe(false);
    expect(matches({ a: /^a.c$/s }, { a: 'a\nc' })).toBe(true);
    expect(matches({ a: new BSONRegExp('b', 'i') }, { a: ['x', 'aBc'] })).toBe(true);
    expect(matches({ a: { $regex: 'a b # comment', $options: 'x' } }, { a: 'ab' })).toBe(true);
    expect(matches({ a: /1/ }, { a: 1 })).toBe(false);
  });

  it('$not negates an operator expression or a regex, matching missing fields', () => {
    expect(matches({ a: { $not: { $gt: 5 } } }, { a: 3 })).toBe(true);
    expect(matches({ a: { $not: { $gt: 5 } } }, { a: 7 })).toBe(false);
    expect(matches({ a: { $not: { $gt: 5 } } }, {})).toBe(true);
    expect(matches({ a: { $not: /^x/ } }, { a: 'xy' })).toBe(false);
  });

  it('$mod truncates and compares the remainder, on any numeric type', () => {
    expect(matches({ a: { $mod: [4, 1] } }, { a: Long.fromNumber(9) })).toBe(true);
    expect(matches({ a: { $mod: [4, 1] } }, { a: new Double(9.9) })).toBe(true);
    expect(matches({ a: { $mod: [4, 1] } }, { a: '9' })).toBe(false);
    expect(errorOf(() => compileFilter({ a: { $mod: [0, 1] } }))).toEqual({ code: 2, message: 'divisor cannot be 0' });
    expect(errorOf(() => compileFilter({ a: { $mod: [4] } })).message).toBe('malformed mod, not enough elements');
  });
});

describe('logical operators', () => {
  it('$and, $or and $nor combine clauses', () => {
    const doc = { a: 1, b: 2 };
    expect(matches({ $and: [{ a: 1 }, { b: 2 }] }, doc)).toBe(true);
    expect(matches({ $or: [{ a: 2 }, { b: 2 }] }, doc)).toBe(true);
    expect(matches({ $or: [{ a: 2 }, { b: 3 }] }, doc)).toBe(false);
    expect(matches({ $nor: [{ a: 2 }, { b: 3 }] }, doc)).toBe(true);
    expect(matches({ $nor: [{ a: 1 }] }, doc)).toBe(false);
  });

  it('rejects empty or non-array logical operands', () => {
    expect(errorOf(() => compileFilter({ $or: [] }))).toEqual({ code: 2, message: '$or must be a nonempty array' });
    expect(errorOf(() => compileFilter({ $and: {} })).code).toBe(2);
  });

  it('$expr evaluates an aggregation expression against the document', () => {
    expect(matches({ $expr: { $gt: ['$spent', '$budget'] } }, { spent: Long.fromNumber(10), budget: Long.fromNumber(5) })).toBe(true);
    expect(matches({ $expr: { $gt: ['$spent', '$budget'] } }, { spent: Long.fromNumber(5), budget: Long.fromNumber(10) })).toBe(false);
    expect(matches({ $expr: { $eq: [{ $add: ['$a', 1] }, 3] } }, { a: new Int32(2) })).toBe(true);
  });

  it('$sampleRate 0 matches nothing and 1 everything', () => {
    expect(matches({ $sampleRate: 0 }, { a: 1 })).toBe(false);
    expect(matches({ $sampleRate: 1 }, { a: 1 })).toBe(true);
  });

  it('evaluates the wallet hold condition exactly on Long and Decimal128 balances', () => {
    const canHold = compileFilter({ _id: 'w1', $expr: { $gte: [{ $subtract: ['$balance', '$lockedBalance'] }, Long.fromBigInt(2n ** 53n)] } });
    expect(canHold({ _id: 'w1', balance: Long.fromBigInt(2n ** 53n + 1n), lockedBalance: Long.fromNumber(1) })).toBe(true);
    expect(canHold({ _id: 'w1', balance: Long.fromBigInt(2n ** 53n + 1n), lockedBalance: Long.fromNumber(2) })).toBe(false);
    const decimal = compileFilter({ $expr: { $gte: [{ $subtract: ['$balance', '$lockedBalance'] }, Decimal128.fromString('0.3')] } });
    expect(decimal({ balance: Decimal128.fromString('0.5'), lockedBalance: Decimal128.fromString('0.2') })).toBe(true);
    expect(decimal({ balance: Decimal128.fromString('0.5'), lockedBalance: Decimal128.fromString('0.21') })).toBe(false);
    // A missing locked balance makes $subtract null, which is below every number.
    expect(decimal({ balance: Decimal128.fromString('0.5') })).toBe(false);
  });

  it('ignores $comment', () => {
    expect(matches({ a: 1, $comment: 'why' }, { a: 1 })).toBe(true);
  });
});

describe('errors', () => {
  it('names unknown operators with BadValue', () => {
    expect(errorOf(() => compileFilter({ a: { $foo: 1 } }))).toEqual({ code: 2, message: 'unknown operator: $foo' });
    expect(errorOf(() => compileFilter({ $foo: 1 })).message).toMatch(/^unknown top level operator: \$foo/);
    expect(errorOf(() => compileFilter({ a: { $gt: 1, b: 1 } })).message).toBe('unknown operator: b');
  });

  it('fails loudly on real operators the engine does not implement', () => {
    for (const filter of [{ $where: 'true' }, { $text: { $search: 'x' } }, { a: { $near: [0, 0] } }, { a: { $geoWithin: {} } }]) {
      const error = errorOf(() => compileFilter(filter));
      expect(error.code).toBe(238);
      expect(error.message).toContain(Object.keys(filter)[0] === 'a' ? Object.keys((filter as { a: object }).a)[0] : Object.keys(filter)[0]);
    }
  });
});

describe('array edge cases', () => {
  it('matches whole-array operands of $all and $in', () => {
    expect(matches({ a: { $all: [[1, 2]] } }, { a: [[1, 2], 3] })).toBe(true);
    expect(matches({ a: { $in: [[1, 2]] } }, { a: [1, 2] })).toBe(true);
  });

  it('negates across every element reached through an array of subdocuments', () => {
    expect(matches({ 'a.b': { $ne: 1 } }, { a: [{ b: 1 }, { b: 2 }] })).toBe(false);
    expect(matches({ 'a.b': { $nin: [3] } }, { a: [{ b: 1 }, { b: 2 }] })).toBe(true);
  });

  it('reads a numeric component as a field of subdocument elements too', () => {
    expect(matches({ 'a.1': 5 }, { a: [{ 1: 5 }] })).toBe(true);
  });

  it('does not expand nested arrays implicitly', () => {
    expect(matches({ a: 1 }, { a: [[1]] })).toBe(false);
    expect(matches({ a: [1] }, { a: [[1]] })).toBe(true);
  });

  it('keeps booleans apart from numbers', () => {
    expect(matches({ a: true }, { a: 1 })).toBe(false);
    expect(matches({ a: 1 }, { a: true })).toBe(false);
  });

  it('combines $exists with $ne null', () => {
    expect(matches({ a: { $exists: true, $ne: null } }, { a: null })).toBe(false);
    expect(matches({ a: { $exists: true, $ne: null } }, { a: 0 })).toBe(true);
  });

  it('applies $not to $in and $size 0 to empty arrays', () => {
    expect(matches({ a: { $not: { $in: [1, 2] } } }, { a: 3 })).toBe(true);
    expect(matches({ a: { $size: 0 } }, { a: [] })).toBe(true);
  });
});

describe('bitwise operators', () => {
  it('test bit masks given as numbers, positions or binData against integers and binData', () => {
    const doc = { a: new Int32(54), b: new Binary(Buffer.from([0x36])), n: new Int32(-1) }; // 54 = 0b110110
    expect(matches({ a: { $bitsAllSet: 50 } }, doc)).toBe(true); // 0b110010
    expect(matches({ a: { $bitsAllSet: [1, 5] } }, doc)).toBe(true);
    expect(matches({ a: { $bitsAllSet: [0] } }, doc)).toBe(false);
    expect(matches({ a: { $bitsAnySet: [0, 1] } }, doc)).toBe(true);
    expect(matches({ a: { $bitsAllClear: [0, 3] } }, doc)).toBe(true);
    expect(matches({ a: { $bitsAnyClear: [1, 2] } }, doc)).toBe(false);
    expect(matches({ b: { $bitsAllSet: [1, 2, 4, 5] } }, doc)).toBe(true);
    expect(matches({ a: { $bitsAllSet: new Binary(Buffer.from([0x32])) } }, doc)).toBe(true);
    expect(matches({ n: { $bitsAllSet: [0, 63, 200] } }, doc)).toBe(true);
    expect(matches({ a: { $bitsAllSet: 1 } }, { a: new Double(1.5) })).toBe(false);
    expect(matches({ a: { $bitsAllSet: 1 } }, { a: 'x' })).toBe(false);
  });
});

describe('$jsonSchema', () => {
  const schema = {
    bsonType: 'object',
    required: ['name', 'balance'],
    properties: {
      name: { bsonType: 'string', minLength: 2, pattern: '^[a-z]+$' },
      balance: { bsonType: ['long', 'decimal'], minimum: 0 },
      tags: { bsonType: 'array', items: { type: 'string' }, uniqueItems: true, maxItems: 2 },
      kind: { enum: ['a', 'b'] },
    },
    additionalProperties: false,
    patternProperties: { '^_': {} },
  };

  it('accepts documents that satisfy the schema', () => {
    expect(matches({ $jsonSchema: schema }, { _id: 1, name: 'ann', balance: Long.fromNumber(5), tags: ['x'], kind: 'a' })).toBe(true);
  });

  it('rejects each kind of violation', () => {
    const valid = { _id: 1, name: 'ann', balance: Long.fromNumber(5) };
    for (const doc of [
      { _id: 1, name: 'ann' },
      { ...valid, name: 'A' },
      { ...valid, balance: Long.fromNumber(-1) },
      { ...valid, balance: new Int32(5) },
      { ...valid, tags: ['x', 'x'] },
      { ...valid, tags: ['x', 'y', 'z'] },
      { ...valid, tags: [1] },
      { ...valid, kind: 'c' },
      { ...valid, extra: true },
    ]) {
      expect(matches({ $jsonSchema: schema }, doc), JSON.stringify(Object.keys(doc))).toBe(false);
    }
  });

  it('rejects unknown keywords', () => {
    expect(errorOf(() => compileFilter({ $jsonSchema: { bogus: 1 } })).code).toBe(2);
  });
});
