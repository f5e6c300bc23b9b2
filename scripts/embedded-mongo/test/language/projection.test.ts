import { Int32 } from 'bson';
import { describe, expect, it } from 'vitest';
import { compileProjection } from '../../src/language/index.js';
import { MongoCommandError } from '../../src/errors.js';

const doc = { _id: 1, a: 1, b: { c: 2, d: 3 }, e: [{ f: 1, g: 2 }, { f: 3, g: 4 }, 7], list: [1, 2, 3, 4, 5] };

describe('compileProjection', () => {
  it('includes fields in document order, with _id unless excluded', () => {
    expect(compileProjection({ b: 1, a: 1 })(doc)).toEqual({ _id: 1, a: 1, b: { c: 2, d: 3 } });
    expect(Object.keys(compileProjection({ b: 1, a: 1 })(doc))).toEqual(['_id', 'a', 'b']);
    expect(compileProjection({ a: 1, _id: 0 })(doc)).toEqual({ a: 1 });
  });

  it('includes dotted paths through subdocuments and arrays, dropping scalars in arrays', () => {
    expect(compileProjection({ 'b.c': 1, 'e.f': 1 })(doc)).toEqual({ _id: 1, b: { c: 2 }, e: [{ f: 1 }, { f: 3 }] });
  });

  it('excludes fields, dotted paths included', () => {
    expect(compileProjection({ a: 0, 'b.d': 0, 'e.g': 0, list: 0 })(doc)).toEqual({ _id: 1, b: { c: 2 }, e: [{ f: 1 }, { f: 3 }, 7] });
    expect(compileProjection({ _id: 0 })(doc)).not.toHaveProperty('_id');
  });

  it('rejects mixing inclusion and exclusion', () => {
    expect(() => compileProjection({ a: 1, b: 0 })).toThrow(MongoCommandError);
    try {
      compileProjection({ a: 1, b: 0 });
    } catch (error) {
      expect((error as MongoCommandError).code).toBe(31254);
    }
  });

  it('applies $slice with a count or [skip, limit]', () => {
    expect(compileProjection({ list: { $slice: 2 } })(doc).list).toEqual([1, 2]);
    expect(compileProjection({ list: { $slice: -2 } })(doc).list).toEqual([4, 5]);
    expect(compileProjection({ list: { $slice: [1, 2] } })(doc).list).toEqual([2, 3]);
    // $slice alone keeps every other field.
    expect(compileProjection({ list: { $slice: 1 } })(doc).a).toBe(1);
    expect(compileProjection({ a: 1, list: { $slice: 1 } })(doc)).toEqual({ _id: 1, a: 1, list: [1] });
  });

  it('applies $slice to a nested array', () => {
    const nested = { _id: 1, a: { list: [1, 2, 3], x: 1 } };
    expect(compileProjection({ 'a.list': { $slice: -1 } })(nested)).toEqual({ _id: 1, a: { list: [3], x: 1 } });
    expect(nested.a.list).toEqual([1, 2, 3]);
  });

  it('applies $elemMatch, keeping the first matching element', () => {
    expect(compileProjection({ e: { $elemMatch: { f: { $gt: 1 } } } })(doc).e).toEqual([{ f: 3, g: 4 }]);
    expect(compileProjection({ e: { $elemMatch: { f: 99 } } })(doc)).not.toHaveProperty('e');
    // Like an inclusion: other fields are dropped.
    expect(compileProjection({ e: { $elemMatch: { f: 1 } } })(doc)).toEqual({ _id: 1, e: [{ f: 1, g: 2 }] });
  });

  it('applies the positional projection from the query', () => {
    expect(compileProjection({ 'list.$': 1 }, { list: { $gte: 3 } })(doc)).toEqual({ _id: 1, list: [3] });
  });

  it('computes expression fields', () => {
    expect(compileProjection({ total: { $add: ['$a', new Int32(10)] }, a: 1 })(doc)).toEqual({ _id: 1, a: 1, total: new Int32(11) });
    expect(compileProjection({ copy: '$b.c' })(doc)).toEqual({ _id: 1, copy: 2 });
  });

  it('treats an empty projection as the whole document', () => {
    expect(compileProjection({})(doc)).toEqual(doc);
  });
});

describe('field names that are Object.prototype members', () => {
  it('keeps a stored __proto__ field as data, never as a prototype', async () => {
    const { deserialize, serialize } = await import('bson');
    const stored = deserialize(serialize({ _id: 1, ['__proto__']: { polluted: true }, a: 1 } as never), { promoteValues: false });
    const projected = compileProjection({ a: 0 })(stored);
    expect(Object.getPrototypeOf(projected)).toBe(Object.prototype);
    expect(Object.hasOwn(projected, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
