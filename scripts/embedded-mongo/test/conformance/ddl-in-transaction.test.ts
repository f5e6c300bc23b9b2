/**
 * A collection or index created inside a transaction (MongoDB 4.4+): other sessions do not see
 * it until the commit; an abort removes it. Runs against a real server with MONGO_URI too.
 */
import { describe, expect, it } from 'vitest';
import { useTestEngine } from '../helpers/engine.js';

const engine = useTestEngine('ddltxn');

async function collectionNames(label: string): Promise<string[]> {
  return (await engine.db(label).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
}

describe('DDL inside a transaction', () => {
  it('an implicitly created collection is unlisted for others until commit, and gone after an abort', async () => {
    const db = engine.db('abort');
    const session = engine.client.startSession();
    try {
      session.startTransaction();
      await db.collection<{ _id: number }>('fresh').insertOne({ _id: 1 }, { session });
      expect(await collectionNames('abort')).not.toContain('fresh');
      await session.abortTransaction();
      expect(await collectionNames('abort')).not.toContain('fresh');
      expect(await db.collection('fresh').countDocuments()).toBe(0);
    } finally {
      await session.endSession();
    }
  });

  it('an index created in a transaction appears for others at commit', async () => {
    const db = engine.db('index');
    const session = engine.client.startSession();
    try {
      session.startTransaction();
      await db.createCollection('withIndex', { session });
      await db.collection('withIndex').createIndex({ a: 1 }, { name: 'a_1', session });
      expect(await collectionNames('index')).not.toContain('withIndex');
      await session.commitTransaction();
      const names = (await db.collection('withIndex').listIndexes().toArray()).map((ix) => ix.name);
      expect(names).toEqual(expect.arrayContaining(['_id_', 'a_1']));
    } finally {
      await session.endSession();
    }
  });
});
