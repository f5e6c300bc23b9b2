/**
 * The engine may leave rarer operators out, but it must never answer wrongly: each case here
 * either returns MongoDB's documented result or fails with an error that names the operator.
 */
import { describe, expect, it } from 'vitest';
import type { Document } from 'mongodb';
import { useTestEngine } from '../helpers/engine.js';

const engine = useTestEngine('silent');

async function correctOrNamedError<T>(operation: Promise<T>, operator: string, check: (value: T) => void | Promise<void>): Promise<void> {
  let value: T;
  try {
    value = await operation;
  } catch (error) {
    const e = error as { code?: unknown; message?: string };
    expect(typeof e.code, `error for ${operator} carries a code`).toBe('number');
    expect(e.message, `error for ${operator} names it`).toContain(operator);
    console.info(`refused ${operator}: ${String(e.code)} ${e.message}`);
    return;
  }
  await check(value);
}

const items = [
  { _id: 1, item: 'pen', qty: 1, inner: { a: 1 }, tags: ['x', 'y'], price: 2.5, at: new Date('2024-03-05T10:00:00Z') },
  { _id: 2, item: 'pen', qty: 5, inner: { a: 2 }, tags: ['y'], price: 1.25, at: new Date('2024-03-06T10:00:00Z') },
  { _id: 3, item: 'ink', qty: 12, inner: { a: 3 }, tags: [], price: 10, at: new Date('2024-03-07T10:00:00Z') },
];

async function seeded(label: string) {
  const coll = engine.db(label).collection('c');
  await coll.insertMany(items as never[]);
  return coll;
}

function aggregate(coll: Awaited<ReturnType<typeof seeded>>, pipeline: Document[]) {
  return coll.aggregate(pipeline).toArray();
}

describe('stages beyond the required set', () => {
  it('$replaceRoot', async () => {
    const coll = await seeded('replaceroot');
    await correctOrNamedError(aggregate(coll, [{ $sort: { _id: 1 } }, { $replaceRoot: { newRoot: '$inner' } }]), '$replaceRoot', (out) => expect(out).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]));
  });

  it('$sortByCount', async () => {
    const coll = await seeded('sortbycount');
    await correctOrNamedError(aggregate(coll, [{ $sortByCount: '$item' }]), '$sortByCount', (out) =>
      expect(out).toEqual([
        { _id: 'pen', count: 2 },
        { _id: 'ink', count: 1 },
      ]),
    );
  });

  it('$bucket', async () => {
    const coll = await seeded('bucket');
    await correctOrNamedError(aggregate(coll, [{ $bucket: { groupBy: '$qty', boundaries: [0, 2, 10], default: 'big', output: { n: { $sum: 1 } } } }]), '$bucket', (out) =>
      expect(out).toEqual([
        { _id: 0, n: 1 },
        { _id: 2, n: 1 },
        { _id: 'big', n: 1 },
      ]),
    );
  });

  it('$unionWith', async () => {
    const db = engine.db('unionwith');
    await db.collection('a').insertOne({ _id: 1 } as never);
    await db.collection('b').insertOne({ _id: 2 } as never);
    await correctOrNamedError(
      db
        .collection('a')
        .aggregate([{ $unionWith: 'b' }, { $sort: { _id: 1 } }])
        .toArray(),
      '$unionWith',
      (out) => expect(out).toEqual([{ _id: 1 }, { _id: 2 }]),
    );
  });

  it('$graphLookup', async () => {
    const db = engine.db('graphlookup');
    await db.collection('emp').insertMany([{ _id: 'ceo' }, { _id: 'vp', boss: 'ceo' }, { _id: 'dev', boss: 'vp' }] as never[]);
    await correctOrNamedError(
      db
        .collection('emp')
        .aggregate([
          { $match: { _id: 'dev' } },
          { $graphLookup: { from: 'emp', startWith: '$boss', connectFromField: 'boss', connectToField: '_id', as: 'chain' } },
          { $project: { chain: '$chain._id' } },
        ])
        .toArray(),
      '$graphLookup',
      (out) => expect([...(out[0]!.chain as string[])].sort()).toEqual(['ceo', 'vp']),
    );
  });

  it('$setWindowFields running total', async () => {
    const coll = await seeded('window');
    await correctOrNamedError(
      aggregate(coll, [{ $setWindowFields: { sortBy: { _id: 1 }, output: { running: { $sum: '$qty', window: { documents: ['unbounded', 'current'] } } } } }, { $project: { running: 1 } }]),
      '$setWindowFields',
      (out) => expect(out.map((d) => d.running)).toEqual([1, 6, 18]),
    );
  });

  it('$sample returns the requested number of distinct documents', async () => {
    const coll = await seeded('sample');
    await correctOrNamedError(aggregate(coll, [{ $sample: { size: 2 } }]), '$sample', (out) => {
      expect(out).toHaveLength(2);
      expect(new Set(out.map((d) => d._id)).size).toBe(2);
    });
  });

  it('$set / $unset / $replaceWith stage aliases', async () => {
    const coll = await seeded('aliases');
    await correctOrNamedError(aggregate(coll, [{ $match: { _id: 1 } }, { $set: { z: 1 } }, { $unset: ['tags', 'at', 'inner', 'price'] }]), '$set', (out) =>
      expect(out).toEqual([{ _id: 1, item: 'pen', qty: 1, z: 1 }]),
    );
    await correctOrNamedError(aggregate(coll, [{ $match: { _id: 2 } }, { $replaceWith: '$inner' }]), '$replaceWith', (out) => expect(out).toEqual([{ a: 2 }]));
  });
});

describe('query operators beyond the common set', () => {
  it('$mod, $bitsAllSet and $jsonSchema', async () => {
    const coll = await seeded('queryops');
    await correctOrNamedError(coll.find({ qty: { $mod: [4, 1] } }).toArray(), '$mod', (out) => expect(out.map((d) => d._id).sort()).toEqual([1, 2]));
    await correctOrNamedError(coll.find({ qty: { $bitsAllSet: [2] } }).toArray(), '$bitsAllSet', (out) => expect(out.map((d) => d._id).sort()).toEqual([2, 3]));
    await correctOrNamedError(coll.find({ $jsonSchema: { required: ['qty'], properties: { qty: { bsonType: 'int', minimum: 5 } } } }).toArray(), '$jsonSchema', (out) =>
      expect(out.map((d) => d._id).sort()).toEqual([2, 3]),
    );
  });
});

describe('expressions beyond the common set', () => {
  it('conditional, array, string, date and rounding expressions', async () => {
    const coll = await seeded('exprs');
    const cases: Array<[string, unknown, unknown[]]> = [
      ['$cond', { $cond: [{ $gte: ['$qty', 5] }, 'many', 'few'] }, ['few', 'many', 'many']],
      ['$ifNull', { $ifNull: ['$missing', 'dflt'] }, ['dflt', 'dflt', 'dflt']],
      ['$switch', { $switch: { branches: [{ case: { $eq: ['$item', 'ink'] }, then: 'I' }], default: 'P' } }, ['P', 'P', 'I']],
      ['$arrayElemAt', { $arrayElemAt: ['$tags', 0] }, ['x', 'y', null]],
      ['$filter', { $filter: { input: '$tags', as: 't', cond: { $eq: ['$$t', 'y'] } } }, [['y'], ['y'], []]],
      ['$map', { $map: { input: '$tags', as: 't', in: { $toUpper: '$$t' } } }, [['X', 'Y'], ['Y'], []]],
      ['$reduce', { $reduce: { input: '$tags', initialValue: '', in: { $concat: ['$$value', '$$this'] } } }, ['xy', 'y', '']],
      ['$split', { $split: ['$item', 'e'] }, [['p', 'n'], ['p', 'n'], ['ink']]],
      ['$substrCP', { $substrCP: ['$item', 0, 2] }, ['pe', 'pe', 'in']],
      ['$round', { $round: ['$price', 1] }, [2.5, 1.2, 10]],
      ['$trunc', { $trunc: ['$price'] }, [2, 1, 10]],
      ['$dateToString', { $dateToString: { format: '%Y-%m-%d', date: '$at' } }, ['2024-03-05', '2024-03-06', '2024-03-07']],
      ['$year', { $year: '$at' }, [2024, 2024, 2024]],
      ['$size', { $size: '$tags' }, [2, 1, 0]],
      ['$in', { $in: ['y', '$tags'] }, [true, true, false]],
      ['$toString', { $toString: '$qty' }, ['1', '5', '12']],
    ];
    for (const [operator, expression, expected] of cases) {
      await correctOrNamedError(aggregate(coll, [{ $sort: { _id: 1 } }, { $project: { _id: 0, v: expression } }]), operator, (out) =>
        expect(
          out.map((d) => (d.v === undefined ? null : d.v)),
          operator,
        ).toEqual(expected),
      );
    }
  });
});

describe('update operators beyond the common set', () => {
  it('$bit', async () => {
    const coll = await seeded('bit');
    await correctOrNamedError(coll.updateOne({ _id: 3 } as never, { $bit: { qty: { and: 10 } } }), '$bit', async () => {
      expect((await coll.findOne({ _id: 3 } as never))!.qty).toBe(8);
    });
  });
});

describe('features outside the required set', () => {
  it('$out and $merge write their target collection', async () => {
    const db = engine.db('outmerge');
    await db.collection('src').insertMany([
      { _id: 1, v: 1 },
      { _id: 2, v: 2 },
    ] as never[]);
    await correctOrNamedError(
      db
        .collection('src')
        .aggregate([{ $match: { v: { $gte: 2 } } }, { $out: 'dst' }])
        .toArray(),
      '$out',
      async () => {
        expect(await db.collection('dst').find().toArray()).toEqual([{ _id: 2, v: 2 }]);
      },
    );
    await correctOrNamedError(
      db
        .collection('src')
        .aggregate([{ $set: { w: true } }, { $merge: { into: 'merged', whenMatched: 'replace', whenNotMatched: 'insert' } }])
        .toArray(),
      '$merge',
      async () => {
        expect(await db.collection('merged').find().sort({ _id: 1 }).toArray()).toEqual([
          { _id: 1, v: 1, w: true },
          { _id: 2, v: 2, w: true },
        ]);
      },
    );
  });

  it('a case-insensitive collation matches case-insensitively or is refused', async () => {
    const coll = engine.db('collation').collection('c');
    await coll.insertMany([
      { _id: 1, name: 'Ann' },
      { _id: 2, name: 'bob' },
    ] as never[]);
    await correctOrNamedError(coll.find({ name: 'ann' }, { collation: { locale: 'en', strength: 2 } }).toArray(), 'collation', (out) => expect(out.map((d) => d._id)).toEqual([1]));
  });

  it('a capped collection keeps only its newest documents, in insertion order, or is refused', async () => {
    const db = engine.db('capped');
    await correctOrNamedError(db.createCollection('log', { capped: true, size: 4096, max: 3 }), 'capped', async () => {
      for (let i = 1; i <= 5; i += 1) await db.collection('log').insertOne({ i });
      expect((await db.collection('log').find().toArray()).map((d) => d.i)).toEqual([3, 4, 5]);
    });
  });

  it('a view shows its pipeline over the source or is refused', async () => {
    const db = engine.db('view');
    await db.collection('src').insertMany([
      { _id: 1, v: 1 },
      { _id: 2, v: 2 },
    ] as never[]);
    await correctOrNamedError(db.createCollection('bigOnes', { viewOn: 'src', pipeline: [{ $match: { v: { $gt: 1 } } }] }), 'view', async () => {
      expect(await db.collection('bigOnes').find().toArray()).toEqual([{ _id: 2, v: 2 }]);
    });
  });

  it('renameCollection moves the documents or is refused', async () => {
    const db = engine.db('rename');
    await db.collection('before').insertOne({ _id: 1 } as never);
    await correctOrNamedError(db.renameCollection('before', 'after'), 'renameCollection', async () => {
      expect(await db.collection('after').find().toArray()).toEqual([{ _id: 1 }]);
      expect(await db.collection('before').countDocuments()).toBe(0);
    });
  });

  it('$text search finds documents by word or is refused', async () => {
    const coll = engine.db('text').collection('c');
    await coll.insertMany([
      { _id: 1, body: 'red apples' },
      { _id: 2, body: 'green pears' },
    ] as never[]);
    await correctOrNamedError(
      coll.createIndex({ body: 'text' }).then(() => coll.find({ $text: { $search: 'apples' } }).toArray()),
      'text',
      (out) => expect(out.map((d) => d._id)).toEqual([1]),
    );
  });

  it('hashed and 2dsphere indexes work or are refused by name', async () => {
    const coll = engine.db('specialidx').collection('c');
    await coll.insertMany([{ _id: 1, k: 'a', loc: { type: 'Point', coordinates: [0, 0] } }] as never[]);
    await correctOrNamedError(coll.createIndex({ k: 'hashed' }), 'hashed', async () => {
      expect(await coll.find({ k: 'a' }).toArray()).toHaveLength(1);
    });
    await correctOrNamedError(coll.createIndex({ loc: '2dsphere' }), '2dsphere', async () => {
      expect(await coll.countDocuments()).toBe(1);
    });
  });
});
