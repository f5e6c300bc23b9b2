import { Binary, BSONRegExp, BSONSymbol, Code, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'bson';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareValues, valuesEqual } from '../../src/language/index.js';

describe('compareValues: numbers', () => {
  it('orders Longs by numeric value, not by their text (the mingo trap)', () => {
    expect(compareValues(Long.fromNumber(5), Long.fromNumber(10))).toBeLessThan(0);
    expect(compareValues(Long.fromNumber(10), Long.fromNumber(5))).toBeGreaterThan(0);
    expect(compareValues(Long.fromNumber(-10), Long.fromNumber(-5))).toBeLessThan(0);
  });

  it('compares Int32, Long, Double and Decimal128 by value across types', () => {
    expect(compareValues(new Int32(1), Long.fromNumber(1))).toBe(0);
    expect(compareValues(new Int32(1), new Double(1))).toBe(0);
    expect(compareValues(Decimal128.fromString('1.00'), new Int32(1))).toBe(0);
    expect(compareValues(new Double(1.5), Long.fromNumber(1))).toBeGreaterThan(0);
    expect(compareValues(Decimal128.fromString('2.5'), new Double(2.4))).toBeGreaterThan(0);
    expect(compareValues(Decimal128.fromString('-3'), new Int32(-2))).toBeLessThan(0);
  });

  it('compares Longs beyond 2^53 exactly, against Longs and doubles', () => {
    const big = Long.fromBigInt(2n ** 53n + 1n);
    const bigger = Long.fromBigInt(2n ** 53n + 2n);
    expect(compareValues(big, bigger)).toBeLessThan(0);
    // 2^53 + 1 is not representable as a double: the double 2^53 is strictly smaller.
    expect(compareValues(big, new Double(2 ** 53))).toBeGreaterThan(0);
    expect(compareValues(new Double(2 ** 53), big)).toBeLessThan(0);
    expect(compareValues(Long.fromBigInt(2n ** 53n), new Double(2 ** 53))).toBe(0);
    expect(compareValues(Long.MAX_VALUE, new Double(2 ** 63))).toBeLessThan(0);
    expect(compareValues(Long.fromNumber(3), new Double(3.5))).toBeLessThan(0);
    expect(compareValues(Long.fromNumber(-3), new Double(-3.5))).toBeGreaterThan(0);
  });

  it('sorts NaN below every other number and equal to itself', () => {
    expect(compareValues(new Double(NaN), new Double(-Infinity))).toBeLessThan(0);
    expect(compareValues(new Double(NaN), Long.MIN_VALUE)).toBeLessThan(0);
    expect(compareValues(new Double(NaN), Decimal128.fromString('NaN'))).toBe(0);
    expect(valuesEqual(new Double(NaN), new Double(NaN))).toBe(true);
  });

  it('treats a plain JS number as a double', () => {
    expect(compareValues(2.5, new Double(2.5))).toBe(0);
    expect(compareValues(3, Long.fromNumber(3))).toBe(0);
  });
});

describe('compareValues: cross-type order', () => {
  it('follows MongoDB: MinKey < null < numbers < strings < objects < arrays < binData < ObjectId < bool < date < timestamp < regex < MaxKey', () => {
    const ordered: unknown[] = [
      new MinKey(),
      null,
      new Int32(5),
      'a',
      { a: 1 },
      [1],
      new Binary(Buffer.from([1])),
      new ObjectId('000000000000000000000001'),
      false,
      new Date(0),
      new Timestamp({ t: 1, i: 1 }),
      /a/,
      new MaxKey(),
    ];
    for (let i = 0; i < ordered.length - 1; i++) {
      expect(compareValues(ordered[i], ordered[i + 1]), `${i} < ${i + 1}`).toBeLessThan(0);
      expect(compareValues(ordered[i + 1], ordered[i])).toBeGreaterThan(0);
    }
  });

  it('ranks a missing value (undefined) with null', () => {
    expect(compareValues(undefined, null)).toBe(0);
    expect(compareValues(undefined, new Int32(0))).toBeLessThan(0);
  });

  it('compares strings by UTF-8 bytes and symbols with strings', () => {
    expect(compareValues('B', 'a')).toBeLessThan(0);
    expect(compareValues('a', 'ab')).toBeLessThan(0);
    // U+FF21 (3 UTF-8 bytes, EF BC A1) sorts before U+1F600 (4 bytes, F0 9F 98 80); UTF-16 order says the opposite.
    expect(compareValues('\uFF21', '\u{1F600}')).toBeLessThan(0);
    expect(compareValues(new BSONSymbol('abc'), 'abc')).toBe(0);
  });

  it('compares documents field by field: type, then name, then value', () => {
    expect(compareValues({ a: 1 }, { a: 2 })).toBeLessThan(0);
    expect(compareValues({ a: 1 }, { b: 1 })).toBeLessThan(0);
    expect(compareValues({ a: 1 }, { a: 1, b: 1 })).toBeLessThan(0);
    // A number field sorts before a string field whatever the names.
    expect(compareValues({ z: 1 }, { a: 'x' })).toBeLessThan(0);
    expect(compareValues({ a: new Int32(1), b: 'x' }, { a: new Double(1), b: 'x' })).toBe(0);
  });

  it('compares arrays element by element, shorter first', () => {
    expect(compareValues([1, 2], [1, 3])).toBeLessThan(0);
    expect(compareValues([1, 2], [1, 2, 0])).toBeLessThan(0);
    expect(compareValues([new Int32(2)], [Long.fromNumber(2)])).toBe(0);
  });

  it('compares binData by length, then subtype, then bytes', () => {
    const short = new Binary(Buffer.from([9, 9]), 0);
    const long = new Binary(Buffer.from([0, 0, 0]), 0);
    expect(compareValues(short, long)).toBeLessThan(0);
    expect(compareValues(new Binary(Buffer.from([5]), 0), new Binary(Buffer.from([1]), 4))).toBeLessThan(0);
    expect(compareValues(new Binary(Buffer.from([1, 2]), 0), new Binary(Buffer.from([1, 3]), 0))).toBeLessThan(0);
  });

  it('compares ObjectIds, dates, timestamps, booleans and regexes by their natural order', () => {
    expect(compareValues(new ObjectId('000000000000000000000001'), new ObjectId('000000000000000000000002'))).toBeLessThan(0);
    expect(compareValues(new Date(1), new Date(2))).toBeLessThan(0);
    expect(compareValues(new Timestamp({ t: 1, i: 5 }), new Timestamp({ t: 2, i: 1 }))).toBeLessThan(0);
    expect(compareValues(new Timestamp({ t: 0xffffffff, i: 1 }), new Timestamp({ t: 1, i: 1 }))).toBeGreaterThan(0);
    expect(compareValues(false, true)).toBeLessThan(0);
    expect(compareValues(/a/, new BSONRegExp('b', ''))).toBeLessThan(0);
    expect(compareValues(new Code('a'), new MaxKey())).toBeLessThan(0);
  });
});

describe('valuesEqual', () => {
  it('equates numbers across types and compares Binary by bytes', () => {
    expect(valuesEqual(new Int32(1), Long.fromNumber(1))).toBe(true);
    expect(valuesEqual(new Double(1.0), Decimal128.fromString('1'))).toBe(true);
    expect(valuesEqual(new Binary(Buffer.from([1, 2, 3])), new Binary(Buffer.from([1, 2, 3])))).toBe(true);
    expect(valuesEqual(new Binary(Buffer.from([1, 2, 3])), new Binary(Buffer.from([1, 2, 4])))).toBe(false);
    expect(valuesEqual(new Binary(Buffer.from([1])), new Binary(Buffer.from([1]), 4))).toBe(false);
  });

  it('does not equate Decimal128 0.1 with the double 0.1 (the double is not exactly one tenth)', () => {
    expect(valuesEqual(Decimal128.fromString('0.1'), new Double(0.1))).toBe(false);
  });

  it('respects field order in documents', () => {
    expect(valuesEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
  });

  it('never equates a string with a number', () => {
    expect(valuesEqual('1', new Int32(1))).toBe(false);
  });
});

const numberArbitrary = fc.oneof(
  fc.integer().map((n) => new Int32(n)),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => Long.fromBigInt(n)),
  fc.bigInt({ min: -(2n ** 55n), max: 2n ** 55n }).map((n) => Long.fromBigInt(n)),
  fc.double().map((n) => new Double(n)),
  fc.integer({ min: -1000, max: 1000 }).map((n) => new Double(n)),
  fc.tuple(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.integer({ min: -10, max: 10 })).map(([c, e]) => Decimal128.fromString(`${c}E${e}`)),
);

const valueArbitrary: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    numberArbitrary,
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.date({ noInvalidDate: true }),
    fc.uint8Array({ maxLength: 4 }).map((bytes) => new Binary(bytes)),
    fc.constantFrom(new MinKey(), new MaxKey()),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('value'), { maxKeys: 3 }),
  ),
})).value;

describe('compareValues is a total order (property)', () => {
  it('is antisymmetric and consistent with valuesEqual', () => {
    fc.assert(
      fc.property(valueArbitrary, valueArbitrary, (a, b) => {
        const ab = Math.sign(compareValues(a, b));
        const ba = Math.sign(compareValues(b, a));
        expect(ab).toBe(-ba || 0);
        expect(valuesEqual(a, b)).toBe(ab === 0);
      }),
      { numRuns: 2000 },
    );
  });

  it('is transitive', () => {
    fc.assert(
      fc.property(valueArbitrary, valueArbitrary, valueArbitrary, (a, b, c) => {
        const sorted = [a, b, c].sort(compareValues);
        expect(compareValues(sorted[0], sorted[1])).toBeLessThanOrEqual(0);
        expect(compareValues(sorted[1], sorted[2])).toBeLessThanOrEqual(0);
        expect(compareValues(sorted[0], sorted[2])).toBeLessThanOrEqual(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('orders numbers exactly like their exact mathematical values', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), fc.bigInt({ min: -(2n ** 62n), max: 2n ** 62n }), (x, y) => {
        const expected = x < y ? -1 : x > y ? 1 : 0;
        expect(Math.sign(compareValues(Long.fromBigInt(x), Long.fromBigInt(y)))).toBe(expected);
        expect(Math.sign(compareValues(Long.fromBigInt(x), Decimal128.fromString(y.toString())))).toBe(expected);
      }),
    );
  });
});
