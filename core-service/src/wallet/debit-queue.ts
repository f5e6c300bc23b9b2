import { CORE_ERRORS } from '../errors/core-errors.js';
import { GraphQLError } from '../errors/graphql-error.js';
import { DEFAULT_TRANSACTION_RETRY_BUDGET_MS } from '../database/transaction.js';

/** The queue of one wallet held more waiters than `maxWaiting`, or one waited past `maxWaitMs`. Nothing was written; retrying later is safe. */
export class DebitQueueBusyError extends GraphQLError {
  constructor(
    readonly walletId: string,
    reason: 'full' | 'timeout',
  ) {
    super(
      CORE_ERRORS.TransactionConflict,
      { retryable: true, reason },
      {
        message:
          reason === 'full'
            ? 'Too many payments from this wallet are waiting; nothing was changed, retry it'
            : 'The payments ahead of this one from the same wallet took too long; nothing was changed, retry it',
      },
    );
    this.name = 'DebitQueueBusyError';
  }
}

export interface DebitQueueOptions {
  /** Operations (running and waiting) one wallet may have in this process; more are refused. Default 1,000. */
  maxWaiting?: number;
  /** How long one operation waits for its turn before it is refused; default the transaction retry budget (10 s). */
  maxWaitMs?: number;
}

interface Lane {
  /** Settles when the last operation queued on this wallet has finished. */
  tail: Promise<void>;
  /** Running plus waiting operations. */
  size: number;
}

/**
 * Runs the debits of one wallet one after the other within this process, before they reach the
 * database. Sixteen concurrent payments out of one wallet otherwise all open a transaction,
 * fifteen lose the write conflict on the wallet document, back off and retry, and the hot wallet
 * spends its time in aborted work; queued here, each runs once, in arrival order, and waiting
 * replaces conflicting. Across instances nothing changes: two processes still meet at the
 * database, whose conditional debit and conflict retry keep the books right, so this is a
 * throughput measure and never a correctness one (a debit outside the queue stays correct).
 *
 * Bounded: a wallet's lane exists only while an operation runs or waits on it (the map is empty
 * when idle), at most `maxWaiting` operations per wallet, each waiting at most `maxWaitMs`.
 *
 * Hand-written, 40 lines: `async-mutex` (in node_modules, not a declared dependency) gives one
 * lock, not a lock per key that disappears when idle, nor bounded waiting; `lru-cache` (a
 * dependency) would evict a lane while a debit holds it, letting the next one run alongside.
 */
export class DebitQueue {
  readonly maxWaiting: number;
  readonly maxWaitMs: number;
  readonly #lanes = new Map<string, Lane>();

  constructor(options: DebitQueueOptions = {}) {
    this.maxWaiting = options.maxWaiting ?? 1_000;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_TRANSACTION_RETRY_BUDGET_MS;
  }

  /** Wallets with an operation running or waiting. */
  get activeWallets(): number {
    return this.#lanes.size;
  }

  /** Runs `fn` once every earlier operation on `walletId` in this process has finished. */
  async run<T>(walletId: string, fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire(walletId);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /**
   * Waits for `walletId`'s turn and returns the function that ends it (calling it again does
   * nothing), for a caller that can let the next one go before its own work is over: a transfer
   * releases at its commit, not after the after-commit work (cache invalidation, relay wake-up).
   */
  async acquire(walletId: string): Promise<() => void> {
    let lane = this.#lanes.get(walletId);
    if (lane === undefined) {
      lane = { tail: Promise.resolve(), size: 0 };
      this.#lanes.set(walletId, lane);
    }
    if (lane.size >= this.maxWaiting) throw new DebitQueueBusyError(walletId, 'full');
    const isFirst = lane.size === 0;
    lane.size += 1;
    const previous = lane.tail;
    let release!: () => void;
    lane.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    const current = lane;
    let isDone = false;
    const done = (): void => {
      if (isDone) return;
      isDone = true;
      current.size -= 1;
      if (current.size === 0 && this.#lanes.get(walletId) === current) this.#lanes.delete(walletId);
      release();
    };
    if (!isFirst && !(await turnWithin(previous, this.maxWaitMs))) {
      // Gives up its place only once the one ahead has finished: the order behind it holds.
      void previous.then(done);
      throw new DebitQueueBusyError(walletId, 'timeout');
    }
    return done;
  }
}

function turnWithin(previous: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void previous.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** The queue every self-managed transfer of this process goes through (keyed by paying wallet). */
export const debitQueue = new DebitQueue();
