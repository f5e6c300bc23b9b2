import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo } from '../../src/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('index options after a restart', () => {
  it('creating the same TTL and partial unique indexes again on a restarted engine is a no-op', async () => {
    const dbPath = mkdtempSync(join(tmpdir(), 'em-index-restart-'));
    dirs.push(dbPath);
    const listed: unknown[] = [];
    for (let round = 0; round < 2; round++) {
      const engine = await startEmbeddedMongo({ dbPath });
      const client = await new MongoClient(engine.uri).connect();
      try {
        const coll = client.db('restart').collection('items');
        await coll.createIndex({ at: 1 }, { expireAfterSeconds: 60, name: 'at_ttl' });
        await coll.createIndex({ a: 1 }, { unique: true, partialFilterExpression: { a: { $gt: 5 } } });
        listed.push(await coll.indexes());
      } finally {
        await client.close();
        await engine.stop();
      }
    }
    expect(listed[1]).toEqual(listed[0]);
  });
});
