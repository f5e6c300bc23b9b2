import type { Engine } from '../storage/engine.js';
import { ChangeLog } from './change-log.js';
import { ClusterClock } from './cluster-time.js';
import { CursorRegistry } from './cursors.js';
import { FailPoints } from './fail-points.js';
import { SessionRegistry } from './sessions.js';
import { SnapshotReads } from './snapshot-reads.js';

/** Everything the command handlers share: one per running server. */
export class ServerState {
  readonly sessions = new SessionRegistry();
  readonly cursors = new CursorRegistry();
  readonly clock = new ClusterClock();
  readonly startedAt = Date.now();
  port = 0;
  connectionsOpen = 0;
  connectionsTotal = 0;
  /** Non-transactional writes currently queued behind an open transaction (reported in serverStatus). */
  waitingWrites = 0;
  transactionLifetimeSeconds = 60;
  /** Test-only commands (configureFailPoint) answer; off, they are unknown commands as on a production mongod. */
  testCommandsEnabled = false;
  readonly failPoints = new FailPoints();
  /** The application name each connection gave in its handshake (failCommand's `appName` filter). */
  readonly appNames = new Map<number, string>();
  /** What change streams read: every commit's changes, in commit order (a bounded ring). */
  readonly changeLog: ChangeLog;
  /** Snapshot reads outside transactions: which engine snapshot a cluster time reads. */
  readonly snapshotReads: SnapshotReads;

  constructor(
    readonly engine: Engine,
    /** Replica set name reported in hello; the server is the set's only member and its primary. */
    readonly replSetName: string,
    changeLogLimits: { entries?: number; bytes?: number } = {},
  ) {
    const start = this.clock.tick();
    this.changeLog = new ChangeLog(start, changeLogLimits.entries, changeLogLimits.bytes);
    this.snapshotReads = new SnapshotReads(engine, start);
    // Each commit gets its own cluster time; the reply's operationTime (a later tick) follows it.
    engine.changeListener = (changes, origin) => {
      const clusterTime = this.clock.tick();
      this.changeLog.append(changes, origin, clusterTime);
      this.snapshotReads.committed(clusterTime);
    };
  }

  get hostAndPort(): string {
    return `127.0.0.1:${this.port}`;
  }
}
