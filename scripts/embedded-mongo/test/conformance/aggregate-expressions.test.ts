/** Accumulator edge cases and the numeric types of expression results. */
import { describe, expect, it } from 'vitest';
import { Decimal128, Double, Int32, Long } from 'mongodb';
import { useTestEngine } from '../helpers/engine.js';

const engine = useTestEngine('aggexpr');

describe('accumulators', () => {
  it('over missing fields: $sum is 0, $avg/$min/$max are null, $push/$addToSet are empty', async () => {
    const coll = engine.db('missing').collection('c');
    await coll.insertMany([{ g: 1 }, { g: 1 }]);
    const out = await coll
      .aggregate([
        {
          $group: {
            _id: '$g',
            s: { $sum: '$x' },
            a: { $avg: '$x' },
            lo: { $min: '$x' },
            hi: { $max: '$x' },
            p: { $push: '$x' },
            set: { $addToSet: '$x' },
          },
        },
      ])
      .toArray();
    expect(out).toEqual([{ _id: 1, s: 0, a: null, lo: null, hi: null, p: [], set: [] }]);
  });

  it('$first/$last follow the preceding $sort; $push keeps that order', async () => {
    const coll = engine.db('firstlast').collection('c');
    await coll.insertMany([
      { g: 'a', at: 3, v: 'c' },
      { g: 'a', at: 1, v: 'a' },
      { g: 'a', at: 2, v: 'b' },
    ]);
    const out = await coll.aggregate([{ $sort: { at: 1 } }, { $group: { _id: '$g', first: { $first: '$v' }, last: { $last: '$v' }, all: { $push: '$v' } } }]).toArray();
    expect(out).toEqual([{ _id: 'a', first: 'a', last: 'c', all: ['a', 'b', 'c'] }]);
  });

  it('$sum ignores non-numeric values; $count counts documents', async () => {
    const coll = engine.db('sumnonnum').collection('c');
    await coll.insertMany([{ v: 1 }, { v: 'two' }, { v: null }, { v: 3 }]);
    const [out] = await coll.aggregate([{ $group: { _id: null, s: { $sum: '$v' }, n: { $count: {} } } }]).toArray();
    expect(out).toEqual({ _id: null, s: 4, n: 4 });
  });

  it('$group _id treats numerically equal values of different types as one group', async () => {
    const coll = engine.db('groupnum').collection('c');
    await coll.insertMany([{ k: new Int32(1) }, { k: Long.fromNumber(1) }, { k: new Double(1) }, { k: new Int32(2) }]);
    const out = await coll.aggregate([{ $group: { _id: '$k', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
    expect(out.map((g) => g.n)).toEqual([3, 1]);
  });
});

describe('typed arithmetic in expressions', () => {
  it('$add/$multiply keep or widen types like MongoDB; $divide returns a double; Int32 overflow widens to Long', async () => {
    const coll = engine.db('typed').collection('c');
    await coll.insertOne({
      i: new Int32(2147483647),
      one: new Int32(1),
      l: Long.fromString('9007199254740993'),
      d: new Double(0.5),
      dec: Decimal128.fromString('1.1'),
    });
    const [out] = await coll
      .aggregate(
        [
          {
            $project: {
              _id: 0,
              intOverflow: { $add: ['$i', '$one'] },
              intPlusInt: { $add: ['$one', '$one'] },
              longExact: { $add: ['$l', '$one'] },
              intTimesDouble: { $multiply: ['$one', '$d'] },
              decimalSum: { $add: ['$dec', '$one'] },
              intDivInt: { $divide: ['$one', '$one'] },
            },
          },
        ],
        { promoteValues: false },
      )
      .toArray();
    expect(out!.intOverflow).toBeInstanceOf(Long);
    expect(out!.intOverflow.toString()).toBe('2147483648');
    expect(out!.intPlusInt).toBeInstanceOf(Int32);
    expect(out!.intPlusInt.value).toBe(2);
    expect(out!.longExact).toBeInstanceOf(Long);
    expect(out!.longExact.toString()).toBe('9007199254740994');
    expect(out!.intTimesDouble).toBeInstanceOf(Double);
    expect(out!.intTimesDouble.value).toBe(0.5);
    expect(out!.decimalSum).toBeInstanceOf(Decimal128);
    expect(out!.decimalSum.toString()).toBe('2.1');
    expect(out!.intDivInt).toBeInstanceOf(Double);
    expect(out!.intDivInt.value).toBe(1);
  });

  it('subtracting dates gives milliseconds; adding a number to a date gives a date', async () => {
    const coll = engine.db('dates').collection('c');
    await coll.insertOne({ a: new Date('2024-01-02T00:00:00Z'), b: new Date('2024-01-01T00:00:00Z') });
    const [out] = await coll.aggregate([{ $project: { _id: 0, diff: { $subtract: ['$a', '$b'] }, later: { $add: ['$b', 1000] } } }]).toArray();
    expect(Number(out!.diff)).toBe(86_400_000);
    expect(out!.later).toEqual(new Date('2024-01-01T00:00:01Z'));
  });

  it('$$REMOVE drops a field; $$ROOT is the whole document', async () => {
    const coll = engine.db('vars').collection('c');
    await coll.insertMany([
      { _id: 1, v: 5 },
      { _id: 2, v: 50 },
    ] as never[]);
    const out = await coll.aggregate([{ $sort: { _id: 1 } }, { $project: { big: { $cond: [{ $gt: ['$v', 10] }, '$v', '$$REMOVE'] }, whole: '$$ROOT' } }]).toArray();
    expect(out).toEqual([
      { _id: 1, whole: { _id: 1, v: 5 } },
      { _id: 2, big: 50, whole: { _id: 2, v: 50 } },
    ]);
  });
});
