import { createHash } from 'node:crypto';
import { type Document, Long, Timestamp } from 'bson';
import { ErrorCode, MongoCommandError } from '../errors.js';
import type { Change, ChangeOrigin } from '../storage/changes.js';

/**
 * The change log: what an oplog is to mongod's change streams, kept in memory as a bounded ring.
 * Every commit's changes arrive from the engine (storage/changes.ts) in commit order and get one
 * cluster time; each change is keyed by (cluster time, index in its commit), which is also what
 * a resume token encodes. What is kept: the last DEFAULT_CHANGE_LOG_RECENT changes, and beyond
 * them whatever an open change stream has not read yet, up to DEFAULT_CHANGE_LOG_ENTRIES entries
 * or DEFAULT_CHANGE_LOG_BYTES of document bytes; a stream resuming from before the oldest kept
 * entry fails with ChangeStreamHistoryLost (286), as on mongod once the oplog has rolled over.
 * (Keeping every change up to the caps whether or not anything reads them made each write's
 * entry live long enough to reach the old generation: bulk inserts spent 70% more time in GC.)
 * The log starts empty at server start: it is not journaled, so a resume token from before a
 * restart is history lost too.
 */

/** Entries the change log keeps (mongod's oplog is sized in bytes; a ring of entries is the equivalent here). */
export const DEFAULT_CHANGE_LOG_ENTRIES = 10_000;
/** Document bytes (pre- and post-images) the change log keeps at most. */
export const DEFAULT_CHANGE_LOG_BYTES = 64 * 1024 * 1024;
/** Changes kept when no open stream still needs them: how far back a stream opened now can start. */
export const DEFAULT_CHANGE_LOG_RECENT = 1_000;

/** An open change stream: the log keeps what it has not read (within the caps). */
export interface ChangeLogReader {
  /** The key of the last entry it has read. */
  readonly readPosition: bigint;
}

/** An index within a commit above any real one: a position after everything at a cluster time. */
const AFTER_ALL = 0xffff_ffffn;

export interface LogEntry {
  /** (cluster time as t·2³² + i) · 2³² + index of the change in its commit. */
  readonly key: bigint;
  readonly clusterTime: Timestamp;
  readonly wallTime: Date;
  readonly change: Change;
  /** lsid / txnNumber of the session transaction that made the change. */
  readonly origin: { lsid: Document; txnNumber: Long } | null;
  readonly bytes: number;
}

/** A decoded resume token: a position in the log, and whether it is an invalidate event's. */
export interface ResumePoint {
  key: bigint;
  fromInvalidate: boolean;
}

/** The `uid` mongod puts in an event's lsid: SHA-256 of the (empty, no auth) user name. */
const NO_USER_UID = createHash('sha256').update('').digest();

export class ChangeLog {
  private entries: LogEntry[] = [];
  /** Index of the oldest kept entry in `entries` (the array is compacted now and then). */
  private head = 0;
  private bytes = 0;
  /** Every change with a key above this one is still in the log. */
  private horizon: bigint;
  private readonly waiters = new Set<() => void>();
  private readonly readers = new Set<ChangeLogReader>();
  private readonly recentEntries: number;

  constructor(
    start: Timestamp,
    private readonly maxEntries = DEFAULT_CHANGE_LOG_ENTRIES,
    private readonly maxBytes = DEFAULT_CHANGE_LOG_BYTES,
    recentEntries = DEFAULT_CHANGE_LOG_RECENT,
  ) {
    this.horizon = (timestampKey(start) << 32n) | AFTER_ALL;
    this.recentEntries = Math.min(recentEntries, maxEntries);
  }

  /** An open stream: what it has not read stays (within the caps) until it reads it or detaches. */
  attach(reader: ChangeLogReader): void {
    this.readers.add(reader);
  }

  detach(reader: ChangeLogReader): void {
    this.readers.delete(reader);
  }

  /** Records one commit's changes under `clusterTime` (a fresh tick of the cluster clock). */
  append(changes: readonly Change[], origin: ChangeOrigin | null, clusterTime: Timestamp): void {
    const wallTime = new Date();
    const base = timestampKey(clusterTime) << 32n;
    const eventOrigin = origin === null ? null : { lsid: { id: origin.lsid.id, uid: NO_USER_UID }, txnNumber: Long.fromBigInt(origin.txnNumber) };
    changes.forEach((change, i) => {
      const bytes = 'before' in change ? (change.before?.length ?? 0) + (change.after?.length ?? 0) : 0;
      this.entries.push({ key: base | BigInt(i), clusterTime, wallTime, change, origin: eventOrigin, bytes });
      this.bytes += bytes;
    });
    this.evict();
    if (this.waiters.size > 0) for (const wake of [...this.waiters]) wake();
  }

  private evict(): void {
    // Entries at or before every open stream's position are read by all of them.
    let unread: bigint | null = null;
    for (const reader of this.readers) if (unread === null || reader.readPosition < unread) unread = reader.readPosition;
    for (;;) {
      const kept = this.entries.length - this.head;
      if (kept <= 1) break;
      const oldest = this.entries[this.head]!;
      const overCap = kept > this.maxEntries || this.bytes > this.maxBytes;
      const unneeded = kept > this.recentEntries && (unread === null || oldest.key <= unread);
      if (!overCap && !unneeded) break;
      const gone = oldest;
      this.entries[this.head] = undefined as never;
      this.head++;
      this.bytes -= gone.bytes;
      this.horizon = gone.key;
    }
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /** The key of the newest change (or of the log's start): where a stream opened now begins. */
  latestKey(): bigint {
    const last = this.entries.at(-1);
    return last === undefined || this.entries.length === this.head ? this.horizon : last.key;
  }

  /** Fails with ChangeStreamHistoryLost when changes after `key` may have fallen off the log. */
  checkKept(key: bigint): void {
    if (key < this.horizon) {
      throw new MongoCommandError(286, 'Resume of change stream was not possible, as the resume point may no longer be in the oplog.', { codeName: 'ChangeStreamHistoryLost' });
    }
  }

  /** Index (into `entries`) of the first entry with a key above `key`. */
  private firstAfter(key: bigint): number {
    let lo = this.head;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.key <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Entries after `key`, oldest first. */
  *after(key: bigint): Generator<LogEntry> {
    this.checkKept(key);
    // Entries may fall off while the caller iterates: continue from the key, not an index.
    let last = key;
    for (;;) {
      const i = this.firstAfter(last);
      const entry = this.entries[i];
      if (entry === undefined) return;
      last = entry.key;
      yield entry;
    }
  }

  /** The entry with exactly this key, if still kept. */
  find(key: bigint): LogEntry | undefined {
    const entry = this.entries[this.firstAfter(key - 1n)];
    return entry?.key === key ? entry : undefined;
  }

  /** Resolves when a commit is appended or after `ms`, whichever comes first. */
  waitForAppend(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
    });
  }
}

export function timestampKey(ts: Timestamp): bigint {
  return (BigInt(ts.high >>> 0) << 32n) | BigInt(ts.low >>> 0);
}

/** The key just before every change at cluster time `ts` (startAtOperationTime includes `ts`). */
export function keyBefore(ts: Timestamp): bigint {
  return (timestampKey(ts) << 32n) - 1n;
}

/** `_id` of an event (and postBatchResumeToken): `{_data: <hex>}`, opaque to drivers as mongod's. */
export function resumeToken(point: ResumePoint): Document {
  return { _data: `82${point.key.toString(16).toUpperCase().padStart(32, '0')}${point.fromInvalidate ? '01' : '00'}` };
}

export function parseResumeToken(token: unknown, option: string): ResumePoint {
  const data = (token as Document | null)?._data;
  const match = typeof data === 'string' ? /^82([0-9A-F]{32})(0[01])$/i.exec(data) : null;
  if (match === null) {
    throw new MongoCommandError(ErrorCode.BadValue, `${option}: not a resume token of this server: ${JSON.stringify(token)}`, { codeName: 'BadValue' });
  }
  return { key: BigInt(`0x${match[1]!}`), fromInvalidate: match[2] === '01' };
}
