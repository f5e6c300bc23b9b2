import { ReadConcern, ReadPreference, WriteConcern, type ClientSession, type MongoClient, type TransactionOptions } from 'mongodb';
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
    const result = await session.withTransaction((txSession) => fn(txSession), {
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
