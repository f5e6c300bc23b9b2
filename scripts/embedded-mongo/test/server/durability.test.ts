import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Long, MongoClient } from 'mongodb';
import { startEmbeddedMongo } from '../../src/index.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'embedded-mongo-durability-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function withServer<T>(dbPath: string, run: (client: MongoClient) => Promise<T>, options: { compactJournalBytes?: number } = {}): Promise<T> {
  const server = await startEmbeddedMongo({ dbPath, ...options });
  const client = await new MongoClient(server.uri).connect();
  try {
    return await run(client);
  } finally {
    await client.close();
    await server.stop();
  }
}

describe('durability with dbPath', () => {
  it('acknowledged writes, committed transactions and indexes survive a restart', async () => {
    const dbPath = await tempDir();
    await withServer(dbPath, async (client) => {
      const coll = client.db('durable').collection('c');
      await coll.createIndex({ email: 1 }, { unique: true });
      await coll.insertMany([
        { _id: 1, email: 'a', n: Long.fromNumber(1) },
        { _id: 2, email: 'b' },
      ] as never[]);
      await coll.updateOne({ _id: 1 } as never, { $inc: { n: Long.fromNumber(41) } });
      await coll.deleteOne({ _id: 2 } as never);
      const session = client.startSession();
      await session.withTransaction(async () => {
        await coll.insertOne({ _id: 3, email: 'c' } as never, { session });
      });
      await session.endSession();
      const aborted = client.startSession();
      aborted.startTransaction();
      await coll.insertOne({ _id: 4, email: 'd' } as never, { session: aborted });
      await aborted.abortTransaction();
      await aborted.endSession();
    });
    await withServer(dbPath, async (client) => {
      const coll = client.db('durable').collection('c');
      expect(await coll.find({}, { sort: { _id: 1 }, promoteLongs: false }).toArray()).toEqual([
        { _id: 1, email: 'a', n: Long.fromNumber(42) },
        { _id: 3, email: 'c' },
      ]);
      expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'email_1']);
      const dup = await coll.insertOne({ email: 'a' }).catch((e: unknown) => e);
      expect((dup as { code?: number }).code).toBe(11000);
    });
  });

  it('compaction on a small journal threshold keeps every document across restarts', async () => {
    const dbPath = await tempDir();
    await withServer(
      dbPath,
      async (client) => {
        const coll = client.db('durable_compact').collection('c');
        for (let batch = 0; batch < 20; batch++) {
          await coll.insertMany(Array.from({ length: 100 }, (_, i) => ({ batch, i, pad: 'x'.repeat(200) })));
        }
        await coll.updateMany({ batch: { $lt: 10 } }, { $set: { early: true } });
      },
      { compactJournalBytes: 64 * 1024 },
    );
    await withServer(dbPath, async (client) => {
      const coll = client.db('durable_compact').collection('c');
      expect(await coll.countDocuments()).toBe(2000);
      expect(await coll.countDocuments({ early: true })).toBe(1000);
    });
  });

  it('a torn frame at the end of the journal (a crash mid-write) is cut off and the rest replays', async () => {
    const dbPath = await tempDir();
    const server = await startEmbeddedMongo({ dbPath });
    const client = await new MongoClient(server.uri).connect();
    await client
      .db('durable_torn')
      .collection('c')
      .insertMany([{ _id: 1 }, { _id: 2 }] as never[]);
    await client.close();
    // Copy the journal as it is while running (as a crash would leave it), then add half a frame.
    const journal = (await readdir(dbPath)).find((f) => f.startsWith('journal-'))!;
    const bytes = await readFile(join(dbPath, journal));
    await server.stop();
    for (const f of await readdir(dbPath)) await rm(join(dbPath, f), { force: true });
    const torn = Buffer.alloc(12);
    torn.writeUInt32LE(1000, 0);
    await writeFile(join(dbPath, journal), Buffer.concat([bytes, torn]));
    await withServer(dbPath, async (c) => {
      expect(await c.db('durable_torn').collection('c').find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 1 }, { _id: 2 }]);
      await c
        .db('durable_torn')
        .collection('c')
        .insertOne({ _id: 3 } as never);
    });
    await withServer(dbPath, async (c) => {
      expect(await c.db('durable_torn').collection('c').countDocuments()).toBe(3);
    });
  });

  it('a server without dbPath keeps nothing', async () => {
    const first = await startEmbeddedMongo();
    const c1 = await new MongoClient(first.uri).connect();
    await c1.db('memory_only').collection('c').insertOne({ a: 1 });
    await c1.close();
    await first.stop();
    const second = await startEmbeddedMongo();
    const c2 = await new MongoClient(second.uri).connect();
    expect(await c2.db('memory_only').collection('c').countDocuments()).toBe(0);
    await c2.close();
    await second.stop();
  });
});
