import { Decimal128, Double, Int32, Long } from 'bson';
import type { Document } from 'bson';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyUpdate, bsonTypeAlias, compareValues, compileFilter, compileSort, valuesEqual } from '../../src/language/index.js';

const int32 = fc.integer().map((n) => new Int32(n));
const long = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => Long.fromBigInt(n));
const smallLong = fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }).map((n) => Long.fromBigInt(n));
const double = fc.double({ noNaN: true }).map((n) => new Double(n));
const decimal = fc.tuple(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.integer({ min: -5, max: 5 })).map(([c, e]) => Decimal128.fromString(`${c}E${e}`));
const anyNumber = fc.oneof(
  int32,
  long,
  double,
  decimal,
  fc.integer({ min: -5, max: 5 }).map((n) => new Int32(n)),
);

function exactValue(value: unknown): bigint {
  return bsonTypeAlias(value) === 'long' ? (value as Long).toBigInt() : BigInt((value as Int32).value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && (Array.isArray(value) || (value as { _bsontype?: string })._bsontype === undefined)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe('filter and value order agree (property)', () => {
  it('{a: x} matches {a: y} exactly when valuesEqual(x, y), for every pair of number types', () => {
    fc.assert(
      fc.property(anyNumber, anyNumber, (x, y) => {
        expect(compileFilter({ a: x })({ a: y })).toBe(valuesEqual(x, y));
      }),
      { numRuns: 1000 },
    );
  });

  it('$gt/$lt on numbers agree with compareValues', () => {
    fc.assert(
      fc.property(anyNumber, anyNumber, (bound, value) => {
        const order = compareValues(value, bound);
        expect(compileFilter({ a: { $gt: bound } })({ a: value })).toBe(order > 0);
        expect(compileFilter({ a: { $lte: bound } })({ a: value })).toBe(order <= 0);
      }),
      { numRuns: 1000 },
    );
  });

  it('a sort by a numeric field orders like compareValues', () => {
    fc.assert(
      fc.property(fc.array(anyNumber, { maxLength: 20 }), (values) => {
        const sorted = values.map((n) => ({ n })).sort(compileSort({ n: 1 }));
        for (let i = 1; i < sorted.length; i++) expect(compareValues(sorted[i - 1]!.n, sorted[i]!.n)).toBeLessThanOrEqual(0);
      }),
    );
  });
});

describe('$inc (property)', () => {
  it('adds Int32 and Long exactly, widening Int32 to Long and Long to Double only on overflow', () => {
    fc.assert(
      fc.property(fc.oneof(int32, smallLong, long), fc.oneof(int32, smallLong, long), (start, increment) => {
        const { doc } = applyUpdate({ _id: 1, n: start }, { $inc: { n: increment } });
        const exact = exactValue(start) + exactValue(increment);
        const bothInt = bsonTypeAlias(start) === 'int' && bsonTypeAlias(increment) === 'int';
        if (bothInt && exact >= -(2n ** 31n) && exact < 2n ** 31n) {
          expect(bsonTypeAlias(doc.n)).toBe('int');
          expect(BigInt((doc.n as Int32).value)).toBe(exact);
        } else if (exact >= -(2n ** 63n) && exact < 2n ** 63n) {
          expect(bsonTypeAlias(doc.n)).toBe('long');
          expect((doc.n as Long).toBigInt()).toBe(exact);
        } else {
          expect(bsonTypeAlias(doc.n)).toBe('double');
          expect((doc.n as Double).value).toBe(Number(exact));
        }
      }),
      { numRuns: 1000 },
    );
  });
});

const fieldName = fc.constantFrom('a', 'b', 'c');
const leaf = fc.oneof(int32, fc.string({ maxLength: 3 }), fc.constant(null));
const nestedDoc: fc.Arbitrary<Document> = fc.letrec((tie) => ({
  doc: fc.dictionary(fieldName, fc.oneof({ depthSize: 'small' }, leaf, fc.array(fc.oneof(leaf, tie('doc')), { maxLength: 3 }), tie('doc')), {
    maxKeys: 3,
  }),
})).doc as fc.Arbitrary<Document>;
const path = fc.array(fc.oneof(fieldName, fc.constantFrom('0', '1')), { minLength: 1, maxLength: 3 }).map((parts) => (parts[0] === '0' || parts[0] === '1' ? ['a', ...parts] : parts).join('.'));
const update = fc.oneof(
  fc.record({ $set: fc.dictionary(path, leaf, { minKeys: 1, maxKeys: 1 }) }),
  fc.record({ $unset: fc.dictionary(path, fc.constant(''), { minKeys: 1, maxKeys: 1 }) }),
  fc.record({ $inc: fc.dictionary(path, int32, { minKeys: 1, maxKeys: 1 }) }),
  fc.record({ $push: fc.dictionary(path, leaf, { minKeys: 1, maxKeys: 1 }) }),
  fc.record({ $pull: fc.dictionary(path, leaf, { minKeys: 1, maxKeys: 1 }) }),
  fc.record({ $rename: fc.constant({ a: 'z' }) }),
  fc.record({ $pop: fc.dictionary(path, fc.constant(1), { minKeys: 1, maxKeys: 1 }) }),
);

describe('applyUpdate never mutates its input (property)', () => {
  it('leaves a deeply frozen document untouched, whether the update succeeds or fails', () => {
    fc.assert(
      fc.property(nestedDoc, update, (doc, spec) => {
        const input = deepFreeze({ _id: 1, ...doc });
        try {
          const result = applyUpdate(input, spec as Document);
          // An update that reports no modification returns an equal document.
          if (!result.modified) expect(result.doc).toEqual(input);
        } catch (error) {
          // A TypeError would mean a write into the frozen input; only MongoDB errors are allowed.
          expect((error as Error).name).toBe('MongoCommandError');
        }
      }),
      { numRuns: 1500 },
    );
  });
});

describe('$in with many members (property)', () => {
  it('agrees with the member-by-member equality of a short list', () => {
    fc.assert(
      fc.property(fc.array(anyNumber, { minLength: 9, maxLength: 30 }), anyNumber, (members, value) => {
        const expected = members.some((member) => valuesEqual(member, value));
        expect(compileFilter({ a: { $in: members } })({ a: value })).toBe(expected);
        expect(compileFilter({ a: { $in: [...members, 'x', null] } })({})).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
