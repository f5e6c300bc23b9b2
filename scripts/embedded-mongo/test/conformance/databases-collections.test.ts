import { describe, expect, it } from 'vitest';
import { useTestEngine } from '../helpers/engine.js';

const engine = useTestEngine('dbcoll');

describe('databases and collections', () => {
  it('a database appears in listDatabases once it holds data and disappears after dropDatabase', async () => {
    const name = engine.dbName('listed');
    const db = engine.client.db(name);
    await db.collection('c').insertOne({ a: 1 });
    const before = await engine.client.db('admin').admin().listDatabases();
    expect(before.databases.map((d) => d.name)).toContain(name);

    expect(await db.dropDatabase()).toBe(true);
    const after = await engine.client.db('admin').admin().listDatabases();
    expect(after.databases.map((d) => d.name)).not.toContain(name);
    expect(await db.collection('c').countDocuments()).toBe(0);
  });

  it('listDatabases with nameOnly returns names', async () => {
    const name = engine.dbName('nameonly');
    await engine.client.db(name).collection('c').insertOne({ a: 1 });
    const reply = await engine.client.db('admin').command({ listDatabases: 1, nameOnly: true });
    expect(reply.ok).toBe(1);
    expect(reply.databases.map((d: { name: string }) => d.name)).toContain(name);
  });

  it('create makes an empty collection listed by listCollections; drop removes it with its documents', async () => {
    const db = engine.db('create');
    await db.createCollection('made');
    await db.collection('implicit').insertOne({ x: 1 });
    const names = (await db.listCollections().toArray()).map((c) => c.name).sort();
    expect(names).toEqual(['implicit', 'made']);
    const made = await db.listCollections({ name: 'made' }).toArray();
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ name: 'made', type: 'collection' });

    expect(await db.collection('implicit').drop()).toBe(true);
    const after = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(after).toEqual(['made']);
    expect(await db.collection('implicit').countDocuments()).toBe(0);
  });

  it('create on an existing collection with different options fails with NamespaceExists (48)', async () => {
    const db = engine.db('exists');
    await db.createCollection('c');
    await expect(db.command({ create: 'c', capped: true, size: 4096 })).rejects.toMatchObject({
      code: 48,
      codeName: 'NamespaceExists',
    });
  });

  it('dbStats counts the collections and objects of the database', async () => {
    const db = engine.db('stats');
    await db.collection('a').insertMany([{ n: 1 }, { n: 2 }, { n: 3 }]);
    await db.collection('b').insertOne({ n: 4 });
    const stats = await db.stats();
    expect(stats.ok).toBe(1);
    expect(stats.db).toBe(db.databaseName);
    expect(stats.collections).toBe(2);
    expect(stats.objects).toBe(4);
    expect(typeof stats.dataSize).toBe('number');
  });
});
