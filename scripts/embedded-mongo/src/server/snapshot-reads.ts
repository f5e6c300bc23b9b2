import { type Document, Timestamp } from 'bson';
import { ErrorCode, MongoCommandError } from '../errors.js';
import type { Engine } from '../storage/engine.js';
import type { ReadView } from '../storage/record.js';

/** mongod's minSnapshotHistoryWindowInSeconds default: how long a snapshot stays readable. */
export const SNAPSHOT_HISTORY_SECONDS = 300;
/** Commits whose cluster time is remembered for `atClusterTime` (older ones: SnapshotTooOld). */
const MAX_HISTORY = 10_000;

/** Commands that take `readConcern: {level: 'snapshot'}` outside a transaction (MongoDB 5.0+). */
export const SNAPSHOT_READ_COMMANDS = new Set(['find', 'aggregate', 'distinct']);

const key = (t: Timestamp): bigint => (BigInt(t.high >>> 0) << 32n) | BigInt(t.low >>> 0);

/**
 * Snapshot reads outside transactions (`readConcern: {level: 'snapshot', atClusterTime?}`): a
 * read at one point in time, which the driver's snapshot sessions repeat for every read with the
 * `atClusterTime` the first read answered. The engine's commit timestamps are not cluster times,
 * so each commit's cluster time is remembered with the engine timestamp after it; a read at
 * cluster time T reads the engine's snapshot of the last commit at or before T.
 *
 * mongod keeps all history for minSnapshotHistoryWindowInSeconds; the engine keeps old versions
 * only for open snapshots, so a snapshot read pins its snapshot for that window, and a read at a
 * time before any pinned snapshot (when anything changed since) fails with SnapshotTooOld.
 */
export class SnapshotReads {
  /** (cluster time key, engine timestamp after that commit), in commit order. */
  private readonly history: { key: bigint; ts: number }[] = [];
  private head = 0;

  constructor(
    private readonly engine: Engine,
    start: Timestamp,
  ) {
    this.history.push({ key: key(start), ts: engine.txns.clock });
  }

  /** Called at every commit, with the cluster time it was given. */
  committed(clusterTime: Timestamp): void {
    this.history.push({ key: key(clusterTime), ts: this.engine.txns.clock });
    if (this.history.length - this.head > MAX_HISTORY) this.head++;
    if (this.head > 1024 && this.head * 2 > this.history.length) {
      this.history.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The view a snapshot read reads, and the cluster time it reads at (the reply's `atClusterTime`). */
  open(readConcern: Document, now: Timestamp): { view: ReadView; atClusterTime: Timestamp } {
    const requested: unknown = readConcern.atClusterTime;
    let ts: number;
    let atClusterTime: Timestamp;
    if (requested === undefined) {
      ts = this.engine.txns.clock;
      atClusterTime = now;
    } else {
      if (!(requested instanceof Timestamp)) throw new MongoCommandError(ErrorCode.TypeMismatch, "BSON field 'readConcern.atClusterTime' is the wrong type, expected type 'timestamp'");
      atClusterTime = requested;
      ts = this.engineTsAt(key(requested));
    }
    if (!this.engine.txns.canRead(ts)) {
      throw new MongoCommandError(239, `Read timestamp ${atClusterTime.toString()} is older than the oldest available timestamp.`, { codeName: 'SnapshotTooOld' });
    }
    this.engine.txns.pin(ts, Date.now() + SNAPSHOT_HISTORY_SECONDS * 1000);
    return { view: { snapshotTs: ts, txn: null }, atClusterTime };
  }

  private engineTsAt(wanted: bigint): number {
    let lo = this.head;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.history[mid]!.key <= wanted) lo = mid + 1;
      else hi = mid;
    }
    // Before the oldest remembered commit: only readable when nothing changed since (canRead decides).
    return lo === this.head ? -1 : this.history[lo - 1]!.ts;
  }
}
