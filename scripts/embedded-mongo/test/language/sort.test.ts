import { Decimal128, Int32, Long, MinKey } from 'bson';
import type { Document } from 'bson';
import { describe, expect, it } from 'vitest';
import { compileSort } from '../../src/language/index.js';
import { MongoCommandError } from '../../src/errors.js';

function sortedIds(docs: Document[], spec: Document): unknown[] {
  return [...docs].sort(compileSort(spec)).map((doc) => doc._id);
}

describe('compileSort', () => {
  it('orders numbers by value across types, Longs numerically', () => {
    const docs = [
      { _id: 'ten', n: Long.fromNumber(10) },
      { _id: 'five', n: Long.fromNumber(5) },
      { _id: 'seven', n: Decimal128.fromString('7') },
      { _id: 'six', n: new Int32(6) },
    ];
    expect(sortedIds(docs, { n: 1 })).toEqual(['five', 'six', 'seven', 'ten']);
    expect(sortedIds(docs, { n: -1 })).toEqual(['ten', 'seven', 'six', 'five']);
  });

  it('sorts missing as null, before numbers, and empty arrays before null', () => {
    const docs = [{ _id: 'num', a: 1 }, { _id: 'missing' }, { _id: 'empty', a: [] }, { _id: 'str', a: 'x' }];
    expect(sortedIds(docs, { a: 1 })).toEqual(['empty', 'missing', 'num', 'str']);
  });

  it('uses the smallest array element ascending and the largest descending', () => {
    const docs = [
      { _id: 'A', a: [1, 9] },
      { _id: 'B', a: [5] },
    ];
    expect(sortedIds(docs, { a: 1 })).toEqual(['A', 'B']);
    expect(sortedIds(docs, { a: -1 })).toEqual(['A', 'B']);
    expect(
      sortedIds(
        [
          { _id: 'A', a: [1, 4] },
          { _id: 'B', a: [5] },
        ],
        { a: -1 },
      ),
    ).toEqual(['B', 'A']);
  });

  it('sorts by dotted paths through arrays of subdocuments', () => {
    const docs = [
      { _id: 'A', s: [{ v: 3 }, { v: 8 }] },
      { _id: 'B', s: [{ v: 5 }] },
    ];
    expect(sortedIds(docs, { 's.v': 1 })).toEqual(['A', 'B']);
    expect(sortedIds(docs, { 's.v': -1 })).toEqual(['A', 'B']);
  });

  it('breaks ties with later keys', () => {
    const docs = [
      { _id: 1, a: 1, b: 2 },
      { _id: 2, a: 1, b: 1 },
      { _id: 3, a: 0, b: 9 },
    ];
    expect(sortedIds(docs, { a: 1, b: -1 })).toEqual([3, 1, 2]);
  });

  it('places MinKey before empty arrays', () => {
    expect(
      sortedIds(
        [
          { _id: 'e', a: [] },
          { _id: 'm', a: new MinKey() },
        ],
        { a: 1 },
      ),
    ).toEqual(['m', 'e']);
  });

  it('rejects bad directions and $meta', () => {
    expect(() => compileSort({ a: 2 })).toThrow(MongoCommandError);
    expect(() => compileSort({ a: { $meta: 'textScore' } })).toThrow(/not supported/);
  });
});
