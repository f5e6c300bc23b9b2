/**
 * One client process of the concurrent-increment test: `ops` non-transactional `$inc` of 1 on
 * random counters, from `parallel` concurrent loops. Prints the number of increments per counter.
 *
 * Usage: node --import tsx inc-worker.ts <uri> <db> <counters> <parallel> <ops>
 */
import { MongoClient } from 'mongodb';

const [uri, dbName, countersArg, parallelArg, opsArg] = process.argv.slice(2);
if (!uri || !dbName || !countersArg || !parallelArg || !opsArg) {
  throw new Error('usage: inc-worker <uri> <db> <counters> <parallel> <ops>');
}
const counters = Number(countersArg);
const perLoop = Math.ceil(Number(opsArg) / Number(parallelArg));
const client = await new MongoClient(uri).connect();
const coll = client.db(dbName).collection<{ _id: number; n: number }>('counters');
const applied = new Array<number>(counters).fill(0);
try {
  await Promise.all(
    Array.from({ length: Number(parallelArg) }, async () => {
      for (let i = 0; i < perLoop; i += 1) {
        const id = Math.floor(Math.random() * counters);
        const result = await coll.updateOne({ _id: id }, { $inc: { n: 1 } });
        if (result.modifiedCount !== 1) throw new Error(`$inc not applied: ${JSON.stringify(result)}`);
        applied[id]! += 1;
      }
    }),
  );
  process.stdout.write(`${JSON.stringify(applied)}\n`);
} finally {
  await client.close();
}
