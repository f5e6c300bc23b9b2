import { describe, expect, it } from 'vitest';
import { useTestEngine } from '../helpers/engine.js';

const engine = useTestEngine('handshake');

describe('handshake', () => {
  it('hello reports a writable primary with wire version >= 9 and a session timeout', async () => {
    const hello = await engine.client.db('admin').command({ hello: 1 });
    expect(hello.ok).toBe(1);
    expect(hello.isWritablePrimary).toBe(true);
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(9);
    expect(typeof hello.logicalSessionTimeoutMinutes).toBe('number');
    expect(typeof hello.setName).toBe('string');
  });

  it('connects with ?directConnection=true and runs a write and a read', async () => {
    const client = await engine.newClient({}, `mongodb://${engine.host}/?directConnection=true`);
    const coll = client.db(engine.dbName('direct')).collection('c');
    await coll.insertOne({ _id: 1 as never, via: 'direct' });
    expect(await coll.findOne({ _id: 1 as never })).toEqual({ _id: 1, via: 'direct' });
    expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
  });

  it('connects with ?replicaSet=<name> and discovers the primary', async () => {
    const hello = await engine.client.db('admin').command({ hello: 1 });
    const client = await engine.newClient({ serverSelectionTimeoutMS: 10_000 }, `mongodb://${engine.host}/?replicaSet=${encodeURIComponent(hello.setName as string)}`);
    const coll = client.db(engine.dbName('rs')).collection('c');
    await coll.insertOne({ _id: 1 as never, via: 'replicaSet' });
    expect(await coll.findOne({ _id: 1 as never })).toEqual({ _id: 1, via: 'replicaSet' });
  });

  it('isMaster and buildInfo answer', async () => {
    const admin = engine.client.db('admin');
    const isMaster = await admin.command({ isMaster: 1 });
    expect(isMaster.ok).toBe(1);
    expect(isMaster.ismaster).toBe(true);
    const buildInfo = await admin.command({ buildInfo: 1 });
    expect(buildInfo.ok).toBe(1);
    expect(typeof buildInfo.version).toBe('string');
    expect(Array.isArray(buildInfo.versionArray)).toBe(true);
  });

  it('read preferences other than primary are served by the only member on a replicaSet connection', async () => {
    const hello = await engine.client.db('admin').command({ hello: 1 });
    const client = await engine.newClient(
      { serverSelectionTimeoutMS: 10_000 },
      `mongodb://${engine.host}/?replicaSet=${encodeURIComponent(hello.setName as string)}&readPreference=secondaryPreferred`,
    );
    const coll = client.db(engine.dbName('readpref')).collection('c');
    await coll.insertOne({ _id: 1 as never });
    expect(await coll.find({}, { readPreference: 'nearest' }).toArray()).toEqual([{ _id: 1 }]);
    expect(await coll.countDocuments({}, { readPreference: 'primaryPreferred' })).toBe(1);
  });

  it('majority/journaled write concerns and majority/local read concerns are accepted', async () => {
    const coll = engine.db('concerns').collection('c');
    await coll.insertOne({ _id: 1 as never }, { writeConcern: { w: 'majority', journal: true, wtimeoutMS: 5_000 } });
    await coll.updateOne({ _id: 1 as never }, { $set: { a: 1 } }, { writeConcern: { w: 1 } });
    expect(await coll.find({}, { readConcern: { level: 'majority' } }).toArray()).toEqual([{ _id: 1, a: 1 }]);
    expect(await coll.find({}, { readConcern: { level: 'local' } }).toArray()).toEqual([{ _id: 1, a: 1 }]);
  });

  it('a causally consistent session reads its own writes outside transactions', async () => {
    const coll = engine.db('causal').collection('c');
    const session = engine.client.startSession({ causalConsistency: true });
    try {
      for (let i = 0; i < 5; i += 1) {
        await coll.insertOne({ _id: i as never }, { session });
        expect(await coll.countDocuments({}, { session })).toBe(i + 1);
      }
      expect(session.operationTime).toBeDefined();
    } finally {
      await session.endSession();
    }
  });
});
