import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChangeStream, type ChangeStreamDocument, type Document, MongoClient, MongoServerError, Timestamp } from 'mongodb';
import { type EmbeddedMongo, startEmbeddedMongo } from '../../src/index.js';

/** Change streams through the official driver: watch at each level, events, resume, transactions. */

type Doc = { _id: number | string; [field: string]: unknown };

let server: EmbeddedMongo;
let client: MongoClient;
let dbCounter = 0;
const freshDb = () => client.db(`cs${++dbCounter}`);

beforeAll(async () => {
  server = await startEmbeddedMongo();
  client = await new MongoClient(server.replicaSetUri, { appName: 'change-streams-test' }).connect();
});
afterAll(async () => {
  await client.close();
  await server.stop();
});

/** Opens the stream now (the driver's watch() is lazy) so later writes are reported. */
async function opened<T extends Document>(stream: ChangeStream<T>): Promise<ChangeStream<T>> {
  await stream.tryNext();
  return stream;
}

async function take<T extends Document>(stream: ChangeStream<T>, n: number): Promise<ChangeStreamDocument<T>[]> {
  const out: ChangeStreamDocument<T>[] = [];
  while (out.length < n) out.push((await stream.next()) as ChangeStreamDocument<T>);
  return out;
}

describe('change streams', () => {
  it('reports insert, update (updateDescription), replace and delete on a collection, with clusterTime, wallTime and resume tokens', async () => {
    const coll = freshDb().collection<Doc>('c');
    await coll.insertOne({ _id: 0, a: 1, arr: [1, 2, 3], sub: { x: 1, y: 2 } });
    const stream = await opened(coll.watch<Doc>([], { maxAwaitTimeMS: 100 }));
    await coll.insertOne({ _id: 1, a: 1 });
    await coll.updateOne({ _id: 0 }, { $set: { a: 2, 'sub.x': 5 }, $unset: { 'sub.y': '' } });
    await coll.updateOne({ _id: 0 }, [{ $set: { arr: [1] } }]);
    await coll.updateOne({ _id: 0 }, { $set: { a: 2 } }); // changes nothing: no event
    await coll.replaceOne({ _id: 1 }, { b: 1 });
    await coll.deleteOne({ _id: 1 });
    const events = await take(stream, 5);
    expect(events.map((e) => e.operationType)).toEqual(['insert', 'update', 'update', 'replace', 'delete']);
    const [insert, update, truncate, replace, del] = events as Document[];
    expect(insert).toMatchObject({ ns: { db: coll.dbName, coll: 'c' }, documentKey: { _id: 1 }, fullDocument: { _id: 1, a: 1 } });
    expect(insert!.clusterTime).toBeInstanceOf(Timestamp);
    expect(insert!.wallTime).toBeInstanceOf(Date);
    expect(insert!._id).toEqual({ _data: expect.any(String) });
    expect(update!.updateDescription).toEqual({ updatedFields: { a: 2, 'sub.x': 5 }, removedFields: ['sub.y'], truncatedArrays: [] });
    expect(update!.fullDocument).toBeUndefined();
    expect(truncate!.updateDescription).toEqual({ updatedFields: {}, removedFields: [], truncatedArrays: [{ field: 'arr', newSize: 1 }] });
    expect(replace).toMatchObject({ fullDocument: { _id: 1, b: 1 }, documentKey: { _id: 1 } });
    expect(del).toMatchObject({ documentKey: { _id: 1 } });
    expect(del!.fullDocument).toBeUndefined();
    // Tokens grow with the events.
    const tokens = events.map((e) => (e._id as { _data: string })._data);
    expect([...tokens].sort()).toEqual(tokens);
    await stream.close();
  });

  it('watches a database and the whole deployment; later $match and $project stages apply to the events', async () => {
    const db = freshDb();
    const other = freshDb();
    const dbStream = await opened(db.watch([], { maxAwaitTimeMS: 100 }));
    const clusterStream = await opened(
      client.watch([{ $match: { 'ns.db': { $in: [db.databaseName, other.databaseName] } } }, { $project: { operationType: 1, ns: 1, n: '$fullDocument.n' } }], { maxAwaitTimeMS: 100 }),
    );
    await db.collection<Doc>('x').insertOne({ _id: 1, n: 1 });
    await other.collection<Doc>('y').insertOne({ _id: 2, n: 2 });
    await db.collection<Doc>('z').insertOne({ _id: 3, n: 3 });
    const fromDb = await take(dbStream, 2);
    expect(fromDb.map((e) => (e as Document).ns.coll)).toEqual(['x', 'z']);
    const fromCluster = (await take(clusterStream, 3)) as Document[];
    expect(fromCluster.map((e) => [e.ns.db, e.ns.coll, e.n])).toEqual([
      [db.databaseName, 'x', 1],
      [other.databaseName, 'y', 2],
      [db.databaseName, 'z', 3],
    ]);
    expect(fromCluster[0]!.fullDocument).toBeUndefined();
    await dbStream.close();
    await clusterStream.close();
  });

  it("reports a transaction's writes only once it commits, all of them in order, with its lsid and txnNumber; an aborted one not at all", async () => {
    const coll = freshDb().collection<Doc>('t');
    await coll.insertOne({ _id: 'seed' });
    const stream = await opened(coll.watch<Doc>([], { maxAwaitTimeMS: 50 }));
    const session = client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ _id: 1 }, { session });
      await coll.updateOne({ _id: 1 }, { $set: { v: 1 } }, { session });
      await coll.deleteOne({ _id: 'seed' }, { session });
      expect(await stream.tryNext()).toBeNull();
      await session.commitTransaction();
      const events = (await take(stream, 3)) as Document[];
      expect(events.map((e) => e.operationType)).toEqual(['insert', 'update', 'delete']);
      expect(new Set(events.map((e) => String(e.clusterTime))).size).toBe(1);
      for (const e of events) {
        expect(Buffer.from(e.lsid.id.buffer).toString('hex')).toBe(Buffer.from(session.id!.id.buffer).toString('hex'));
        expect(Number(e.txnNumber)).toBeGreaterThan(0);
      }
      session.startTransaction();
      await coll.insertOne({ _id: 2 }, { session });
      await session.abortTransaction();
      await coll.insertOne({ _id: 3 });
      const [after] = (await take(stream, 1)) as Document[];
      expect(after).toMatchObject({ operationType: 'insert', documentKey: { _id: 3 } });
      expect(after!.lsid).toBeUndefined();
    } finally {
      await session.endSession();
      await stream.close();
    }
  });

  it('reports every write of a client bulkWrite once, across collections', async () => {
    const db = freshDb();
    const stream = await opened(db.watch([], { maxAwaitTimeMS: 50 }));
    await client.bulkWrite<Record<string, { _id: number; x?: number }>>([
      { name: 'insertOne', namespace: `${db.databaseName}.a`, document: { _id: 1 } },
      { name: 'insertOne', namespace: `${db.databaseName}.b`, document: { _id: 2 } },
      { name: 'updateOne', namespace: `${db.databaseName}.a`, filter: { _id: 1 }, update: { $set: { x: 1 } } },
    ]);
    const events = (await take(stream, 3)) as Document[];
    expect(events.map((e) => `${e.operationType}:${e.ns.coll}`)).toEqual(['insert:a', 'insert:b', 'update:a']);
    expect(await stream.tryNext()).toBeNull();
    await stream.close();
  });

  it('resumes by itself after the connection is dropped under a getMore (failCommand closeConnection), without losing or repeating events', async () => {
    const coll = freshDb().collection<Doc>('r');
    const stream = await opened(coll.watch<Doc>([], { maxAwaitTimeMS: 50 }));
    await coll.insertOne({ _id: 1 });
    expect((await stream.next()).operationType).toBe('insert');
    await client.db('admin').command({ configureFailPoint: 'failCommand', mode: { times: 1 }, data: { failCommands: ['getMore'], closeConnection: true, appName: 'change-streams-test' } });
    await coll.insertOne({ _id: 2 });
    await coll.insertOne({ _id: 3 });
    const events = (await take(stream, 2)) as Document[];
    expect(events.map((e) => e.documentKey._id)).toEqual([2, 3]);
    expect(await stream.tryNext()).toBeNull();
    await stream.close();
  });

  it('resumeAfter / startAfter / startAtOperationTime start where they say; a token that fell off the change log is ChangeStreamHistoryLost (286)', async () => {
    const coll = freshDb().collection<Doc>('p');
    const stream = await opened(coll.watch<Doc>([], { maxAwaitTimeMS: 50 }));
    const hello = await client.db('admin').command({ ping: 1 });
    await coll.insertMany([{ _id: 1 }, { _id: 2 }, { _id: 3 }]);
    const [first] = await take(stream, 1);
    await stream.close();
    const resumed = coll.watch<Doc>([], { resumeAfter: first!._id, maxAwaitTimeMS: 50 });
    expect(((await take(resumed, 2)) as Document[]).map((e) => e.documentKey._id)).toEqual([2, 3]);
    await resumed.close();
    const started = coll.watch<Doc>([], { startAfter: first!._id, maxAwaitTimeMS: 50 });
    expect(((await take(started, 1)) as Document[])[0]!.documentKey._id).toBe(2);
    await started.close();
    const atTime = coll.watch<Doc>([], { startAtOperationTime: hello.operationTime as Timestamp, maxAwaitTimeMS: 50 });
    expect(((await take(atTime, 3)) as Document[]).map((e) => e.documentKey._id)).toEqual([1, 2, 3]);
    await atTime.close();

    const small = await startEmbeddedMongo({ changeLog: { entries: 3 } });
    const smallClient = await new MongoClient(small.replicaSetUri).connect();
    try {
      const c = smallClient.db('h').collection<Doc>('c');
      const s = await opened(c.watch<Doc>([], { maxAwaitTimeMS: 50 }));
      await c.insertOne({ _id: 0 });
      const [event] = await take(s, 1);
      await s.close();
      for (let i = 1; i <= 5; i++) await c.insertOne({ _id: i });
      const lost = await smallClient
        .db('h')
        .collection('c')
        .aggregate([{ $changeStream: { resumeAfter: event!._id } }])
        .toArray()
        .catch((e: unknown) => e);
      expect(lost).toBeInstanceOf(MongoServerError);
      expect((lost as MongoServerError).code).toBe(286);
    } finally {
      await smallClient.close();
      await small.stop();
    }
  });

  it('fullDocument updateLookup, and pre-/post-images when the collection enables changeStreamPreAndPostImages', async () => {
    const db = freshDb();
    await db.createCollection('img', { changeStreamPreAndPostImages: { enabled: true } });
    const coll = db.collection<{ _id: number; v: number }>('img');
    const plain = db.collection<{ _id: number; v: number }>('plain');
    await coll.insertOne({ _id: 1, v: 1 });
    await plain.insertOne({ _id: 1, v: 1 });
    const lookup = await opened(plain.watch([], { fullDocument: 'updateLookup', maxAwaitTimeMS: 50 }));
    const images = await opened(coll.watch([], { fullDocument: 'required', fullDocumentBeforeChange: 'required', maxAwaitTimeMS: 50 }));
    const required = await opened(plain.watch([], { fullDocumentBeforeChange: 'required', maxAwaitTimeMS: 50 }));
    await plain.updateOne({ _id: 1 }, { $inc: { v: 1 } });
    await coll.updateOne({ _id: 1 }, { $inc: { v: 1 } });
    expect((await lookup.next()) as Document).toMatchObject({ operationType: 'update', fullDocument: { _id: 1, v: 2 } });
    expect((await images.next()) as Document).toMatchObject({ fullDocument: { _id: 1, v: 2 }, fullDocumentBeforeChange: { _id: 1, v: 1 } });
    await expect(required.next()).rejects.toBeInstanceOf(MongoServerError);
    await Promise.all([lookup.close(), images.close(), required.close()]);
  });

  it('collMod changeStreamPreAndPostImages is kept across a restart (journaled)', async () => {
    const dbPath = await mkdtemp(join(tmpdir(), 'cs-images-'));
    try {
      let engine = await startEmbeddedMongo({ dbPath });
      let c = await new MongoClient(engine.replicaSetUri).connect();
      await c.db('d').createCollection('k');
      await c.db('d').command({ collMod: 'k', changeStreamPreAndPostImages: { enabled: true } });
      await c.close();
      await engine.stop();
      engine = await startEmbeddedMongo({ dbPath });
      c = await new MongoClient(engine.replicaSetUri).connect();
      try {
        const [info] = await c.db('d').listCollections({ name: 'k' }, { nameOnly: false }).toArray();
        expect(info?.options).toMatchObject({ changeStreamPreAndPostImages: { enabled: true } });
      } finally {
        await c.close();
        await engine.stop();
      }
    } finally {
      await rm(dbPath, { recursive: true, force: true });
    }
  });

  it('drop and rename end a collection stream with an invalidate; startAfter the invalidate goes on', async () => {
    const db = freshDb();
    const coll = db.collection<Doc>('gone');
    await coll.insertOne({ _id: 1 });
    const stream = await opened(coll.watch<Doc>([], { maxAwaitTimeMS: 50 }));
    await coll.drop();
    const [drop, invalidate] = (await take(stream, 2)) as Document[];
    expect(drop).toMatchObject({ operationType: 'drop', ns: { db: db.databaseName, coll: 'gone' } });
    expect(invalidate!.operationType).toBe('invalidate');
    expect(stream.closed).toBe(true);
    const resumed = coll.watch<Doc>([], { resumeAfter: invalidate!._id, maxAwaitTimeMS: 50 });
    await expect(resumed.next()).rejects.toMatchObject({ code: 260 });
    await resumed.close().catch(() => undefined);
    const after = coll.watch<Doc>([], { startAfter: invalidate!._id, maxAwaitTimeMS: 50 });
    await coll.insertOne({ _id: 2 });
    expect((await after.next()) as Document).toMatchObject({ operationType: 'insert', documentKey: { _id: 2 } });
    const renaming = await opened(coll.watch<Doc>([], { maxAwaitTimeMS: 50 }));
    await coll.rename('moved');
    const [rename, end] = (await take(renaming, 2)) as Document[];
    expect(rename).toMatchObject({ operationType: 'rename', to: { db: db.databaseName, coll: 'moved' } });
    expect(end!.operationType).toBe('invalidate');
    const dbStream = await opened(db.watch([], { maxAwaitTimeMS: 50 }));
    await db.dropDatabase();
    const events = (await take(dbStream, 3)) as Document[];
    expect(events.map((e) => e.operationType)).toEqual(['drop', 'dropDatabase', 'invalidate']);
    await after.close();
  });

  it('a getMore waits up to maxAwaitTimeMS for a change and answers as soon as one commits', async () => {
    const coll = freshDb().collection<Doc>('w');
    const stream = await opened(coll.watch<Doc>([], { maxAwaitTimeMS: 10_000 }));
    const started = Date.now();
    setTimeout(() => void coll.insertOne({ _id: 1 }), 200);
    const event = (await stream.next()) as Document;
    expect(event.documentKey._id).toBe(1);
    // As soon as it commits: far sooner than the 10 s a getMore that ignored the insert would wait.
    expect(Date.now() - started).toBeLessThan(5_000);
    await stream.close();
    const idle = await opened(coll.watch<Doc>([], { maxAwaitTimeMS: 300 }));
    const t0 = Date.now();
    expect(await idle.tryNext()).toBeNull();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    await idle.close();
  });

  it('refuses what mongod refuses: a stage not allowed after $changeStream, $changeStream in a transaction', async () => {
    const coll = freshDb().collection<Doc>('e');
    await expect(coll.aggregate([{ $changeStream: {} }, { $group: { _id: null } }]).toArray()).rejects.toMatchObject({ code: 20 });
    await expect(coll.aggregate([{ $changeStream: {} }, { $unknownStage: {} }]).toArray()).rejects.toMatchObject({ code: 40324 });
    const session = client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ _id: 1 }, { session });
      await expect(coll.aggregate([{ $changeStream: {} }], { session }).toArray()).rejects.toMatchObject({ code: 263 });
    } finally {
      await session.abortTransaction().catch(() => undefined);
      await session.endSession();
    }
  });
});
