import { Decimal128, Double, Int32, Long, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { bsonTypeAlias, evaluateExpression } from '../../src/language/index.js';
import { MongoCommandError } from '../../src/errors.js';

const doc = {
  _id: 1,
  i: new Int32(7),
  l: Long.fromNumber(10),
  d: new Double(2.5),
  dec: Decimal128.fromString('1.10'),
  s: 'Hello',
  arr: [new Int32(1), new Int32(2), new Int32(3)],
  items: [
    { n: 'a', q: new Int32(2) },
    { n: 'b', q: new Int32(5) },
  ],
  when: new Date('2024-03-05T06:07:08.009Z'),
  nothing: null,
};

function evaluate(expression: unknown, variables?: Record<string, unknown>): unknown {
  return evaluateExpression(expression, doc, variables);
}

function codeOf(action: () => unknown): number {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(MongoCommandError);
    return (error as MongoCommandError).code;
  }
  throw new Error('expected an error');
}

describe('field paths and variables', () => {
  it('reads fields, dotted paths mapped over arrays, $$ROOT and $$CURRENT', () => {
    expect(evaluate('$s')).toBe('Hello');
    expect(evaluate('$items.n')).toEqual(['a', 'b']);
    expect(evaluate('$missing')).toBeUndefined();
    expect(evaluate('$$ROOT')).toBe(doc);
    expect(evaluate('$$CURRENT.s')).toBe('Hello');
    expect(evaluate('$$NOW', { NOW: new Date(5) })).toEqual(new Date(5));
  });

  it('evaluates object and array literals and $literal', () => {
    expect(evaluate({ a: '$i', b: ['$s', 1] })).toEqual({ a: new Int32(7), b: ['Hello', 1] });
    expect(evaluate({ $literal: '$s' })).toBe('$s');
  });

  it('binds $let variables', () => {
    expect(evaluate({ $let: { vars: { x: '$i' }, in: { $multiply: ['$$x', new Int32(2)] } } })).toEqual(new Int32(14));
  });

  it('fails on an undefined variable', () => {
    expect(codeOf(() => evaluate('$$nope'))).toBe(17276);
  });
});

describe('arithmetic', () => {
  it('keeps BSON number types', () => {
    expect(evaluate({ $add: ['$i', new Int32(1)] })).toEqual(new Int32(8));
    expect(bsonTypeAlias(evaluate({ $add: ['$i', '$l'] }))).toBe('long');
    expect(bsonTypeAlias(evaluate({ $add: ['$i', '$d'] }))).toBe('double');
    expect((evaluate({ $add: ['$dec', '$i'] }) as Decimal128).toString()).toBe('8.10');
    expect(evaluate({ $subtract: ['$l', '$i'] })).toEqual(Long.fromNumber(3));
    expect(evaluate({ $multiply: ['$i', '$i'] })).toEqual(new Int32(49));
    expect(evaluate({ $divide: ['$l', new Int32(4)] })).toEqual(new Double(2.5));
    expect(evaluate({ $mod: ['$i', new Int32(4)] })).toEqual(new Int32(3));
    expect(evaluate({ $abs: new Int32(-3) })).toEqual(new Int32(3));
  });

  it('adds milliseconds to dates and subtracts dates', () => {
    expect(evaluate({ $add: ['$when', new Int32(1000)] })).toEqual(new Date('2024-03-05T06:07:09.009Z'));
    expect(evaluate({ $subtract: ['$when', new Date('2024-03-05T06:07:08.000Z')] })).toEqual(Long.fromNumber(9));
  });

  it('returns null for null or missing operands and fails on other types', () => {
    expect(evaluate({ $add: ['$i', '$missing'] })).toBeNull();
    expect(codeOf(() => evaluate({ $add: ['$i', '$s'] }))).toBe(16554);
    expect(codeOf(() => evaluate({ $divide: ['$i', new Int32(0)] }))).toBe(2);
  });

  it('rounds half to even and keeps decimals exact', () => {
    expect(evaluate({ $round: [new Double(2.5), new Int32(0)] })).toEqual(new Double(2));
    expect((evaluate({ $round: [Decimal128.fromString('1.2345'), new Int32(2)] }) as Decimal128).toString()).toBe('1.23');
    expect((evaluate({ $floor: Decimal128.fromString('-1.5') }) as Decimal128).toString()).toBe('-2');
    expect(evaluate({ $ceil: new Double(1.2) })).toEqual(new Double(2));
  });
});

describe('comparison, boolean and conditional', () => {
  it('compares across types with the BSON order, Longs numerically', () => {
    expect(evaluate({ $gt: ['$l', '$i'] })).toBe(true);
    expect(evaluate({ $lt: [Long.fromNumber(5), Long.fromNumber(10)] })).toBe(true);
    expect(evaluate({ $eq: ['$i', new Double(7)] })).toBe(true);
    expect(evaluate({ $gt: ['$s', '$i'] })).toBe(true);
    expect(evaluate({ $cmp: ['$i', '$l'] })).toEqual(new Int32(-1));
    expect(evaluate({ $ne: ['$i', 7] })).toBe(false);
  });

  it('treats missing as less than null', () => {
    expect(evaluate({ $eq: ['$missing', null] })).toBe(false);
    expect(evaluate({ $lt: ['$missing', null] })).toBe(true);
  });

  it('evaluates $and/$or/$not with aggregation truthiness', () => {
    expect(evaluate({ $and: [1, 'x', []] })).toBe(true);
    expect(evaluate({ $and: [1, 0] })).toBe(false);
    expect(evaluate({ $or: [null, '$missing', new Int32(0)] })).toBe(false);
    expect(evaluate({ $not: ['$nothing'] })).toBe(true);
  });

  it('evaluates $cond, $ifNull and $switch', () => {
    expect(evaluate({ $cond: [{ $gt: ['$i', 5] }, 'big', 'small'] })).toBe('big');
    expect(evaluate({ $cond: { if: false, then: 1, else: 2 } })).toBe(2);
    expect(evaluate({ $ifNull: ['$missing', '$nothing', 'fallback'] })).toBe('fallback');
    expect(
      evaluate({
        $switch: {
          branches: [
            { case: { $eq: ['$s', 'x'] }, then: 1 },
            { case: true, then: 2 },
          ],
        },
      }),
    ).toBe(2);
    expect(codeOf(() => evaluate({ $switch: { branches: [{ case: false, then: 1 }] } }))).toBe(40066);
  });
});

describe('strings', () => {
  it('concatenates and changes case', () => {
    expect(evaluate({ $concat: ['$s', ' ', 'world'] })).toBe('Hello world');
    expect(evaluate({ $concat: ['$s', '$missing'] })).toBeNull();
    expect(evaluate({ $toLower: '$s' })).toBe('hello');
    expect(evaluate({ $toUpper: '$s' })).toBe('HELLO');
    expect(codeOf(() => evaluate({ $concat: ['$s', '$i'] }))).toBe(16702);
  });

  it('takes substrings by bytes and by code points', () => {
    expect(evaluate({ $substr: ['$s', 1, 3] })).toBe('ell');
    expect(evaluate({ $substrCP: ['héllo', 1, 2] })).toBe('él');
    expect(evaluate({ $strLenBytes: 'é' })).toEqual(new Int32(2));
    expect(evaluate({ $strLenCP: 'é' })).toEqual(new Int32(1));
    expect(evaluate({ $split: ['a,b,c', ','] })).toEqual(['a', 'b', 'c']);
    expect(evaluate({ $trim: { input: '  x  ' } })).toBe('x');
  });
});

describe('arrays', () => {
  it('measures, indexes and searches arrays', () => {
    expect(evaluate({ $size: '$arr' })).toEqual(new Int32(3));
    expect(evaluate({ $arrayElemAt: ['$arr', -1] })).toEqual(new Int32(3));
    expect(evaluate({ $in: [2, '$arr'] })).toBe(true);
    expect(codeOf(() => evaluate({ $size: '$missing' }))).toBe(17124);
  });

  it('filters, maps and reduces with bound variables', () => {
    expect(evaluate({ $filter: { input: '$items', as: 'it', cond: { $gt: ['$$it.q', 3] } } })).toEqual([{ n: 'b', q: new Int32(5) }]);
    expect(evaluate({ $map: { input: '$arr', in: { $multiply: ['$$this', 10] } } })).toEqual([new Double(10), new Double(20), new Double(30)]);
    expect(evaluate({ $reduce: { input: '$arr', initialValue: new Int32(0), in: { $add: ['$$value', '$$this'] } } })).toEqual(new Int32(6));
  });

  it('sorts, zips and takes n elements', () => {
    expect(evaluate({ $sortArray: { input: [3, 1, 2], sortBy: -1 } })).toEqual([3, 2, 1]);
    expect(evaluate({ $sortArray: { input: '$items', sortBy: { q: -1 } } })).toEqual([doc.items[1], doc.items[0]]);
    expect(
      evaluate({
        $zip: {
          inputs: [
            [1, 2],
            ['a', 'b', 'c'],
          ],
        },
      }),
    ).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(evaluate({ $maxN: { n: 2, input: '$arr' } })).toEqual([new Int32(3), new Int32(2)]);
    expect(evaluate({ $firstN: { n: 2, input: '$arr' } })).toEqual([new Int32(1), new Int32(2)]);
  });

  it('sums and averages arrays as expressions', () => {
    expect(evaluate({ $sum: '$arr' })).toEqual(new Int32(6));
    expect(evaluate({ $sum: ['$i', '$l'] })).toEqual(Long.fromNumber(17));
    expect(evaluate({ $avg: '$arr' })).toEqual(new Double(2));
    expect(evaluate({ $max: '$arr' })).toEqual(new Int32(3));
    expect(evaluate({ $min: ['$i', '$missing', '$l'] })).toEqual(new Int32(7));
  });
});

describe('more string and math operators', () => {
  it('replaces and finds with regexes', () => {
    expect(evaluate({ $replaceAll: { input: 'a-b-c', find: '-', replacement: '+' } })).toBe('a+b+c');
    expect(evaluate({ $replaceOne: { input: 'a-b-c', find: '-', replacement: '+' } })).toBe('a+b-c');
    expect(evaluate({ $regexFind: { input: 'xaby', regex: /a(b)/ } })).toEqual({ match: 'ab', idx: new Int32(1), captures: ['b'] });
    expect(evaluate({ $regexFindAll: { input: 'a1a2', regex: 'a(\\d)' } })).toHaveLength(2);
    expect(evaluate({ $regexMatch: { input: '$s', regex: '^h', options: 'i' } })).toBe(true);
  });

  it('computes bitwise operations on ints and longs', () => {
    expect(evaluate({ $bitAnd: [new Int32(12), new Int32(10)] })).toEqual(new Int32(8));
    expect(evaluate({ $bitOr: [new Int32(12), Long.fromNumber(3)] })).toEqual(Long.fromNumber(15));
    expect(evaluate({ $bitXor: [new Int32(12), new Int32(10)] })).toEqual(new Int32(6));
    expect(evaluate({ $bitNot: new Int32(0) })).toEqual(new Int32(-1));
  });
});

describe('object, size and timestamp operators', () => {
  it('sets and unsets fields, measures sizes and splits timestamps', async () => {
    const { Binary, Timestamp } = await import('bson');
    expect(evaluate({ $setField: { field: 'a.b', input: { x: 1 }, value: 2 } })).toEqual({ x: 1, 'a.b': 2 });
    expect(evaluate({ $unsetField: { field: 'x', input: { x: 1, y: 2 } } })).toEqual({ y: 2 });
    expect(evaluate({ $bsonSize: { $literal: { a: new Int32(1), b: new Double(1) } } })).toEqual(new Int32(23));
    expect(evaluate({ $binarySize: 'é' })).toEqual(new Int32(2));
    expect(evaluate({ $binarySize: new Binary(Buffer.from([1, 2, 3])) })).toEqual(new Int32(3));
    expect(evaluate({ $tsSecond: new Timestamp({ t: 7, i: 3 }) })).toEqual(Long.fromNumber(7));
    expect(evaluate({ $tsIncrement: new Timestamp({ t: 7, i: 3 }) })).toEqual(Long.fromNumber(3));
    expect(evaluate({ $getField: { field: 'a.b', input: { $literal: { 'a.b': 5 } } } })).toBe(5);
    expect(evaluate({ $getField: { field: { $concat: ['s'] }, input: '$$ROOT' } })).toBe('Hello');
  });
});

describe('conversion', () => {
  it('converts between number types and strings', () => {
    expect(evaluate({ $toString: '$l' })).toBe('10');
    expect(evaluate({ $toString: new Double(1.5) })).toBe('1.5');
    expect(evaluate({ $toInt: '42' })).toEqual(new Int32(42));
    expect(evaluate({ $toInt: new Double(3.9) })).toEqual(new Int32(3));
    expect(evaluate({ $toLong: '9007199254740993' })).toEqual(Long.fromBigInt(9007199254740993n));
    expect(evaluate({ $toDouble: '2.5' })).toEqual(new Double(2.5));
    expect((evaluate({ $toDecimal: '$i' }) as Decimal128).toString()).toBe('7');
    expect(evaluate({ $toBool: new Int32(0) })).toBe(false);
    expect(evaluate({ $toInt: '$missing' })).toBeNull();
    const id = new ObjectId();
    expect(evaluate({ $toObjectId: id.toHexString() })).toEqual(id);
  });

  it('fails with ConversionFailure unless $convert has onError', () => {
    expect(codeOf(() => evaluate({ $toInt: 'abc' }))).toBe(241);
    expect(codeOf(() => evaluate({ $toInt: Long.fromBigInt(2n ** 40n) }))).toBe(241);
    expect(evaluate({ $convert: { input: 'abc', to: 'int', onError: 'bad' } })).toBe('bad');
    expect(evaluate({ $convert: { input: '$missing', to: 'int', onNull: 0 } })).toBe(0);
    expect(evaluate({ $type: '$l' })).toBe('long');
    expect(evaluate({ $type: '$missing' })).toBe('missing');
  });
});

describe('dates', () => {
  it('extracts date parts in UTC', () => {
    expect(evaluate({ $year: '$when' })).toEqual(new Int32(2024));
    expect(evaluate({ $month: '$when' })).toEqual(new Int32(3));
    expect(evaluate({ $dayOfMonth: '$when' })).toEqual(new Int32(5));
    expect(evaluate({ $hour: '$when' })).toEqual(new Int32(6));
    expect(evaluate({ $minute: '$when' })).toEqual(new Int32(7));
    expect(evaluate({ $second: '$when' })).toEqual(new Int32(8));
    expect(evaluate({ $millisecond: '$when' })).toEqual(new Int32(9));
    expect(evaluate({ $dayOfWeek: '$when' })).toEqual(new Int32(3));
    expect(evaluate({ $dayOfYear: '$when' })).toEqual(new Int32(65));
    expect(evaluate({ $hour: { date: '$when', timezone: '+02:00' } })).toEqual(new Int32(8));
  });

  it('formats dates', () => {
    expect(evaluate({ $dateToString: { date: '$when', format: '%Y-%m-%d %H:%M:%S.%L' } })).toBe('2024-03-05 06:07:08.009');
    expect(evaluate({ $dateToString: { date: '$when' } })).toBe('2024-03-05T06:07:08.009Z');
  });

  it('adds calendar units, clamping to the end of the month', () => {
    expect(evaluateExpression({ $dateAdd: { startDate: '$d', unit: 'month', amount: 1 } }, { d: new Date('2024-01-31T10:00:00Z') })).toEqual(new Date('2024-02-29T10:00:00Z'));
    expect(evaluate({ $dateSubtract: { startDate: '$when', unit: 'hour', amount: 7 } })).toEqual(new Date('2024-03-04T23:07:08.009Z'));
  });

  it('counts unit boundaries with $dateDiff and truncates with $dateTrunc', () => {
    const diff = { $dateDiff: { startDate: new Date('2023-12-31T23:59:00Z'), endDate: new Date('2024-01-01T00:01:00Z'), unit: 'year' } };
    expect(evaluate(diff)).toEqual(Long.fromNumber(1));
    expect(evaluate({ $dateDiff: { startDate: new Date('2024-01-01T00:00:00Z'), endDate: '$when', unit: 'day' } })).toEqual(Long.fromNumber(64));
    expect(evaluate({ $dateTrunc: { date: '$when', unit: 'month' } })).toEqual(new Date('2024-03-01T00:00:00Z'));
    expect(evaluate({ $dateTrunc: { date: '$when', unit: 'hour', binSize: 4 } })).toEqual(new Date('2024-03-05T04:00:00Z'));
    expect(evaluate({ $dateTrunc: { date: '$when', unit: 'week' } })).toEqual(new Date('2024-03-03T00:00:00Z'));
  });

  it('builds and splits dates from parts and ISO strings', () => {
    expect(evaluate({ $dateFromParts: { year: 2024, month: 2, day: 30 } })).toEqual(new Date('2024-03-01T00:00:00Z'));
    expect(evaluate({ $dateToParts: { date: '$when' } })).toEqual({
      year: new Int32(2024),
      month: new Int32(3),
      day: new Int32(5),
      hour: new Int32(6),
      minute: new Int32(7),
      second: new Int32(8),
      millisecond: new Int32(9),
    });
    expect(evaluate({ $dateFromString: { dateString: '2024-03-05T06:07:08.009+02:00' } })).toEqual(new Date('2024-03-05T04:07:08.009Z'));
    expect(evaluate({ $dateFromString: { dateString: 'nope', onError: 'bad' } })).toBe('bad');
    expect(evaluate({ $dateFromString: { dateString: '05/03/2024 06:07', format: '%d/%m/%Y %H:%M', timezone: 'Europe/Paris' } })).toEqual(new Date('2024-03-05T05:07:00Z'));
    expect(evaluate({ $dateFromString: { dateString: '2024-03-05 +0200', format: '%Y-%m-%d %z' } })).toEqual(new Date('2024-03-04T22:00:00Z'));
    expect(evaluate({ $dateFromString: { dateString: '2024/03/05', format: '%Y-%m-%d', onError: null } })).toBeNull();
    expect(evaluate({ $isoWeek: new Date('2021-01-03T00:00:00Z') })).toEqual(new Int32(53));
    expect(evaluate({ $isoWeekYear: new Date('2021-01-03T00:00:00Z') })).toEqual(new Int32(2020));
    expect(evaluate({ $isoDayOfWeek: '$when' })).toEqual(new Int32(2));
  });

  it('understands Olson time zones with daylight saving time, and rejects unknown ones', () => {
    expect(evaluate({ $hour: { date: '$when', timezone: 'Europe/Paris' } })).toEqual(new Int32(7));
    expect(evaluate({ $hour: { date: new Date('2024-07-01T12:00:00Z'), timezone: 'Europe/Paris' } })).toEqual(new Int32(14));
    expect(evaluate({ $dateToString: { date: new Date('2024-07-01T12:00:00Z'), format: '%H:%M %z', timezone: 'America/New_York' } })).toBe('08:00 -0400');
    expect(evaluate({ $dateTrunc: { date: new Date('2024-07-01T01:30:00Z'), unit: 'day', timezone: 'Europe/Paris' } })).toEqual(new Date('2024-06-30T22:00:00Z'));
    expect(evaluate({ $dateFromParts: { year: 2024, month: 1, day: 1, timezone: 'Asia/Tokyo' } })).toEqual(new Date('2023-12-31T15:00:00Z'));
    expect(codeOf(() => evaluate({ $hour: { date: '$when', timezone: 'Mars/Olympus' } }))).toBe(40485);
  });
});

describe('errors', () => {
  it('names unknown operators with InvalidPipelineOperator', () => {
    try {
      evaluate({ $foo: 1 });
      throw new Error('expected an error');
    } catch (error) {
      expect((error as MongoCommandError).code).toBe(168);
      expect((error as Error).message).toBe("Unrecognized expression '$foo'");
    }
  });

  it('fails loudly on real operators the engine does not implement', () => {
    expect(codeOf(() => evaluate({ $function: { body: 'return 1', args: [], lang: 'js' } }))).toBe(238);
  });
});

describe('$divide and $mod errors', () => {
  const codeOf = (expression: unknown): number | undefined => {
    try {
      evaluateExpression(expression, { s: 'x', z: new Int32(0) });
      return undefined;
    } catch (error) {
      return (error as MongoCommandError).code;
    }
  };

  it('refuse a zero divisor and non-numeric operands with MongoDB codes, and give null for nullish operands', () => {
    expect(codeOf({ $divide: [1, '$z'] })).toBe(2);
    expect(codeOf({ $mod: [1, '$z'] })).toBe(16610);
    expect(codeOf({ $divide: ['$s', 1] })).toBe(16609);
    expect(codeOf({ $mod: ['$s', 1] })).toBe(16611);
    expect(evaluateExpression({ $divide: ['$missing', 2] }, {})).toBeNull();
    expect(evaluateExpression({ $mod: [7, null] }, {})).toBeNull();
  });
});
