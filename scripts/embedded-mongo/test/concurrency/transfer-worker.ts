/**
 * One client process of the concurrency test: opens its own MongoClient and runs `sessions`
 * concurrent sessions, each performing `transfers` random transfers between the accounts with
 * `withTransaction`. Prints one JSON line with its tallies.
 *
 * Usage: node --import tsx transfer-worker.ts <uri> <db> <workerId> <sessions> <transfers> <accounts>
 */
import { MongoClient } from 'mongodb';

const [uri, dbName, workerId, sessionsArg, transfersArg, accountsArg] = process.argv.slice(2);
if (!uri || !dbName || !workerId || !sessionsArg || !transfersArg || !accountsArg) {
  throw new Error('usage: transfer-worker <uri> <db> <workerId> <sessions> <transfers> <accounts>');
}
const sessionCount = Number(sessionsArg);
const transfersPerSession = Number(transfersArg);
const accountCount = Number(accountsArg);

class InsufficientFunds extends Error {}

interface Tally {
  committed: number;
  insufficient: number;
  attempts: number;
  transientErrors: number;
  committedAmount: number;
}

const client = await new MongoClient(uri, { maxPoolSize: sessionCount + 2 }).connect();
const db = client.db(dbName);
const accounts = db.collection<{ _id: string; balance: number }>('accounts');
const ledger = db.collection('ledger');
const tally: Tally = { committed: 0, insufficient: 0, attempts: 0, transientErrors: 0, committedAmount: 0 };

function pick(): string {
  return `acc${Math.floor(Math.random() * accountCount)}`;
}

async function runSession(sessionIndex: number): Promise<void> {
  const session = client.startSession();
  try {
    for (let t = 0; t < transfersPerSession; t += 1) {
      const from = pick();
      let to = pick();
      while (to === from) to = pick();
      const amount = 1 + Math.floor(Math.random() * 40);
      const transferId = `${workerId}-${sessionIndex}-${t}`;
      try {
        await session.withTransaction(async (s) => {
          tally.attempts += 1;
          try {
            // Conditional debit, not read-then-write: two concurrent debits must not both pass the check.
            const debit = await accounts.updateOne({ _id: from, balance: { $gte: amount } }, { $inc: { balance: -amount } }, { session: s });
            if (debit.matchedCount === 0) throw new InsufficientFunds(transferId);
            await accounts.updateOne({ _id: to }, { $inc: { balance: amount } }, { session: s });
            await ledger.insertOne({ _id: transferId as never, from, to, amount }, { session: s });
          } catch (error) {
            if ((error as { hasErrorLabel?: (l: string) => boolean }).hasErrorLabel?.('TransientTransactionError')) {
              tally.transientErrors += 1;
            }
            throw error;
          }
        });
        tally.committed += 1;
        tally.committedAmount += amount;
      } catch (error) {
        if (error instanceof InsufficientFunds) tally.insufficient += 1;
        else throw error;
      }
    }
  } finally {
    await session.endSession();
  }
}

try {
  await Promise.all(Array.from({ length: sessionCount }, (_, i) => runSession(i)));
  process.stdout.write(`${JSON.stringify(tally)}\n`);
} finally {
  await client.close();
}
