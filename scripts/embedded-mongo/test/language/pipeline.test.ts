import { Decimal128, Double, Int32, Long } from 'bson';
import type { Document } from 'bson';
import { describe, expect, it } from 'vitest';
import { bsonTypeAlias, runPipeline } from '../../src/language/index.js';
import { MongoCommandError } from '../../src/errors.js';

function run(input: Document[], pipeline: Document[], collections: Record<string, Document[]> = {}): Document[] {
  return runPipeline(input, pipeline, { getCollection: (name) => collections[name] ?? [], now: new Date('2024-01-01T00:00:00Z') });
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

const orders = [
  { _id: 1, customer: 'ann', amount: new Int32(10), tags: ['a', 'b'] },
  { _id: 2, customer: 'bob', amount: Long.fromNumber(20), tags: [] },
  { _id: 3, customer: 'ann', amount: new Double(2.5) },
  { _id: 4, customer: 'cid', amount: new Int32(2147483647), tags: ['c'] },
  { _id: 5, customer: 'cid', amount: new Int32(1) },
];

describe('$group', () => {
  it('sums with typed accumulators: Int32 overflows to Long, doubles make doubles', () => {
    const result = run(orders, [{ $group: { _id: '$customer', total: { $sum: '$amount' } } }, { $sort: { _id: 1 } }]);
    expect(result.map((doc) => [doc._id, bsonTypeAlias(doc.total), String(doc.total)])).toEqual([
      ['ann', 'double', '12.5'],
      ['bob', 'long', '20'],
      ['cid', 'long', '2147483648'],
    ]);
  });

  it('groups numerically equal keys of different types together', () => {
    const result = run([{ k: new Int32(1) }, { k: Long.fromNumber(1) }, { k: new Double(1) }, { k: Decimal128.fromString('1.0') }], [{ $group: { _id: '$k', n: { $count: {} } } }]);
    expect(result).toHaveLength(1);
    expect(result[0]!.n).toEqual(new Int32(4));
  });

  it('supports $avg $min $max $first $last $push $addToSet and a null _id', () => {
    const [result] = run(orders, [
      { $sort: { _id: 1 } },
      {
        $group: {
          _id: null,
          avg: { $avg: '$amount' },
          min: { $min: '$amount' },
          max: { $max: '$amount' },
          first: { $first: '$customer' },
          last: { $last: '$customer' },
          customers: { $addToSet: '$customer' },
          tags: { $push: '$tags' },
          count: { $sum: 1 },
        },
      },
    ]);
    expect(result!._id).toBeNull();
    expect(bsonTypeAlias(result!.avg)).toBe('double');
    expect(result!.min).toEqual(new Int32(1));
    expect(result!.max).toEqual(new Int32(2147483647));
    expect(result!.first).toBe('ann');
    expect(result!.last).toBe('cid');
    expect(result!.customers).toEqual(['ann', 'bob', 'cid']);
    expect(result!.tags).toEqual([['a', 'b'], [], ['c']]);
    expect(String(result!.count)).toBe('5');
  });

  it('supports the ranked accumulators $top $bottom $topN $firstN $lastN $maxN $minN', () => {
    const [result] = run(orders, [
      {
        $group: {
          _id: null,
          top: { $top: { sortBy: { amount: -1 }, output: '$_id' } },
          bottom: { $bottom: { sortBy: { amount: -1 }, output: '$_id' } },
          top2: { $topN: { n: 2, sortBy: { amount: 1 }, output: '$_id' } },
          first2: { $firstN: { n: 2, input: '$_id' } },
          last2: { $lastN: { n: 2, input: '$_id' } },
          max2: { $maxN: { n: 2, input: '$amount' } },
          min1: { $minN: { n: 1, input: '$amount' } },
        },
      },
    ]);
    expect(result).toMatchObject({ top: 4, bottom: 5, top2: [5, 3], first2: [1, 2], last2: [4, 5], min1: [new Int32(1)] });
    expect(result!.max2).toEqual([new Int32(2147483647), Long.fromNumber(20)]);
  });

  it('computes $median and $percentile by nearest rank, or interpolated with the continuous method', () => {
    const docs = [1, 2, 3, 4, 10].map((n) => ({ n: new Int32(n) }));
    const [result] = run(docs, [
      {
        $group: {
          _id: null,
          median: { $median: { input: '$n', method: 'approximate' } },
          p: { $percentile: { input: '$n', p: [0.2, 0.9], method: 'approximate' } },
          continuous: { $percentile: { input: '$n', p: [0.9], method: 'continuous' } },
        },
      },
    ]);
    expect(result!.median).toEqual(new Double(3));
    expect(result!.p).toEqual([new Double(1), new Double(10)]);
    expect((result!.continuous as Double[])[0]!.value).toBeCloseTo(7.6);
    const [expression] = run([{ xs: [new Int32(5), new Int32(1), new Int32(3)] }], [{ $project: { m: { $median: { input: '$xs', method: 'approximate' } } } }]);
    expect(expression!.m).toEqual(new Double(3));
  });

  it('rejects unknown accumulators', () => {
    expect(errorOf(() => run(orders, [{ $group: { _id: null, x: { $foo: 1 } } }])).code).toBe(15952);
  });
});

describe('shaping stages', () => {
  it('$project, $addFields/$set and $unset', () => {
    const [projected] = run([orders[0]!], [{ $project: { customer: 1, double: { $multiply: ['$amount', new Int32(2)] } } }]);
    expect(projected).toEqual({ _id: 1, customer: 'ann', double: new Int32(20) });
    const [added] = run([orders[0]!], [{ $set: { 'meta.source': 'x', amount: '$$REMOVE' } }, { $unset: ['tags'] }]);
    expect(added).toEqual({ _id: 1, customer: 'ann', meta: { source: 'x' } });
    const [merged] = run([{ _id: 1, a: { b: 1 } }], [{ $addFields: { a: { c: 2 } } }]);
    expect(merged).toEqual({ _id: 1, a: { b: 1, c: 2 } });
  });

  it('$project puts a computed _id first and supports nested specs', () => {
    const [result] = run([orders[0]!], [{ $project: { who: '$customer', _id: '$amount', nested: { a: '$customer', b: { $literal: 1 } } } }]);
    expect(Object.keys(result!)).toEqual(['_id', 'who', 'nested']);
    expect(result).toEqual({ _id: new Int32(10), who: 'ann', nested: { a: 'ann', b: 1 } });
  });

  it('$replaceRoot and $replaceWith', () => {
    expect(run([{ _id: 1, inner: { x: 1 } }], [{ $replaceRoot: { newRoot: '$inner' } }])).toEqual([{ x: 1 }]);
    expect(run([{ _id: 1, inner: { x: 1 } }], [{ $replaceWith: { $mergeObjects: ['$inner', { y: 2 }] } }])).toEqual([{ x: 1, y: 2 }]);
    expect(errorOf(() => run([{ _id: 1 }], [{ $replaceWith: '$missing' }])).code).toBe(40228);
  });
});

describe('$unwind', () => {
  it('emits one document per element, skipping missing, null and empty arrays', () => {
    expect(run(orders, [{ $unwind: '$tags' }]).map((doc) => [doc._id, doc.tags])).toEqual([
      [1, 'a'],
      [1, 'b'],
      [4, 'c'],
    ]);
  });

  it('keeps them with preserveNullAndEmptyArrays and reports includeArrayIndex', () => {
    const result = run(orders, [{ $unwind: { path: '$tags', includeArrayIndex: 'i', preserveNullAndEmptyArrays: true } }]);
    expect(result.map((doc) => [doc._id, doc.tags, doc.i === null ? null : String(doc.i)])).toEqual([
      [1, 'a', '0'],
      [1, 'b', '1'],
      [2, undefined, null],
      [3, undefined, null],
      [4, 'c', '0'],
      [5, undefined, null],
    ]);
  });
});

describe('$sort, $skip, $limit, $count, $sortByCount', () => {
  it('sorts numerically across number types and pages', () => {
    const result = run(orders, [{ $sort: { amount: -1 } }, { $skip: 1 }, { $limit: 2 }]);
    expect(result.map((doc) => doc._id)).toEqual([2, 1]);
  });

  it('counts', () => {
    expect(run(orders, [{ $match: { customer: 'ann' } }, { $count: 'n' }])).toEqual([{ n: new Int32(2) }]);
    expect(run([], [{ $count: 'n' }])).toEqual([]);
  });

  it('$sortByCount groups and orders by frequency', () => {
    const result = run(orders, [{ $sortByCount: '$customer' }]);
    expect(result[0]!.count).toEqual(new Int32(2));
    expect(
      result
        .map((doc) => doc._id)
        .slice(0, 2)
        .sort(),
    ).toEqual(['ann', 'cid']);
    expect(result[2]).toEqual({ _id: 'bob', count: new Int32(1) });
  });

  it('validates $limit and $skip', () => {
    expect(errorOf(() => run(orders, [{ $limit: 0 }])).code).toBe(15958);
    expect(errorOf(() => run(orders, [{ $skip: -1 }])).code).toBe(15956);
  });
});

describe('$lookup, $facet, $unionWith', () => {
  const customers = [
    { _id: 'ann', tier: 'gold' },
    { _id: 'bob', tier: 'silver' },
  ];

  it('joins by localField/foreignField', () => {
    const result = run(orders.slice(0, 3), [{ $lookup: { from: 'customers', localField: 'customer', foreignField: '_id', as: 'who' } }], { customers });
    expect(result.map((doc) => doc.who)).toEqual([[customers[0]], [customers[1]], [customers[0]]]);
  });

  it('matches array local values element-wise and numbers across types', () => {
    const result = run([{ _id: 1, refs: [new Int32(1), new Int32(3)] }], [{ $lookup: { from: 'things', localField: 'refs', foreignField: 'k', as: 'found' } }], {
      things: [{ k: Long.fromNumber(1) }, { k: new Int32(2) }, { k: new Double(3) }],
    });
    expect(result[0]!.found).toHaveLength(2);
  });

  it('runs a sub-pipeline with let variables', () => {
    const result = run(
      orders.slice(0, 2),
      [
        {
          $lookup: {
            from: 'customers',
            let: { name: '$customer' },
            pipeline: [{ $match: { $expr: { $eq: ['$_id', '$$name'] } } }, { $project: { _id: 0, tier: 1 } }],
            as: 'who',
          },
        },
      ],
      { customers },
    );
    expect(result.map((doc) => doc.who)).toEqual([[{ tier: 'gold' }], [{ tier: 'silver' }]]);
  });

  it('$facet runs several pipelines over the same input', () => {
    const [result] = run(orders, [{ $facet: { count: [{ $count: 'n' }], top: [{ $sort: { amount: -1 } }, { $limit: 1 }, { $project: { _id: 1 } }] } }]);
    expect(result).toEqual({ count: [{ n: new Int32(5) }], top: [{ _id: 4 }] });
  });

  it('$unionWith appends another collection', () => {
    const result = run([{ _id: 1 }], [{ $unionWith: { coll: 'customers', pipeline: [{ $match: { tier: 'gold' } }] } }], { customers });
    expect(result).toEqual([{ _id: 1 }, customers[0]]);
  });
});

describe('pipeline errors', () => {
  it('rejects unknown stages with 40324', () => {
    expect(errorOf(() => run(orders, [{ $foo: {} }]))).toEqual({ code: 40324, message: "Unrecognized pipeline stage name: '$foo'" });
  });

  it('fails loudly on real stages the engine does not implement', () => {
    const error = errorOf(() => run(orders, [{ $geoNear: {} }]));
    expect(error.code).toBe(238);
    expect(error.message).toContain('$geoNear');
  });

  it('rejects a stage object with several fields', () => {
    expect(errorOf(() => run(orders, [{ $match: {}, $limit: 1 }])).code).toBe(40323);
  });

  it('$$NOW comes from the context', () => {
    expect(run([{ _id: 1 }], [{ $project: { now: '$$NOW' } }])).toEqual([{ _id: 1, now: new Date('2024-01-01T00:00:00Z') }]);
  });
});

describe('$bucket and $graphLookup', () => {
  it('$bucket groups into [lower, upper) ranges with a default bucket', () => {
    const result = run(orders, [{ $bucket: { groupBy: '$amount', boundaries: [0, 5, 100], default: 'other', output: { ids: { $push: '$_id' } } } }]);
    expect(result).toEqual([
      { _id: 0, ids: [3, 5] },
      { _id: 5, ids: [1, 2] },
      { _id: 'other', ids: [4] },
    ]);
  });

  it('$bucket without a default rejects values outside the boundaries', () => {
    expect(() => run(orders, [{ $bucket: { groupBy: '$amount', boundaries: [0, 5] } }])).toThrow(MongoCommandError);
  });

  it('$graphLookup follows connections breadth-first with depths and maxDepth', () => {
    const employees = [
      { _id: 1, name: 'ceo', boss: null },
      { _id: 2, name: 'cto', boss: 'ceo' },
      { _id: 3, name: 'dev', boss: 'cto' },
    ];
    const [dev] = run([employees[2]!], [{ $graphLookup: { from: 'employees', startWith: '$boss', connectFromField: 'boss', connectToField: 'name', as: 'chain', depthField: 'd' } }], { employees });
    expect(dev!.chain.map((doc: Document) => [doc.name, String(doc.d)])).toEqual([
      ['cto', '0'],
      ['ceo', '1'],
    ]);
    const [limited] = run([employees[2]!], [{ $graphLookup: { from: 'employees', startWith: '$boss', connectFromField: 'boss', connectToField: 'name', as: 'chain', maxDepth: 0 } }], { employees });
    expect(limited!.chain.map((doc: Document) => doc.name)).toEqual(['cto']);
  });
});

describe('$setWindowFields', () => {
  const sales = [
    { _id: 1, shop: 'a', day: new Int32(1), amount: new Int32(10) },
    { _id: 2, shop: 'a', day: new Int32(2), amount: new Int32(20) },
    { _id: 3, shop: 'b', day: new Int32(1), amount: new Int32(5) },
    { _id: 4, shop: 'a', day: new Int32(3), amount: new Int32(20) },
  ];

  it('computes running totals per partition with a documents window', () => {
    const result = run(sales, [{ $setWindowFields: { partitionBy: '$shop', sortBy: { day: 1 }, output: { running: { $sum: '$amount', window: { documents: ['unbounded', 'current'] } } } } }]);
    expect(result.map((doc) => [doc._id, doc.running])).toEqual([
      [1, new Int32(10)],
      [2, new Int32(30)],
      [4, new Int32(50)],
      [3, new Int32(5)],
    ]);
  });

  it('ranks, numbers and shifts documents, and totals the whole partition by default', () => {
    const result = run(sales, [
      {
        $setWindowFields: {
          partitionBy: '$shop',
          sortBy: { amount: -1 },
          output: {
            rank: { $rank: {} },
            dense: { $denseRank: {} },
            number: { $documentNumber: {} },
            previous: { $shift: { output: '$_id', by: -1, default: 'none' } },
            total: { $sum: '$amount' },
          },
        },
      },
    ]);
    const byId = Object.fromEntries(result.map((doc) => [doc._id, [doc.rank.value, doc.dense.value, doc.number.value, doc.previous, doc.total.value]]));
    expect(byId).toEqual({ 2: [1, 1, 1, 'none', 50], 4: [1, 1, 2, 2, 50], 1: [3, 2, 3, 4, 50], 3: [1, 1, 1, 'none', 5] });
  });

  it('carries values forward, interpolates, smooths, differentiates and integrates', () => {
    const points = [
      { _id: 1, t: new Int32(0), v: new Int32(0) },
      { _id: 2, t: new Int32(1), v: null },
      { _id: 3, t: new Int32(2), v: new Int32(4) },
      { _id: 4, t: new Int32(4), v: new Int32(8) },
    ];
    const [result] = [
      run(points, [
        {
          $setWindowFields: {
            sortBy: { t: 1 },
            output: {
              locf: { $locf: '$v' },
              linear: { $linearFill: '$v' },
              ema: { $expMovingAvg: { input: '$v', alpha: 0.5 } },
              slope: { $derivative: { input: '$v' }, window: { documents: [-1, 0] } },
              area: { $integral: { input: '$v' }, window: { documents: ['unbounded', 'current'] } },
            },
          },
        },
      ]),
    ];
    expect(result!.map((doc) => doc.locf)).toEqual([new Int32(0), new Int32(0), new Int32(4), new Int32(8)]);
    expect(result![1]!.linear).toEqual(new Double(2));
    expect(result!.map((doc) => (doc.ema === null ? null : doc.ema.value))).toEqual([0, null, 2, 5]);
    expect(result![3]!.slope).toEqual(new Double(2));
    expect(result![3]!.area).toEqual(new Double(12));
  });

  it('sums over a calendar range window of dates', () => {
    const days = ['2024-01-10', '2024-01-31', '2024-02-15', '2024-03-20'].map((day, i) => ({ _id: i, d: new Date(`${day}T00:00:00Z`), n: new Int32(1) }));
    const result = run(days, [{ $setWindowFields: { sortBy: { d: 1 }, output: { lastMonth: { $sum: '$n', window: { range: [-1, 'current'], unit: 'month' } } } } }]);
    expect(result.map((doc) => doc.lastMonth.value)).toEqual([1, 2, 2, 1]);
  });

  it('averages over a range window of sort-key values', () => {
    const result = run(
      sales.filter((doc) => doc.shop === 'a'),
      [{ $setWindowFields: { sortBy: { day: 1 }, output: { avg: { $avg: '$amount', window: { range: [-1, 0] } } } } }],
    );
    expect(result.map((doc) => doc.avg)).toEqual([new Double(10), new Double(15), new Double(20)]);
  });
});

describe('$redact', () => {
  it('prunes embedded documents level by level', () => {
    const doc = { _id: 1, level: 1, public: { level: 1, x: 1 }, secret: { level: 5, y: 2 }, list: [{ level: 5 }, { level: 0, z: 3 }] };
    const result = run([doc], [{ $redact: { $cond: [{ $lte: ['$level', 3] }, '$$DESCEND', '$$PRUNE'] } }]);
    expect(result).toEqual([{ _id: 1, level: 1, public: { level: 1, x: 1 }, list: [{ level: 0, z: 3 }] }]);
    expect(run([doc], [{ $redact: '$$KEEP' }])).toEqual([doc]);
    expect(run([doc], [{ $redact: '$$PRUNE' }])).toEqual([]);
  });
});

describe('$bucketAuto', () => {
  it('cuts sorted values into about equal buckets without splitting equal values', () => {
    const docs = [1, 2, 2, 2, 3, 4, 5, 6].map((n, i) => ({ _id: i, n: new Int32(n) }));
    const result = run(docs, [{ $bucketAuto: { groupBy: '$n', buckets: 3 } }]);
    expect(result.map((doc) => [doc._id.min.value, doc._id.max.value, doc.count.value])).toEqual([
      [1, 3, 4],
      [3, 6, 3],
      [6, 6, 1],
    ]);
  });
});

describe('$fill and $densify', () => {
  const readings = [
    { _id: 1, s: 'a', t: new Int32(1), v: new Int32(10) },
    { _id: 2, s: 'a', t: new Int32(2), v: null },
    { _id: 3, s: 'a', t: new Int32(4), v: new Int32(40) },
    { _id: 4, s: 'b', t: new Int32(1) },
  ];

  it('fills with a value, the last observation, or a linear interpolation', () => {
    expect(run(readings, [{ $fill: { output: { v: { value: 0 } } } }]).map((doc) => doc.v)).toEqual([new Int32(10), 0, new Int32(40), 0]);
    expect(run(readings, [{ $fill: { partitionByFields: ['s'], sortBy: { t: 1 }, output: { v: { method: 'locf' } } } }]).map((doc) => doc.v)).toEqual([
      new Int32(10),
      new Int32(10),
      new Int32(40),
      undefined,
    ]);
    const linear = run(readings.slice(0, 3), [{ $fill: { sortBy: { t: 1 }, output: { v: { method: 'linear' } } } }]);
    expect(linear[1]!.v).toEqual(new Double(20));
  });

  it('densifies a numeric sequence per partition', () => {
    const result = run(readings, [{ $densify: { field: 't', partitionByFields: ['s'], range: { step: new Int32(1), bounds: 'partition' } } }]);
    expect(result.map((doc) => [doc.s, String(doc.t), doc._id ?? '-'])).toEqual([
      ['a', '1', 1],
      ['a', '2', 2],
      ['a', '3', '-'],
      ['a', '4', 3],
      ['b', '1', 4],
    ]);
  });

  it('densifies dates by calendar unit within explicit bounds', () => {
    const result = run(
      [{ d: new Date('2024-01-15T00:00:00Z') }],
      [{ $densify: { field: 'd', range: { step: 1, unit: 'month', bounds: [new Date('2024-01-15T00:00:00Z'), new Date('2024-04-15T00:00:00Z')] } } }],
    );
    expect(result.map((doc) => (doc.d as Date).toISOString().slice(0, 10))).toEqual(['2024-01-15', '2024-02-15', '2024-03-15']);
  });
});
