import { MongoError, ReadConcern, ReadPreference, WriteConcern, type ClientSession, type MongoClient, type TransactionOptions } from 'mongodb';
import { randomInt } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { CORE_ERRORS } from '../errors/core-errors.js';
import { GraphQLError } from '../errors/graphql-error.js';
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
  maxCommitTimeMS: number;
}> = Object.freeze({
  readConcern: new ReadConcern('snapshot'),
  writeConcern: new WriteConcern('majority'),
  readPreference: ReadPreference.primary,
  // A commit waiting longer than this (majority not reachable) fails with a retryable label
  // instead of holding the caller; the retry budget below bounds the whole.
  maxCommitTimeMS: 5_000,
});

/**
 * How long `withTransaction` keeps retrying a body that collides with other writers (the
 * driver alone would go on for 120 s). Past it the caller gets `MSCoreTransactionConflict`
 * with `extensions.retryable: true`, in seconds, not a minute: after a crash, the dead
 * process's open transactions hold their documents until the server's
 * transactionLifetimeLimitSeconds (the engine's start-up and the deployment docs set 5–10 s),
 * and only requests touching those documents wait that long.
 */
export const DEFAULT_TRANSACTION_RETRY_BUDGET_MS = 10_000;

/** A transaction that kept conflicting past its retry budget. Nothing was written; retrying later is safe. */
export class TransactionConflictError extends GraphQLError {
  constructor(
    readonly attempts: number,
    readonly elapsedMs: number,
    cause: unknown,
  ) {
    super(
      CORE_ERRORS.TransactionConflict,
      { retryable: true, attempts },
      {
        message: `The operation kept conflicting with concurrent updates (${attempts} attempts in ${elapsedMs} ms); nothing was changed, retry it`,
        cause,
      },
    );
    this.name = 'TransactionConflictError';
  }
}

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
  /** Default `DEFAULT_TRANSACTION_RETRY_BUDGET_MS`. */
  retryBudgetMs?: number;
}

/**
 * Runs `fn` in a transaction on a fresh session, with the driver's retry loop (transient
 * errors and unknown commit results are retried until 120 s have passed), and returns `fn`'s
 * result. Hooks registered with `runAfterCommit` run after the commit, never after an abort.
 */
export async function withTransaction<T>({ client, fn, options, retryBudgetMs = DEFAULT_TRANSACTION_RETRY_BUDGET_MS }: WithTransactionParams<T>): Promise<T> {
  const session = client.startSession();
  const started = Date.now();
  let lastTransient: unknown;
  const observers = transactionObservers.get(client);
  if (observers !== undefined) observeCommitRetries(session, observers);
  let committed = false;
  try {
    let attempt = 0;
    const result = await session.withTransaction(
      async (txSession) => {
        // The driver re-runs the body at once after a transient error; on a busy document every
        // loser then collides again with the next winner and throughput collapses into retries.
        // A jittered, growing wait before each retry (before the retry's first command, so it
        // holds nothing) spreads them out.
        attempt += 1;
        if (attempt > 1) {
          const elapsed = Date.now() - started;
          if (elapsed > retryBudgetMs) throw new TransactionConflictError(attempt - 1, elapsed, lastTransient);
          // Hooks the aborted attempt registered are not this attempt's: the body registers its
          // own again, so a counter bumped after commit counts the transfer once, not per attempt.
          discardAfterCommitHooks(txSession);
          await delay(transactionRetryBackoffMs(attempt));
        }
        try {
          return await fn(txSession);
        } catch (error) {
          lastTransient = error;
          if (observers !== undefined) notifyRetryLabel(observers, error);
          throw error;
        }
      },
      {
        ...DEFAULT_TRANSACTION_OPTIONS,
        ...options,
      },
    );
    committed = true;
    if (observers !== undefined) for (const observer of observers) observer.onEnd('committed');
    await flushAfterCommitHooks(session);
    return result;
  } catch (error) {
    discardAfterCommitHooks(session);
    if (observers !== undefined && !committed) for (const observer of observers) observer.onEnd('aborted');
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

/** Why the driver ran a transaction's body or its commit again. */
export type TransactionRetryLabel = 'TransientTransactionError' | 'UnknownTransactionCommitResult';

/** Told about the transactions `withTransaction` runs on one client (metrics). */
export interface TransactionObserver {
  /** An error carrying a retry label: the driver retries (unless its 120 s budget is spent). */
  onRetry(label: TransactionRetryLabel): void;
  /** `committed` once the commit succeeded; `aborted` when an error reached the caller (business refusals included). */
  onEnd(outcome: 'committed' | 'aborted'): void;
}

const transactionObservers = new WeakMap<MongoClient, Set<TransactionObserver>>();

/**
 * Tells `observer` about every transaction `withTransaction` runs on `client`, keyed by the
 * client (like the pool monitor) rather than a process global, so two services in one test
 * process count their own. Returns the unsubscribe function.
 */
export function observeTransactions(client: MongoClient, observer: TransactionObserver): () => void {
  let observers = transactionObservers.get(client);
  if (observers === undefined) {
    observers = new Set();
    transactionObservers.set(client, observers);
  }
  observers.add(observer);
  return () => observers.delete(observer);
}

function notifyRetryLabel(observers: ReadonlySet<TransactionObserver>, error: unknown): void {
  if (!(error instanceof MongoError)) return;
  const label: TransactionRetryLabel | undefined = error.hasErrorLabel('UnknownTransactionCommitResult')
    ? 'UnknownTransactionCommitResult'
    : error.hasErrorLabel('TransientTransactionError')
      ? 'TransientTransactionError'
      : undefined;
  if (label !== undefined) for (const observer of observers) observer.onRetry(label);
}

/**
 * The driver retries a commit inside `session.withTransaction` and emits nothing when it does;
 * its loop calls `this.commitTransaction()`, so an own property on this one session sees each
 * commit error (the body's errors are seen in the callback above).
 */
function observeCommitRetries(session: ClientSession, observers: ReadonlySet<TransactionObserver>): void {
  const commit = session.commitTransaction.bind(session);
  session.commitTransaction = async (...args: Parameters<ClientSession['commitTransaction']>) => {
    try {
      return await commit(...args);
    } catch (error) {
      notifyRetryLabel(observers, error);
      throw error;
    }
  };
}
