import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Long, MongoClient, MongoServerError } from 'mongodb';
import { type EmbeddedMongo, replicaSetUri, startEmbeddedMongo } from '../../src/index.js';

let server: EmbeddedMongo;

beforeAll(async () => {
  server = await startEmbeddedMongo();
});
afterAll(async () => {
  await server.stop();
});

describe('handshake', () => {
  it('the driver connects with directConnection=true and runs commands', async () => {
    expect(server.uri).toBe(`mongodb://127.0.0.1:${server.port}/?directConnection=true`);
    const client = await new MongoClient(server.uri).connect();
    try {
      expect((await client.db('admin').command({ ping: 1 })).ok).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('the driver connects with replicaSet=<name> and sees one writable primary', async () => {
    expect(server.replicaSetUri).toBe(replicaSetUri(server));
    expect(server.replicaSetUri).toBe(`mongodb://127.0.0.1:${server.port}/?replicaSet=rs0`);
    const client = await new MongoClient(replicaSetUri(server), { serverSelectionTimeoutMS: 5000 }).connect();
    try {
      const hello = await client.db('admin').command({ hello: 1 });
      expect(hello).toMatchObject({
        ok: 1,
        isWritablePrimary: true,
        setName: 'rs0',
        hosts: [`127.0.0.1:${server.port}`],
        primary: `127.0.0.1:${server.port}`,
        maxWireVersion: 25,
        logicalSessionTimeoutMinutes: 30,
        maxWriteBatchSize: 100_000,
      });
      expect(hello.topologyVersion).toBeUndefined();
      await client.db('handshake_rs').collection('c').insertOne({ ok: true });
      expect(await client.db('handshake_rs').collection('c').countDocuments()).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('an unknown command fails with CommandNotFound naming it', async () => {
    const client = await new MongoClient(server.uri).connect();
    try {
      const error = await client
        .db('admin')
        .command({ frobnicate: 1 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect((error as MongoServerError).code).toBe(59);
      expect((error as MongoServerError).message).toBe("no such command: 'frobnicate'");
    } finally {
      await client.close();
    }
  });

  it('buildInfo reports an 8.0 server and cursor ids are int64', async () => {
    const client = await new MongoClient(server.uri).connect();
    try {
      expect((await client.db('admin').command({ buildInfo: 1 })).version).toBe('8.0.0');
      const coll = client.db('handshake_cursor').collection('c');
      await coll.insertMany(Array.from({ length: 5 }, (_, i) => ({ i })));
      const reply = await client.db('handshake_cursor').command({ find: 'c', batchSize: 2 }, { promoteLongs: false });
      expect(reply.cursor.id).toBeInstanceOf(Long);
      expect((reply.cursor.id as Long).isZero()).toBe(false);
      // batchSize 0: a cursor and no documents yet; getMore then returns them.
      const empty = await client.db('handshake_cursor').command({ find: 'c', batchSize: 0 }, { promoteLongs: false });
      expect(empty.cursor.firstBatch).toEqual([]);
      const rest = await client.db('handshake_cursor').command({ getMore: empty.cursor.id, collection: 'c' });
      expect(rest.cursor.nextBatch).toHaveLength(5);
    } finally {
      await client.close();
    }
  });
});
