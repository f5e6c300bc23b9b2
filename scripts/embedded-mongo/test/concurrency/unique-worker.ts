/**
 * One client process of the unique-index race: tries to insert every key 0..keys-1 (in its own
 * random order, from `parallel` loops) into a collection with a unique index on `key`. Prints how
 * many inserts succeeded and how many failed with a duplicate key error.
 *
 * Usage: node --import tsx unique-worker.ts <uri> <db> <keys> <parallel> <workerId>
 */
import { MongoClient, MongoServerError } from 'mongodb';

const [uri, dbName, keysArg, parallelArg, workerId] = process.argv.slice(2);
if (!uri || !dbName || !keysArg || !parallelArg || !workerId) {
  throw new Error('usage: unique-worker <uri> <db> <keys> <parallel> <workerId>');
}
const keys = Array.from({ length: Number(keysArg) }, (_, i) => i).sort(() => Math.random() - 0.5);
const client = await new MongoClient(uri).connect();
const coll = client.db(dbName).collection('claims');
let inserted = 0;
let duplicates = 0;
try {
  await Promise.all(
    Array.from({ length: Number(parallelArg) }, async () => {
      for (let key = keys.pop(); key !== undefined; key = keys.pop()) {
        try {
          await coll.insertOne({ key, by: workerId });
          inserted += 1;
        } catch (error) {
          if (error instanceof MongoServerError && error.code === 11000) duplicates += 1;
          else throw error;
        }
      }
    }),
  );
  process.stdout.write(`${JSON.stringify({ inserted, duplicates })}\n`);
} finally {
  await client.close();
}
