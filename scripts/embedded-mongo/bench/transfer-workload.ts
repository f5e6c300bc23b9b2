import { performance } from 'node:perf_hooks';
import type { Db, MongoClient } from 'mongodb';

export interface TransferWorkload {
  client: MongoClient;
  db: Db;
  sessions: number;
  accountCount: number;
  /** `performance.now()` value at which every session stops starting transfers. */
  deadline: number;
  /** Called on every transaction attempt (retries included). */
  onAttempt(): void;
  /** Called after every committed transfer. */
  onCommit(): void;
}

/**
 * The transfer-shaped transaction both benchmark drivers run (in process and in client
 * processes): `sessions` concurrent sessions, each repeating `withTransaction` around a
 * conditional debit, a conditional credit and three inserts until the deadline.
 */
export async function runTransferSessions(workload: TransferWorkload): Promise<void> {
  const accounts = workload.db.collection<{ _id: number; balance: number; frozen?: boolean }>('accounts');
  const ledger = workload.db.collection('ledger');
  const transfers = workload.db.collection('transfers');
  const randomInt = (n: number): number => Math.floor(Math.random() * n);
  await Promise.all(
    Array.from({ length: workload.sessions }, async () => {
      const session = workload.client.startSession();
      try {
        while (performance.now() < workload.deadline) {
          const from = randomInt(workload.accountCount);
          let to = randomInt(workload.accountCount);
          while (to === from) to = randomInt(workload.accountCount);
          const amount = 1 + randomInt(100);
          await session.withTransaction(async (s) => {
            workload.onAttempt();
            // Conditional debit: the balance check and the decrement are one atomic update.
            const debit = await accounts.updateOne({ _id: from, balance: { $gte: amount } }, { $inc: { balance: -amount } }, { session: s });
            if (debit.matchedCount !== 1) throw new Error('benchmark accounts ran dry');
            // Conditional credit: a frozen account takes no money.
            const credit = await accounts.updateOne({ _id: to, frozen: { $ne: true } }, { $inc: { balance: amount } }, { session: s });
            if (credit.matchedCount !== 1) throw new Error('benchmark account frozen');
            const at = new Date();
            await ledger.insertOne({ account: from, amount: -amount, at }, { session: s });
            await ledger.insertOne({ account: to, amount, at }, { session: s });
            await transfers.insertOne({ from, to, amount, at }, { session: s });
          });
          workload.onCommit();
        }
      } finally {
        await session.endSession();
      }
    }),
  );
}
