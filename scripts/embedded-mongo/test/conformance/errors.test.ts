import { describe, expect, it } from 'vitest';
import { rejectionOf, useTestEngine } from '../helpers/engine.js';

const engine = useTestEngine('errors');

async function seeded(label: string) {
  const coll = engine.db(label).collection('c');
  await coll.insertOne({ _id: 1, a: 1 } as never);
  return coll;
}

describe('unknown operators and stages', () => {
  it('an unknown query operator fails with BadValue (2) naming it', async () => {
    const coll = await seeded('queryop');
    const error = await rejectionOf(coll.find({ a: { $foo: 1 } } as never).toArray());
    expect(error).toMatchObject({ code: 2, codeName: 'BadValue' });
    expect(error.message).toContain('$foo');
  });

  it('an unknown top-level query operator fails with BadValue (2) naming it', async () => {
    const coll = await seeded('toplevel');
    const error = await rejectionOf(coll.find({ $bogus: [{ a: 1 }] } as never).toArray());
    expect(error).toMatchObject({ code: 2, codeName: 'BadValue' });
    expect(error.message).toContain('$bogus');
  });

  it('an unknown update operator fails with FailedToParse (9) naming it and changes nothing', async () => {
    const coll = await seeded('updateop');
    const error = await rejectionOf(coll.updateOne({ _id: 1 } as never, { $foo: { a: 2 } } as never));
    expect(error).toMatchObject({ code: 9, codeName: 'FailedToParse' });
    expect(error.message).toContain('$foo');
    expect(await coll.findOne({ _id: 1 } as never)).toEqual({ _id: 1, a: 1 });
  });

  it('an unknown pipeline stage fails with 40324 UnrecognizedPipelineStage naming it', async () => {
    const coll = await seeded('stage');
    const error = await rejectionOf(coll.aggregate([{ $match: {} }, { $foo: {} }]).toArray());
    expect(error).toMatchObject({ code: 40324, codeName: 'UnrecognizedPipelineStage' });
    expect(error.message).toContain('$foo');
  });

  it('an unknown expression operator fails with InvalidPipelineOperator (168) naming it', async () => {
    const coll = await seeded('expr');
    const error = await rejectionOf(coll.aggregate([{ $project: { x: { $foo: ['$a'] } } }]).toArray());
    expect(error).toMatchObject({ code: 168, codeName: 'InvalidPipelineOperator' });
    expect(error.message).toContain('$foo');
  });

  it('an unknown accumulator in $group fails naming it', async () => {
    const coll = await seeded('accumulator');
    const error = await rejectionOf(coll.aggregate([{ $group: { _id: null, x: { $foo: '$a' } } }]).toArray());
    expect(error.code).toBe(15952);
    expect(error.message).toContain('$foo');
  });

  it('an unknown command fails with CommandNotFound (59)', async () => {
    const error = await rejectionOf(engine.db('cmd').command({ definitelyNotACommand: 1 }));
    expect(error).toMatchObject({ code: 59, codeName: 'CommandNotFound' });
    expect(error.message).toContain('definitelyNotACommand');
  });

  it('$where is not silently ignored: it either works or fails', async () => {
    const coll = await seeded('where');
    const outcome = await coll
      .find({ $where: 'this.a === 2' } as never)
      .toArray()
      .then(
        (docs) => ({ docs }),
        (error: { code?: number }) => ({ error }),
      );
    if ('docs' in outcome) expect(outcome.docs).toEqual([]);
    else expect(typeof outcome.error.code).toBe('number');
  });

  it('a failed command leaves the connection usable', async () => {
    const coll = await seeded('after');
    await rejectionOf(coll.find({ a: { $foo: 1 } } as never).toArray());
    expect(await coll.countDocuments()).toBe(1);
  });
});
