import { createServer, type Server, type Socket } from 'node:net';
import { Engine } from '../storage/engine.js';
import { removeExpiredDocuments } from '../storage/ttl-monitor.js';
import { endSession } from './commands/session-commands.js';
import { Connection } from './connection.js';
import { ServerState } from './server-state.js';
import { abortExpiredTransactions } from './transaction-state.js';

export interface EmbeddedMongoOptions {
  /** TCP port; 0 or absent picks a free one. */
  port?: number;
  /** Directory for the journal and snapshots; absent = memory only. */
  dbPath?: string;
  /** Replica set name reported by hello (default 'rs0'); '' reports a standalone server. */
  replSetName?: string;
  /** fsync journal writes (default false: a write survives the process dying, not the machine). */
  fsync?: boolean;
  /** Journal size that triggers compaction into a snapshot (default 64 MB). */
  compactJournalBytes?: number;
  /** Transactions older than this are aborted (default 60, as MongoDB's transactionLifetimeLimitSeconds). */
  transactionLifetimeSeconds?: number;
  /**
   * Test-only commands, as mongod's `--setParameter enableTestCommands=1`: `configureFailPoint`
   * with the `failCommand` fail point. Default true here, where tests start the engine in their
   * own process; the CLI (what developers and services run) turns them on only with
   * `--enable-test-commands`.
   */
  enableTestCommands?: boolean;
  /**
   * How much history change streams can resume from: the change log keeps this many changes
   * (default 10 000) and at most this many bytes of their documents (default 64 MB).
   */
  changeLog?: { entries?: number; bytes?: number };
}

export interface EmbeddedMongo {
  /** `mongodb://127.0.0.1:PORT/?directConnection=true` */
  uri: string;
  /** `mongodb://127.0.0.1:PORT/?replicaSet=NAME` (the driver then discovers the one-member set). */
  replicaSetUri: string;
  port: number;
  replSetName: string;
  stop(): Promise<void>;
}

/** TTL sweep, transaction lifetime, idle cursors and sessions are checked this often. */
const MAINTENANCE_INTERVAL_MS = 1000;

/** The connection string naming the replica set (`?replicaSet=`) instead of a direct connection. */
export function replicaSetUri(server: Pick<EmbeddedMongo, 'port' | 'replSetName'>): string {
  return `mongodb://127.0.0.1:${server.port}/?replicaSet=${encodeURIComponent(server.replSetName)}`;
}

/**
 * Starts a MongoDB wire-protocol server: one process owns the data, any number of clients and
 * processes connect to it. Resolves once it accepts connections.
 */
export async function startEmbeddedMongo(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const engineOptions =
    options.dbPath !== undefined
      ? { dbPath: options.dbPath, fsync: options.fsync === true, ...(options.compactJournalBytes !== undefined ? { compactJournalBytes: options.compactJournalBytes } : {}) }
      : {};
  const engine = await Engine.open(engineOptions);
  const replSetName = options.replSetName ?? 'rs0';
  const state = new ServerState(engine, replSetName, options.changeLog);
  if (options.transactionLifetimeSeconds !== undefined) state.transactionLifetimeSeconds = options.transactionLifetimeSeconds;
  state.testCommandsEnabled = options.enableTestCommands ?? true;
  const sockets = new Set<Socket>();
  let nextConnectionId = 1;

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    state.connectionsOpen++;
    state.connectionsTotal++;
    socket.on('close', () => {
      sockets.delete(socket);
      state.connectionsOpen--;
    });
    new Connection(socket, state, nextConnectionId++);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After listening, a server error (e.g. EMFILE on accept) must not crash the process.
  server.on('error', (error) => process.emitWarning(`embedded-mongo server error: ${error.message}`));
  const address = server.address();
  state.port = typeof address === 'object' && address !== null ? address.port : 0;

  const maintenance = setInterval(() => {
    const now = Date.now();
    try {
      abortExpiredTransactions(state, now);
      removeExpiredDocuments(engine, now);
      state.cursors.sweep(now);
      for (const session of state.sessions.expired(now)) endSession(state, session);
    } catch (error) {
      // Background upkeep must not take the server down; the next tick tries again.
      process.emitWarning(`embedded-mongo maintenance failed: ${(error as Error).message}`);
    }
  }, MAINTENANCE_INTERVAL_MS);
  maintenance.unref();

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      clearInterval(maintenance);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      await engine.close();
    })();
    return stopping;
  };

  const handle = { port: state.port, replSetName };
  return { uri: `mongodb://127.0.0.1:${state.port}/?directConnection=true`, replicaSetUri: replicaSetUri(handle), ...handle, stop };
}
