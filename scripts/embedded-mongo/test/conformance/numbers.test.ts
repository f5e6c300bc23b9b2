import { describe, expect, it } from 'vitest';
import { Binary, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, UUID } from 'mongodb';
import { useTestEngine } from '../helpers/engine.js';

const engine = useTestEngine('numbers');

const BEYOND_2_53 = '9007199254740993'; // 2^53 + 1: not representable as a double

describe('number type fidelity', () => {
  it('Int32, Long, Double and Decimal128 round-trip with their BSON types', async () => {
    const coll = engine.db('roundtrip').collection('c');
    await coll.insertOne({
      _id: 1 as never,
      i: new Int32(42),
      l: Long.fromString('1234567890123'),
      d: new Double(2),
      dec: Decimal128.fromString('1.10'),
    });
    const doc = await coll.findOne({ _id: 1 as never }, { promoteValues: false });
    expect(doc!.i).toBeInstanceOf(Int32);
    expect(doc!.i.value).toBe(42);
    expect(doc!.l).toBeInstanceOf(Long);
    expect(doc!.l.toString()).toBe('1234567890123');
    expect(doc!.d).toBeInstanceOf(Double);
    expect(doc!.d.value).toBe(2);
    expect(doc!.dec).toBeInstanceOf(Decimal128);
    expect(doc!.dec.toString()).toBe('1.10');
  });

  it('promoteLongs:false returns Long values as Long', async () => {
    const coll = engine.db('promote').collection('c');
    await coll.insertOne({ _id: 1 as never, l: Long.fromNumber(7), big: Long.fromString(BEYOND_2_53) });
    const promoted = await coll.findOne({ _id: 1 as never });
    expect(promoted!.l).toBe(7);
    const raw = await coll.findOne({ _id: 1 as never }, { promoteLongs: false });
    expect(raw!.l).toBeInstanceOf(Long);
    expect(raw!.l.toString()).toBe('7');
    expect(raw!.big.toString()).toBe(BEYOND_2_53);
  });

  it('the stored type is what $type sees: int, long, double, decimal', async () => {
    const coll = engine.db('storedtype').collection('c');
    await coll.insertMany([
      { _id: 'int', v: new Int32(1) },
      { _id: 'long', v: Long.fromNumber(1) },
      { _id: 'double', v: new Double(1) },
      { _id: 'decimal', v: Decimal128.fromString('1') },
    ] as never[]);
    for (const alias of ['int', 'long', 'double', 'decimal']) {
      const docs = await coll.find({ v: { $type: alias } }).toArray();
      expect(docs.map((d) => d._id)).toEqual([alias]);
    }
  });
});

describe('numeric comparison across types', () => {
  it('1 as Int32, Long, Double and Decimal128 are all equal to each other', async () => {
    const coll = engine.db('crosseq').collection('c');
    await coll.insertMany([
      { _id: 'int', v: new Int32(1) },
      { _id: 'long', v: Long.fromNumber(1) },
      { _id: 'double', v: new Double(1) },
      { _id: 'decimal', v: Decimal128.fromString('1.0') },
      { _id: 'two', v: new Int32(2) },
    ] as never[]);
    for (const probe of [new Int32(1), Long.fromNumber(1), new Double(1), Decimal128.fromString('1')]) {
      const ids = (await coll.find({ v: probe }).toArray()).map((d) => d._id).sort();
      expect(ids).toEqual(['decimal', 'double', 'int', 'long']);
    }
    expect(await coll.countDocuments({ v: { $in: [Long.fromNumber(2)] } })).toBe(1);
  });

  it('sorts numbers of different types by value', async () => {
    const coll = engine.db('crosssort').collection('c');
    await coll.insertMany([
      { _id: 'a', v: new Int32(3) },
      { _id: 'b', v: Long.fromNumber(2) },
      { _id: 'c', v: new Double(2.5) },
      { _id: 'd', v: Decimal128.fromString('1.5') },
      { _id: 'e', v: new Double(-0.5) },
      { _id: 'f', v: Long.fromNumber(10) },
    ] as never[]);
    const ids = (await coll.find().sort({ v: 1 }).toArray()).map((d) => d._id);
    expect(ids).toEqual(['e', 'd', 'b', 'c', 'a', 'f']);
    const desc = (await coll.find().sort({ v: -1 }).toArray()).map((d) => d._id);
    expect(desc).toEqual(['f', 'a', 'c', 'b', 'd', 'e']);
  });

  it('Long(5) < Long(10) in filters and sorts', async () => {
    const coll = engine.db('longorder').collection('c');
    await coll.insertMany([
      { _id: 'ten', v: Long.fromNumber(10) },
      { _id: 'five', v: Long.fromNumber(5) },
      { _id: 'hundred', v: Long.fromNumber(100) },
    ] as never[]);
    const lt = (await coll.find({ v: { $lt: Long.fromNumber(10) } }).toArray()).map((d) => d._id);
    expect(lt).toEqual(['five']);
    const gt = (
      await coll
        .find({ v: { $gt: Long.fromNumber(5) } })
        .sort({ v: 1 })
        .toArray()
    ).map((d) => d._id);
    expect(gt).toEqual(['ten', 'hundred']);
    const sorted = (await coll.find().sort({ v: 1 }).toArray()).map((d) => d._id);
    expect(sorted).toEqual(['five', 'ten', 'hundred']);
  });

  it('Long values beyond 2^53 are compared exactly', async () => {
    const coll = engine.db('bigeq').collection('c');
    await coll.insertMany([
      { _id: 'p53', v: Long.fromString('9007199254740992') },
      { _id: 'p53plus1', v: Long.fromString(BEYOND_2_53) },
      { _id: 'p53plus2', v: Long.fromString('9007199254740994') },
    ] as never[]);
    const eq = (await coll.find({ v: Long.fromString(BEYOND_2_53) }).toArray()).map((d) => d._id);
    expect(eq).toEqual(['p53plus1']);
    const gt = (
      await coll
        .find({ v: { $gt: Long.fromString('9007199254740992') } })
        .sort({ v: 1 })
        .toArray()
    ).map((d) => d._id);
    expect(gt).toEqual(['p53plus1', 'p53plus2']);
    const desc = (await coll.find().sort({ v: -1 }).toArray()).map((d) => d._id);
    expect(desc).toEqual(['p53plus2', 'p53plus1', 'p53']);
  });

  it('$inc on a Long beyond 2^53 is exact and keeps the Long type', async () => {
    const coll = engine.db('biginc').collection('c');
    await coll.insertOne({ _id: 1 as never, v: Long.fromString(BEYOND_2_53) });
    const result = await coll.updateOne({ _id: 1 as never }, { $inc: { v: Long.fromNumber(1) } });
    expect(result.modifiedCount).toBe(1);
    await coll.updateOne({ _id: 1 as never }, { $inc: { v: new Int32(2) } });
    const doc = await coll.findOne({ _id: 1 as never }, { promoteValues: false });
    expect(doc!.v).toBeInstanceOf(Long);
    expect(doc!.v.toString()).toBe('9007199254740996');
  });

  it('$inc on Int32 that overflows becomes a Long; Int32 + Double becomes a Double', async () => {
    const coll = engine.db('incpromote').collection('c');
    await coll.insertOne({ _id: 1 as never, i: new Int32(2147483647), j: new Int32(1) });
    await coll.updateOne({ _id: 1 as never }, { $inc: { i: new Int32(1), j: new Double(0.5) } });
    const doc = await coll.findOne({ _id: 1 as never }, { promoteValues: false });
    expect(doc!.i).toBeInstanceOf(Long);
    expect(doc!.i.toString()).toBe('2147483648');
    expect(doc!.j).toBeInstanceOf(Double);
    expect(doc!.j.value).toBe(1.5);
  });

  it('$inc with a Decimal128 keeps decimal precision', async () => {
    const coll = engine.db('decinc').collection('c');
    await coll.insertOne({ _id: 1 as never, v: Decimal128.fromString('0.1') });
    await coll.updateOne({ _id: 1 as never }, { $inc: { v: Decimal128.fromString('0.2') } });
    const doc = await coll.findOne({ _id: 1 as never });
    expect(doc!.v).toBeInstanceOf(Decimal128);
    expect(doc!.v.toString()).toBe('0.3');
  });

  it('comparison operators do not match values of other types (type bracketing)', async () => {
    const coll = engine.db('bracket').collection('c');
    await coll.insertMany([
      { _id: 'num', v: 10 },
      { _id: 'str', v: '20' },
      { _id: 'null', v: null },
      { _id: 'bool', v: true },
    ] as never[]);
    expect((await coll.find({ v: { $gt: 5 } }).toArray()).map((d) => d._id)).toEqual(['num']);
    expect((await coll.find({ v: { $gt: '1' } }).toArray()).map((d) => d._id)).toEqual(['str']);
  });

  it('sorts values of different BSON types in MongoDB comparison order', async () => {
    const coll = engine.db('typeorder').collection('c');
    const docs = [
      { _id: 'maxKey', v: new MaxKey() },
      { _id: 'date', v: new Date('2020-01-01') },
      { _id: 'bool', v: false },
      { _id: 'objectId', v: new ObjectId('000000000000000000000001') },
      { _id: 'binData', v: new Binary(Buffer.from([1])) },
      { _id: 'object', v: { a: 1 } },
      { _id: 'string', v: 'abc' },
      { _id: 'number', v: 5 },
      { _id: 'null', v: null },
      { _id: 'minKey', v: new MinKey() },
    ];
    await coll.insertMany(docs as never[]);
    const ids = (await coll.find().sort({ v: 1 }).toArray()).map((d) => d._id);
    expect(ids).toEqual(['minKey', 'null', 'number', 'string', 'object', 'binData', 'objectId', 'bool', 'date', 'maxKey']);
  });
});

describe('$type', () => {
  it('matches by alias, by number, by "number" and by a list', async () => {
    const coll = engine.db('type').collection('c');
    await coll.insertMany([
      { _id: 'int', v: new Int32(1) },
      { _id: 'long', v: Long.fromNumber(1) },
      { _id: 'double', v: new Double(1.5) },
      { _id: 'decimal', v: Decimal128.fromString('1') },
      { _id: 'string', v: 's' },
      { _id: 'bool', v: true },
      { _id: 'date', v: new Date() },
      { _id: 'null', v: null },
      { _id: 'objectId', v: new ObjectId() },
      { _id: 'array', v: [] },
      { _id: 'object', v: {} },
      { _id: 'binData', v: new Binary(Buffer.from('x')) },
    ] as never[]);
    const ids = async (type: unknown) => (await coll.find({ v: { $type: type } } as never).toArray()).map((d) => d._id as unknown as string).sort();
    expect(await ids('number')).toEqual(['decimal', 'double', 'int', 'long']);
    expect(await ids('string')).toEqual(['string']);
    expect(await ids(2)).toEqual(['string']);
    expect(await ids(16)).toEqual(['int']);
    expect(await ids(18)).toEqual(['long']);
    expect(await ids(19)).toEqual(['decimal']);
    expect(await ids(1)).toEqual(['double']);
    expect(await ids('bool')).toEqual(['bool']);
    expect(await ids('date')).toEqual(['date']);
    expect(await ids('null')).toEqual(['null']);
    expect(await ids('objectId')).toEqual(['objectId']);
    expect(await ids('array')).toEqual(['array']);
    expect(await ids('object')).toEqual(['object']);
    expect(await ids('binData')).toEqual(['binData']);
    expect(await ids(['string', 'int'])).toEqual(['int', 'string']);
  });

  it('the $type aggregation operator names the BSON type', async () => {
    const coll = engine.db('typeexpr').collection('c');
    await coll.insertMany([
      { _id: 1, v: new Int32(1) },
      { _id: 2, v: Long.fromNumber(1) },
      { _id: 3, v: new Double(1) },
      { _id: 4, v: Decimal128.fromString('1') },
    ] as never[]);
    const out = await coll.aggregate([{ $sort: { _id: 1 } }, { $project: { t: { $type: '$v' } } }]).toArray();
    expect(out.map((d) => d.t)).toEqual(['int', 'long', 'double', 'decimal']);
  });
});

describe('Binary', () => {
  it('matches by subtype and exact bytes', async () => {
    const coll = engine.db('binary').collection('c');
    const uuid = new UUID();
    await coll.insertMany([
      { _id: 'generic', v: new Binary(Buffer.from([1, 2, 3]), 0) },
      { _id: 'userDefined', v: new Binary(Buffer.from([1, 2, 3]), 0x80) },
      { _id: 'longer', v: new Binary(Buffer.from([1, 2, 3, 4]), 0) },
      { _id: 'uuid', v: uuid },
    ] as never[]);
    const ids = async (v: unknown) => (await coll.find({ v } as never).toArray()).map((d) => d._id);
    expect(await ids(new Binary(Buffer.from([1, 2, 3]), 0))).toEqual(['generic']);
    expect(await ids(new Binary(Buffer.from([1, 2, 3]), 0x80))).toEqual(['userDefined']);
    expect(await ids(new Binary(Buffer.from([1, 2]), 0))).toEqual([]);
    expect(await ids(new UUID(uuid.toHexString()))).toEqual(['uuid']);
    const doc = await coll.findOne({ _id: 'uuid' as never });
    expect(doc!.v.toString('hex')).toBe(uuid.toString('hex'));
  });
});
