/**
 * One client process of the multi-process transfer benchmark: connects, prints `ready`, waits
 * for `go` on stdin, then runs `sessions` concurrent sessions doing transfer-shaped transactions
 * for `seconds` and prints one JSON line: commits, attempts and its own CPU time.
 *
 * Usage: node --import tsx transfer-client.ts <uri> <db> <sessions> <seconds> <accounts>
 */
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { MongoClient } from 'mongodb';

const [uri, dbName, sessionsArg, secondsArg, accountsArg] = process.argv.slice(2);
if (!uri || !dbName || !sessionsArg || !secondsArg || !accountsArg) {
  throw new Error('usage: transfer-client <uri> <db> <sessions> <seconds> <accounts>');
}
const sessions = Number(sessionsArg);
const accountCount = Number(accountsArg);
const client = await new MongoClient(uri, { maxPoolSize: sessions * 2 }).connect();
const db = client.db(dbName);
const accounts = db.collection<{ _id: number; balance: number; frozen?: boolean }>('accounts');
const ledger = db.collection('ledger');
const transfers = db.collection('transfers');
await db.command({ ping: 1 });

process.stdout.write('ready\n');
await new Promise<void>((resolve) => {
  const input = createInterface({ input: process.stdin });
  input.once('line', () => {
    // Stop reading stdin, or the open pipe keeps this process alive after the run.
    input.close();
    process.stdin.destroy();
    resolve();
  });
});

const randomInt = (n: number) => Math.floor(Math.random() * n);
let committed = 0;
let attempts = 0;
const cpuBefore = process.cpuUsage();
const deadline = performance.now() + Number(secondsArg) * 1000;
await Promise.all(
  Array.from({ length: sessions }, async () => {
    const session = client.startSession();
    try {
      while (performance.now() < deadline) {
        const from = randomInt(accountCount);
        let to = randomInt(accountCount);
        while (to === from) to = randomInt(accountCount);
        const amount = 1 + randomInt(100);
        await session.withTransaction(async (s) => {
          attempts += 1;
          const debit = await accounts.updateOne({ _id: from, balance: { $gte: amount } }, { $inc: { balance: -amount } }, { session: s });
          if (debit.matchedCount !== 1) throw new Error('benchmark accounts ran dry');
          const credit = await accounts.updateOne({ _id: to, frozen: { $ne: true } }, { $inc: { balance: amount } }, { session: s });
          if (credit.matchedCount !== 1) throw new Error('benchmark account frozen');
          const at = new Date();
          await ledger.insertOne({ account: from, amount: -amount, at }, { session: s });
          await ledger.insertOne({ account: to, amount, at }, { session: s });
          await transfers.insertOne({ from, to, amount, at }, { session: s });
        });
        committed += 1;
      }
    } finally {
      await session.endSession();
    }
  }),
);
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(`${JSON.stringify({ committed, attempts, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
await client.close();
