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
  /** Most operations `runBatched` hands to one run; default 64. */
  maxBatch?: number;
}

interface Lane {
  /** Settles when the last operation queued on this wallet has finished. */
  tail: Promise<void>;
  /** Running plus waiting operations. */
  size: number;
  /** `runBatched` operations waiting for their turn, not yet taken into a batch, in arrival order. */
  waiting: Member[];
}

/** One `runBatched` operation. */
interface Member {
  item: unknown;
  /** `taken` into a running batch; then `done` with its result, or `alone` when the batch failed. */
  state: 'waiting' | 'taken' | 'done' | 'alone';
  value?: unknown;
  /** Resolves when a batch that took it ends (its state says how). */
  ended: Promise<void>;
  end: () => void;
}

/** What `runBatched` runs: one operation, or several together, each ending its turn at its commit. */
export interface BatchWork<I, R> {
  one(item: I, release: () => void): Promise<R>;
  /** All or nothing: results in the items' order, or a throw that means nothing was written. */
  many(items: I[], release: () => void): Promise<R[]>;
  /** Whether `other` may run in the same batch as `leader`. */
  joins(leader: I, other: I): boolean;
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
  readonly maxBatch: number;
  readonly #lanes = new Map<string, Lane>();

  constructor(options: DebitQueueOptions = {}) {
    this.maxWaiting = options.maxWaiting ?? 1_000;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_TRANSACTION_RETRY_BUDGET_MS;
    this.maxBatch = options.maxBatch ?? 64;
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
    const lane = this.#lane(walletId);
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

  #lane(walletId: string): Lane {
    let lane = this.#lanes.get(walletId);
    if (lane === undefined) {
      lane = { tail: Promise.resolve(), size: 0, waiting: [] };
      this.#lanes.set(walletId, lane);
    }
    return lane;
  }

  /**
   * Like `run`, and whoever's turn comes first also takes the operations queued behind it that
   * `work.joins` allows (up to `maxBatch`) and runs them together (`work.many`: one transaction,
   * one commit for all). The ones taken wait for that batch instead of their turn. A batch that
   * fails wrote nothing (all or nothing), so each of its operations then runs alone: the taker at
   * once, the others at their turn (or at the back of the queue if their turn has passed), where
   * their own outcome, refusal or success, is decided as if no batch had been tried.
   *
   * Group commit for one hot wallet: queued one by one, its debits commit one after the other,
   * each waiting for its own journal write; batched, a turn moves many.
   */
  async runBatched<I, R>(walletId: string, item: I, work: BatchWork<I, R>): Promise<R> {
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const member: Member = { item, state: 'waiting', ended, end };
    const lane = this.#lane(walletId);
    lane.waiting.push(member);
    let release: () => void;
    try {
      release = await this.acquire(walletId);
    } catch (error) {
      // No turn in time. Taken meanwhile: the batch decides; its failure leaves this one refused.
      if (member.state === 'taken') await member.ended;
      else remove(lane.waiting, member);
      if (isDone(member)) return member.value as R;
      throw error;
    }
    if (member.state === 'taken' || member.state === 'done') {
      // Its batch ran (or runs) at an earlier turn.
      release();
      await member.ended;
      if (isDone(member)) return member.value as R;
      // Its batch failed after its turn had passed: alone, at the back of the queue.
      return this.run(walletId, () => work.one(item, () => undefined));
    }
    try {
      remove(lane.waiting, member);
      const others = member.state === 'alone' ? [] : lane.waiting.filter((other) => work.joins(item, other.item as I)).slice(0, this.maxBatch - 1);
      if (others.length === 0) return await work.one(item, release);
      for (const other of others) {
        other.state = 'taken';
        remove(lane.waiting, other);
      }
      let results: R[];
      try {
        results = await work.many([item, ...others.map((other) => other.item as I)], release);
      } catch {
        for (const other of others) {
          other.state = 'alone';
          other.end();
        }
        return await work.one(item, release);
      }
      others.forEach((other, index) => {
        other.state = 'done';
        other.value = results[index + 1];
        other.end();
      });
      return results[0]!;
    } finally {
      release();
    }
  }
}

/** Read after an await, where the compiler still assumes the state seen before it. */
function isDone(member: Member): boolean {
  return member.state === 'done';
}

function remove(members: Member[], member: Member): void {
  const index = members.indexOf(member);
  if (index >= 0) members.splice(index, 1);
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
