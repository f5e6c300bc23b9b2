import { ErrorCode, MongoCommandError } from '../errors.js';
import type { Change, ChangeOrigin } from './changes.js';
import type { DocRecord, ReadView, RecordLock } from './record.js';

/**
 * Multi-version concurrency control: a global commit clock, transactions with a snapshot
 * timestamp and a write set, and the bookkeeping that tells when old versions can go.
 * Hand-written: MongoDB's rules (first writer wins with WriteConflict, non-transactional writes
 * queueing behind a transaction, unique keys checked against uncommitted inserts, index entries
 * kept per version) are the point of this engine; no JS library models them.
 *
 * The engine runs every statement synchronously on one thread, so a statement is atomic by
 * construction; only explicit transactions stay open across commands, and they are what MVCC is
 * for. A non-transactional statement runs as a short implicit transaction that commits before the
 * event loop turns.
 */

/** The side of a record a transaction wrote; the collection applies it at commit or abort. */
export interface RecordOwner {
  readonly ns: string;
  /** `keysUnchanged`: the new version has exactly the index entries of the version it replaces. */
  commitRecord(rec: DocRecord, ts: number, oldestSnapshot: number, keysUnchanged: boolean): void;
  abortRecord(rec: DocRecord, keysUnchanged: boolean): void;
  collectRecord(rec: DocRecord, oldestSnapshot: number): boolean;
}

export type TransactionState = 'active' | 'committed' | 'aborted';

export class Transaction implements ReadView, RecordLock {
  state: TransactionState = 'active';
  readonly writes = new Map<DocRecord, RecordOwner>();
  /**
   * Records whose uncommitted version has the same index entries as the committed one (e.g. an
   * $inc of an unindexed field): no index work at write, commit or abort. Kept here rather than on
   * the record so a record stays small.
   */
  readonly keysUnchanged = new Set<DocRecord>();
  readonly startedAt = Date.now();
  /** Its writes, in statement order, for change streams once it commits (see changes.ts). */
  readonly changes: Change[] = [];
  /** The session transaction it is (set by the server for explicit transactions), reported on its change events. */
  origin: ChangeOrigin | null = null;
  /** Set when the transaction was aborted by the engine (conflict, timeout), for the error of its next command. */
  abortReason: string | null = null;
  private readonly finishedWaiters: (() => void)[] = [];

  constructor(
    readonly id: number,
    public snapshotTs: number,
    /** False for the implicit transaction of a single non-transactional statement. */
    readonly explicit: boolean,
  ) {}

  get txn(): Transaction {
    return this;
  }

  /** Resolves when the transaction commits or aborts (non-transactional writers queue on this). */
  finished(): Promise<void> {
    if (this.state !== 'active') return Promise.resolve();
    return new Promise((resolve) => this.finishedWaiters.push(resolve));
  }

  markFinished(state: 'committed' | 'aborted'): void {
    this.state = state;
    for (const wake of this.finishedWaiters.splice(0)) wake();
  }
}

/** Thrown by a non-transactional write that touched a document an open transaction holds: wait, then retry the statement. */
export class TransactionWait extends Error {
  constructor(readonly holder: RecordLock) {
    super('document is held by an open transaction');
  }
}

export function writeConflict(): MongoCommandError {
  return new MongoCommandError(ErrorCode.WriteConflict, 'Write conflict during plan execution and yielding is disabled. :: Please retry your operation or multi-document transaction.', {
    errorLabels: ['TransientTransactionError'],
  });
}

export class TransactionManager {
  /** Last commit timestamp handed out. */
  clock = 0;
  private nextId = 1;
  private readonly active = new Set<Transaction>();
  /** Records that still carry old versions, to prune when the oldest snapshot moves. */
  private readonly garbage = new Map<DocRecord, RecordOwner>();
  /** Oldest snapshot at the last garbage walk. */
  private collectedUpTo = Number.NaN;
  /** Garbage added since the last walk (pruned at its commit against the snapshot open then). */
  private readonly fresh = new Set<DocRecord>();
  /**
   * Snapshots kept readable without a transaction (snapshot reads outside transactions), each
   * until its expiry (epoch ms): every version committed after one stays until then.
   */
  private readonly pins = new Map<number, number>();
  /** A pin expired since the last garbage walk: the next commit walks, transaction or not. */
  private pinExpired = false;

  /** Multi-document transactions since start, as mongod's serverStatus `transactions` counts them. */
  readonly totals = { started: 0, committed: 0, aborted: 0 };

  begin(explicit: boolean): Transaction {
    const txn = new Transaction(this.nextId++, this.clock, explicit);
    if (explicit) {
      this.active.add(txn);
      this.totals.started += 1;
    }
    return txn;
  }

  get openTransactions(): ReadonlySet<Transaction> {
    return this.active;
  }

  /** Snapshot timestamp of the oldest open transaction or pinned snapshot (Infinity when none). */
  oldestSnapshot(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const txn of this.active) if (txn.snapshotTs < oldest) oldest = txn.snapshotTs;
    if (this.pins.size > 0) {
      const now = Date.now();
      for (const [ts, until] of this.pins) {
        if (until <= now) {
          this.pins.delete(ts);
          this.pinExpired = true;
        } else if (ts < oldest) oldest = ts;
      }
    }
    return oldest;
  }

  /** Keeps the snapshot at `ts` readable until `until` (epoch ms) at least. */
  pin(ts: number, until: number): void {
    if (!((this.pins.get(ts) ?? 0) >= until)) this.pins.set(ts, until);
  }

  /** True while every version a reader at `ts` would see is still kept. */
  canRead(ts: number): boolean {
    if (ts >= this.clock) return true;
    const now = Date.now();
    for (const [pinned, until] of this.pins) if (pinned <= ts && until > now) return true;
    for (const txn of this.active) if (txn.snapshotTs <= ts) return true;
    return false;
  }

  /** Applies the write set atomically under one new timestamp. Returns that timestamp. */
  commit(txn: Transaction): number {
    if (txn.state !== 'active') throw new Error(`cannot commit a ${txn.state} transaction`);
    this.active.delete(txn);
    if (txn.explicit) this.totals.committed += 1;
    if (txn.writes.size === 0) {
      txn.markFinished('committed');
      this.collectGarbage();
      return this.clock;
    }
    const ts = ++this.clock;
    const oldest = this.oldestSnapshot();
    for (const [rec, owner] of txn.writes) {
      owner.commitRecord(rec, ts, oldest, txn.keysUnchanged.has(rec));
      // commitRecord already pruned what the current oldest snapshot allows; the rest waits
      // for that snapshot to move.
      if (rec.older !== null) {
        this.garbage.set(rec, owner);
        this.fresh.add(rec);
      }
    }
    txn.markFinished('committed');
    if (txn.explicit || this.pinExpired) {
      this.pinExpired = false;
      this.collectGarbage();
    }
    return ts;
  }

  abort(txn: Transaction, reason?: string): void {
    if (txn.state !== 'active') return;
    this.active.delete(txn);
    if (txn.explicit) this.totals.aborted += 1;
    for (const [rec, owner] of txn.writes) owner.abortRecord(rec, txn.keysUnchanged.has(rec));
    txn.abortReason = reason ?? null;
    txn.markFinished('aborted');
    if (txn.explicit) this.collectGarbage();
  }

  /** Drops versions no open snapshot can read any more (runs when a transaction ends). */
  collectGarbage(): void {
    if (this.garbage.size === 0) return;
    const oldest = this.oldestSnapshot();
    if (oldest === this.collectedUpTo) {
      // What the last walk kept, this snapshot still needs: only garbage added since can have
      // become collectable (it was pruned against a snapshot that has closed since, while the
      // oldest came back to the same value: Infinity whenever no transaction is open). The
      // full walk is skipped, which would otherwise repeat at every commit while one long
      // transaction stays open.
      for (const rec of this.fresh) {
        const owner = this.garbage.get(rec);
        if (owner !== undefined && !owner.collectRecord(rec, oldest)) this.garbage.delete(rec);
      }
      this.fresh.clear();
      return;
    }
    this.collectedUpTo = oldest;
    this.fresh.clear();
    for (const [rec, owner] of this.garbage) {
      if (!owner.collectRecord(rec, oldest)) this.garbage.delete(rec);
    }
  }

  /** Forgets garbage of a dropped collection. */
  forgetOwner(owner: RecordOwner): void {
    for (const [rec, o] of this.garbage) {
      if (o !== owner) continue;
      this.garbage.delete(rec);
      this.fresh.delete(rec);
    }
  }
}
