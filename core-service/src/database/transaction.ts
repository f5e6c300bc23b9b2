import { ReadConcern, ReadPreference, WriteConcern, type ClientSession, type MongoClient, type TransactionOptions } from 'mongodb';
import { randomInt } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { discardAfterCommitHooks, flushAfterCommitHooks } from './after-commit.js';

/**
 * Snapshot reads see one consistent point in time for the whole transaction; majority writes
 * survive a failover; transactions must run on the primary anyway, saying so avoids inheriting
 * the client's `nearest`.
 */
export const DEFAULT_TRANSACTION_OPTIONS: Readonly<{
  readConcern: ReadConcern;
  writeConcern: WriteConcern;
  readPreference: ReadPreference;
}> = Object.freeze({
  readConcern: new ReadConcern('snapshot'),
  writeConcern: new WriteConcern('majority'),
  readPreference: ReadPreference.primary,
});

export interface WithTransactionParams<T> {
  client: MongoClient;
  /**
   * The transaction body. The driver calls it again from the start when the server reports a
   * transient error (write conflict, failover) or an unknown commit result, so it must only
   * touch the database through `session`: no HTTP calls, no events, no counters in memory.
   * Work that must happen once belongs after `withTransaction` returns (or in an outbox
   * document written inside it). Errors must not be swallowed: a caught driver error hides
   * whether the server aborted the transaction.
   */
  fn: (session: ClientSession) => Promise<T>;
  options?: TransactionOptions;
}

/**
 * Runs `fn` in a transaction on a fresh session, with the driver's retry loop (transient
 * errors and unknown commit results are retried until 120 s have passed), and returns `fn`'s
 * result. Hooks registered with `runAfterCommit` run after the commit, never after an abort.
 */
export async function withTransaction<T>({ client, fn, options }: WithTransactionParams<T>): Promise<T> {
  const session = client.startSession();
  try {
    let attempt = 0;
    const result = await session.withTransaction(async (txSession) => {
      // The driver re-runs the body at once after a transient error; on a busy document every
      // loser then collides again with the next winner and throughput collapses into retries.
      // A jittered, growing wait before each retry (before the retry's first command, so it
      // holds nothing) spreads them out.
      attempt += 1;
      if (attempt > 1) await delay(transactionRetryBackoffMs(attempt));
      return fn(txSession);
    }, {
      ...DEFAULT_TRANSACTION_OPTIONS,
      ...options,
    });
    await flushAfterCommitHooks(session);
    return result;
  } catch (error) {
    discardAfterCommitHooks(session);
    throw error;
  } finally {
    await session.endSession();
  }
}

/** Full-jitter exponential back-off before retry `attempt` (2, 3, ...): up to 4, 8, 16 ... 250 ms. */
export function transactionRetryBackoffMs(attempt: number): number {
  const ceiling = Math.min(250, 2 ** Math.min(attempt, 8));
  return randomInt(ceiling + 1);
}
