import { describe, expect, it } from 'vitest';
import { rejectionOf, useTestEngine, waitFor } from '../helpers/engine.js';

const engine = useTestEngine('indexes');

/** A real server's TTL monitor runs every 60 s; allow two rounds. */
const TTL_WAIT_MS = 130_000;

describe('index management', () => {
  it('createIndex returns the generated name; listIndexes shows it beside _id_; dropIndex removes it', async () => {
    const coll = engine.db('manage').collection('c');
    await coll.insertOne({ a: 1, b: 2 });
    expect(await coll.createIndex({ a: 1 })).toBe('a_1');
    expect(await coll.createIndex({ a: 1, b: -1 }, { name: 'ab' })).toBe('ab');
    const indexes = await coll.listIndexes().toArray();
    const byName = Object.fromEntries(indexes.map((i) => [i.name, i]));
    expect(Object.keys(byName).sort()).toEqual(['_id_', 'a_1', 'ab']);
    expect(byName._id_!.key).toEqual({ _id: 1 });
    expect(byName.a_1!.key).toEqual({ a: 1 });
    expect(byName.ab!.key).toEqual({ a: 1, b: -1 });
    expect(byName.a_1!.v).toBe(2);

    await coll.dropIndex('a_1');
    const after = (await coll.listIndexes().toArray()).map((i) => i.name).sort();
    expect(after).toEqual(['_id_', 'ab']);
  });

  it('creating the same index twice is a no-op', async () => {
    const coll = engine.db('twice').collection('c');
    await coll.createIndex({ a: 1 });
    await coll.createIndex({ a: 1 });
    expect((await coll.listIndexes().toArray()).map((i) => i.name).sort()).toEqual(['_id_', 'a_1']);
  });

  it('the same name with a different key fails; dropping a missing index fails with IndexNotFound (27)', async () => {
    const coll = engine.db('conflicts').collection('c');
    await coll.createIndex({ a: 1 }, { name: 'idx' });
    const conflict = await rejectionOf(coll.createIndex({ b: 1 }, { name: 'idx' }));
    expect([85, 86]).toContain(conflict.code);
    const missing = await rejectionOf(coll.dropIndex('nope'));
    expect(missing).toMatchObject({ code: 27, codeName: 'IndexNotFound' });
  });

  it('the _id index cannot be dropped', async () => {
    const coll = engine.db('dropid').collection('c');
    await coll.insertOne({ a: 1 });
    const error = await rejectionOf(coll.dropIndex('_id_'));
    expect(typeof error.code).toBe('number');
  });

  it('listIndexes and dropIndex on a collection that does not exist fail with NamespaceNotFound (26)', async () => {
    const coll = engine.db('nons').collection('missing');
    expect((await rejectionOf(coll.listIndexes().toArray())).code).toBe(26);
    expect((await rejectionOf(coll.dropIndex('a_1'))).code).toBe(26);
  });

  it('dropIndexes "*" drops all but _id', async () => {
    const coll = engine.db('dropall').collection('c');
    await coll.createIndexes([{ key: { a: 1 } }, { key: { b: 1 } }]);
    await coll.dropIndexes();
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });
});

describe('unique indexes', () => {
  it('a duplicate key fails with 11000 carrying keyPattern and keyValue; the document is not stored', async () => {
    const coll = engine.db('unique').collection('users');
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.insertOne({ email: 'a@x' });
    const error = await rejectionOf(coll.insertOne({ email: 'a@x', second: true }));
    expect(error.code).toBe(11000);
    expect(error.keyPattern).toEqual({ email: 1 });
    expect(error.keyValue).toEqual({ email: 'a@x' });
    expect(await coll.countDocuments()).toBe(1);
  });

  it('an update that would create a duplicate fails with 11000 and leaves the document unchanged', async () => {
    const coll = engine.db('uniqueupdate').collection('users');
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.insertMany([
      { _id: 1, email: 'a@x' },
      { _id: 2, email: 'b@x' },
    ] as never[]);
    const error = await rejectionOf(coll.updateOne({ _id: 2 } as never, { $set: { email: 'a@x' } }));
    expect(error.code).toBe(11000);
    expect(await coll.findOne({ _id: 2 } as never)).toEqual({ _id: 2, email: 'b@x' });
  });

  it('unique compound index: only the full key combination must be unique', async () => {
    const coll = engine.db('uniquecompound').collection('users');
    await coll.createIndex({ tenant: 1, email: 1 }, { unique: true });
    await coll.insertOne({ tenant: 't1', email: 'a@x' });
    await coll.insertOne({ tenant: 't2', email: 'a@x' });
    const error = await rejectionOf(coll.insertOne({ tenant: 't1', email: 'a@x' }));
    expect(error.code).toBe(11000);
    expect(error.keyPattern).toEqual({ tenant: 1, email: 1 });
    expect(error.keyValue).toEqual({ tenant: 't1', email: 'a@x' });
  });

  it('a non-sparse unique index treats a missing field as null: a second document without it is a duplicate', async () => {
    const coll = engine.db('uniquenull').collection('c');
    await coll.createIndex({ code: 1 }, { unique: true });
    await coll.insertOne({ other: 1 });
    const error = await rejectionOf(coll.insertOne({ other: 2 }));
    expect(error.code).toBe(11000);
    expect(error.keyValue).toEqual({ code: null });
  });

  it('a sparse unique index ignores documents without the field', async () => {
    const coll = engine.db('sparse').collection('c');
    await coll.createIndex({ code: 1 }, { unique: true, sparse: true });
    await coll.insertMany([{ other: 1 }, { other: 2 }, { code: 'x' }]);
    expect((await rejectionOf(coll.insertOne({ code: 'x' }))).code).toBe(11000);
    expect(await coll.countDocuments()).toBe(3);
    const listed = (await coll.listIndexes().toArray()).find((i) => i.name === 'code_1');
    expect(listed).toMatchObject({ unique: true, sparse: true });
  });

  it('a partial unique index only constrains documents matching partialFilterExpression', async () => {
    const coll = engine.db('partial').collection('c');
    await coll.createIndex({ email: 1 }, { unique: true, partialFilterExpression: { status: 'active' } });
    await coll.insertMany([
      { email: 'a@x', status: 'deleted' },
      { email: 'a@x', status: 'deleted' },
      { email: 'a@x', status: 'active' },
    ]);
    expect((await rejectionOf(coll.insertOne({ email: 'a@x', status: 'active' }))).code).toBe(11000);
    const listed = (await coll.listIndexes().toArray()).find((i) => i.name === 'email_1');
    expect(listed!.partialFilterExpression).toEqual({ status: 'active' });
  });

  it('creating a unique index over existing duplicates fails with 11000 and creates nothing', async () => {
    const coll = engine.db('uniqueexisting').collection('c');
    await coll.insertMany([{ k: 1 }, { k: 1 }]);
    expect((await rejectionOf(coll.createIndex({ k: 1 }, { unique: true }))).code).toBe(11000);
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('a unique index on an array field is multikey: an element shared with another document is a duplicate', async () => {
    const coll = engine.db('multikey').collection('c');
    await coll.createIndex({ tags: 1 }, { unique: true });
    await coll.insertOne({ tags: ['a', 'b'] });
    expect((await rejectionOf(coll.insertOne({ tags: ['c', 'b'] }))).code).toBe(11000);
    await coll.insertOne({ tags: ['c', 'd'] });
    expect(await coll.countDocuments({ tags: 'd' })).toBe(1);
  });

  it('queries through an index return the same answers as without (equality, range, sort)', async () => {
    const coll = engine.db('indexedquery').collection('c');
    await coll.insertMany(Array.from({ length: 200 }, (_, i) => ({ k: i % 50, v: i })));
    await coll.createIndex({ k: 1, v: -1 });
    const eq = await coll
      .find({ k: 7 }, { projection: { _id: 0, v: 1 } })
      .sort({ k: 1, v: -1 })
      .toArray();
    expect(eq.map((d) => d.v)).toEqual([157, 107, 57, 7]);
    const range = await coll
      .find({ k: { $gt: 47, $lte: 49 } })
      .sort({ k: -1, v: 1 })
      .limit(3)
      .toArray();
    expect(range.map((d) => [d.k, d.v])).toEqual([
      [49, 49],
      [49, 99],
      [49, 149],
    ]);
  });
});

describe('TTL indexes', () => {
  it(
    'expired documents disappear; future, non-date and missing values stay',
    async () => {
      const coll = engine.db('ttl').collection('sessions');
      await coll.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
      const listed = (await coll.listIndexes().toArray()).find((i) => i.name === 'expiresAt_1');
      expect(listed!.expireAfterSeconds).toBe(0);
      await coll.insertMany([
        { _id: 'expired', expiresAt: new Date(Date.now() - 60_000) },
        { _id: 'expiredInArray', expiresAt: [new Date(Date.now() + 3_600_000), new Date(Date.now() - 60_000)] },
        { _id: 'future', expiresAt: new Date(Date.now() + 3_600_000) },
        { _id: 'notADate', expiresAt: 'yesterday' },
        { _id: 'missing' },
      ] as never[]);
      // A second collection whose documents are 10 s old but live for an hour: the same TTL pass must keep them.
      const longLived = engine.db('ttl').collection('longLived');
      await longLived.createIndex({ at: 1 }, { expireAfterSeconds: 3600 });
      await longLived.insertOne({ _id: 'recent', at: new Date(Date.now() - 10_000) } as never);
      await waitFor(async () => (await coll.countDocuments({ _id: { $in: ['expired', 'expiredInArray'] } } as never)) === 0, {
        timeoutMs: TTL_WAIT_MS,
        intervalMs: 250,
        what: 'the TTL monitor to delete expired documents',
      });
      const left = (await coll.find().toArray()).map((d) => d._id).sort();
      expect(left).toEqual(['future', 'missing', 'notADate']);
      expect(await longLived.countDocuments()).toBe(1);
    },
    TTL_WAIT_MS + 10_000,
  );
});
