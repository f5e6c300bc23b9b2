import { Int32 } from 'bson';
import { describe, expect, it } from 'vitest';
import { getPath, indexKeysFor } from '../../src/language/index.js';
import { MongoCommandError } from '../../src/errors.js';

describe('indexKeysFor', () => {
  it('gives one key per document for scalar fields, null for missing ones', () => {
    expect(indexKeysFor({ a: 1, b: 'x' }, { a: 1, b: -1 })).toEqual([[1, 'x']]);
    expect(indexKeysFor({ a: 1 }, { a: 1, b: 1 })).toEqual([[1, null]]);
  });

  it('gives one key per distinct array element (multikey)', () => {
    expect(indexKeysFor({ a: [1, 2, 2], b: 5 }, { a: 1, b: 1 })).toEqual([
      [1, 5],
      [2, 5],
    ]);
    expect(indexKeysFor({ a: [{ b: 1 }, { b: 2 }, { c: 3 }] }, { 'a.b': 1 })).toEqual([[1], [2], [null]]);
  });

  it('indexes an empty array as undefined', () => {
    expect(indexKeysFor({ a: [] }, { a: 1 })).toEqual([[undefined]]);
  });

  it('refuses to index parallel arrays', () => {
    expect(() => indexKeysFor({ a: [1], b: [2] }, { a: 1, b: 1 })).toThrow(MongoCommandError);
  });

  it('keeps the BSON value', () => {
    expect(indexKeysFor({ a: { x: new Int32(1) } }, { 'a.x': 1 })).toEqual([[new Int32(1)]]);
  });
});

describe('getPath', () => {
  it('reads dotted paths without array expansion', () => {
    expect(getPath({ a: { b: 1 } }, 'a.b')).toBe(1);
    expect(getPath({ a: [{ b: 1 }] }, 'a.0.b')).toBe(1);
    expect(getPath({ a: [{ b: 1 }] }, 'a.b')).toBeUndefined();
    expect(getPath({ a: 1 }, 'a.b')).toBeUndefined();
    expect(getPath({}, 'constructor')).toBeUndefined();
  });
});
