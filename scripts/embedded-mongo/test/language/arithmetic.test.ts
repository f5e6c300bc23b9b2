import { Decimal128, Double, Int32, Long } from 'bson';
import { describe, expect, it } from 'vitest';
import { addNumbers, bsonTypeAlias, divideNumbers, multiplyNumbers, subtractNumbers } from '../../src/language/index.js';

function described(value: unknown): string {
  return `${bsonTypeAlias(value)}:${String((value as { toString(): string }).toString())}`;
}

describe('typed arithmetic', () => {
  it('keeps Int32 + Int32 an Int32', () => {
    expect(described(addNumbers(new Int32(2), new Int32(3)))).toBe('int:5');
  });

  it('widens Int32 overflow to Long', () => {
    expect(described(addNumbers(new Int32(2147483647), new Int32(1)))).toBe('long:2147483648');
    expect(described(multiplyNumbers(new Int32(2147483647), new Int32(2147483647)))).toBe('long:4611686014132420609');
    expect(described(subtractNumbers(new Int32(-2147483648), new Int32(1)))).toBe('long:-2147483649');
  });

  it('adds Longs exactly beyond 2^53', () => {
    expect(described(addNumbers(Long.fromBigInt(2n ** 53n + 1n), new Int32(1)))).toBe('long:9007199254740994');
    expect(described(addNumbers(Long.fromBigInt(2n ** 53n + 1n), Long.fromNumber(2)))).toBe('long:9007199254740995');
  });

  it('widens Long overflow to Double', () => {
    const result = addNumbers(Long.MAX_VALUE, Long.fromNumber(1));
    expect(bsonTypeAlias(result)).toBe('double');
    expect((result as Double).value).toBe(2 ** 63);
  });

  it('makes anything with a double a double, and a plain JS number counts as a double', () => {
    expect(described(addNumbers(new Int32(1), new Double(0.5)))).toBe('double:1.5');
    expect(described(addNumbers(Long.fromNumber(1), 2))).toBe('double:3');
  });

  it('computes exactly with Decimal128 and keeps the decimal type', () => {
    expect(described(addNumbers(Decimal128.fromString('0.1'), Decimal128.fromString('0.2')))).toBe('decimal:0.3');
    expect(described(addNumbers(Decimal128.fromString('1.0'), Decimal128.fromString('1.00')))).toBe('decimal:2.00');
    expect(described(multiplyNumbers(Decimal128.fromString('1.5'), new Int32(3)))).toBe('decimal:4.5');
    expect(described(addNumbers(Decimal128.fromString('9999999999999999999999999999999999'), new Int32(1)))).toBe('decimal:1.000000000000000000000000000000000E+34');
    expect(described(addNumbers(Long.fromBigInt(2n ** 62n), Decimal128.fromString('0.5')))).toBe('decimal:4611686018427387904.5');
  });

  it('overflows Decimal128 to Infinity instead of failing', () => {
    expect(described(multiplyNumbers(Decimal128.fromString('1E+6144'), Decimal128.fromString('1E+10')))).toBe('decimal:Infinity');
  });

  it('converts a double to decimal with 15 significant digits in decimal arithmetic, as MongoDB does', () => {
    expect(described(addNumbers(Decimal128.fromString('1'), new Double(0.1)))).toBe('decimal:1.100000000000000');
  });

  it('divides to a double, or to a decimal rounded to 34 digits', () => {
    expect(described(divideNumbers(new Int32(7), new Int32(2)))).toBe('double:3.5');
    expect(described(divideNumbers(Decimal128.fromString('1'), new Int32(3)))).toBe('decimal:0.3333333333333333333333333333333333');
    expect(described(divideNumbers(Decimal128.fromString('10'), new Int32(4)))).toBe('decimal:2.5');
  });
});

describe('bsonTypeAlias', () => {
  it('names every BSON type with the $type alias', async () => {
    const { Binary, BSONRegExp, BSONSymbol, Code, MaxKey, MinKey, ObjectId, Timestamp } = await import('bson');
    const cases: [unknown, string][] = [
      [new Double(1), 'double'],
      [1.5, 'double'],
      ['x', 'string'],
      [{}, 'object'],
      [[], 'array'],
      [new Binary(Buffer.from([])), 'binData'],
      [undefined, 'undefined'],
      [new ObjectId(), 'objectId'],
      [true, 'bool'],
      [new Date(), 'date'],
      [null, 'null'],
      [/x/, 'regex'],
      [new BSONRegExp('x', 'i'), 'regex'],
      [new Code('x'), 'javascript'],
      [new Code('x', { a: 1 }), 'javascriptWithScope'],
      [new BSONSymbol('x'), 'symbol'],
      [new Int32(1), 'int'],
      [new Timestamp({ t: 1, i: 1 }), 'timestamp'],
      [Long.fromNumber(1), 'long'],
      [Decimal128.fromString('1'), 'decimal'],
      [new MinKey(), 'minKey'],
      [new MaxKey(), 'maxKey'],
    ];
    for (const [value, alias] of cases) expect(bsonTypeAlias(value), alias).toBe(alias);
  });
});
