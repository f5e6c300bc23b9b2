/**
 * The server a test file talks to. With `MONGO_URI` set, that real MongoDB (a replica set, so
 * transactions work); otherwise one embedded engine per test file on a free port, stopped after
 * the file. Every test names its own database through `engine.dbName(...)`, so files and tests
 * can run in parallel against one real server without seeing each other's data.
 *
 * Against a real MongoDB 7 replica set (the suite asserts MongoDB's documented behaviour, so it
 * must pass there too; durability tests always start their own engine):
 *   MONGO_URI='mongodb://127.0.0.1:27017/?replicaSet=rs0' npx vitest run test/conformance test/bad-input test/concurrency
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import { startEmbeddedMongo } from '../../src/index.js';

/** Replica-set name the embedded engine is started with; a real server reports its own. */
export const EMBEDDED_REPL_SET_NAME = 'rs0';

export interface TestEngine {
  /** Connection string of the server under test (as given by MONGO_URI or by the engine). */
  readonly uri: string;
  /** `host:port` of the primary, for raw sockets and hand-built connection strings. */
  readonly host: string;
  readonly port: number;
  /** True when the server is the embedded engine started by this helper. */
  readonly isEmbedded: boolean;
  /** A client connected in beforeAll and closed in afterAll. */
  readonly client: MongoClient;
  /** A database name unique to this run and label (at most 63 characters). */
  dbName(label: string): string;
  /** `client.db(dbName(label))`. */
  db(label: string): Db;
  /** An extra client (e.g. with command monitoring); closed in afterAll. */
  newClient(options?: MongoClientOptions, uri?: string): Promise<MongoClient>;
}

interface RunningEngine {
  uri: string;
  stop(): Promise<void>;
}

const runId = randomBytes(3).toString('hex');

function hostOf(uri: string): { host: string; port: number } {
  // First host of a mongodb:// URI; enough for the single-host URIs the engine and a dev replica set give.
  const match = /^mongodb:\/\/(?:[^@/]*@)?([^,/?]+)/.exec(uri);
  if (!match?.[1]) throw new Error(`cannot read a host from ${uri}`);
  const [hostname, port] = match[1].split(':');
  return { host: `${hostname}:${port ?? '27017'}`, port: Number(port ?? 27017) };
}

/**
 * Registers beforeAll/afterAll hooks for the calling test file and returns the handle; its
 * fields are usable inside tests and hooks declared after this call.
 */
export function useTestEngine(fileLabel: string): TestEngine {
  let running: RunningEngine | undefined;
  let uri = '';
  let primary = '';
  let client: MongoClient | undefined;
  const extraClients: MongoClient[] = [];
  const usedDbNames = new Set<string>();
  const label = fileLabel.replace(/[^a-zA-Z0-9]/g, '').slice(0, 12);

  beforeAll(async () => {
    if (process.env.MONGO_URI) {
      uri = process.env.MONGO_URI;
    } else {
      const started = await startEmbeddedMongo({ port: 0, replSetName: EMBEDDED_REPL_SET_NAME });
      running = started;
      uri = started.uri;
    }
    client = await new MongoClient(uri).connect();
    // Raw sockets and directConnection URIs must reach the primary; on a real replica set the
    // first host of MONGO_URI may be a secondary.
    const hello = await client.db('admin').command({ hello: 1 });
    primary = typeof hello.primary === 'string' ? hello.primary : hostOf(uri).host;
  });

  afterAll(async () => {
    // Tidy a shared real server; the embedded engine is memory-only and simply stopped.
    if (client && process.env.MONGO_URI) {
      for (const name of usedDbNames)
        await client
          .db(name)
          .dropDatabase()
          .catch(() => undefined);
    }
    await Promise.all(extraClients.map((c) => c.close().catch(() => undefined)));
    await client?.close().catch(() => undefined);
    await running?.stop();
  });

  const engine: TestEngine = {
    get uri() {
      return uri;
    },
    get host() {
      return primary;
    },
    get port() {
      return Number(primary.split(':')[1] ?? 27017);
    },
    get isEmbedded() {
      return running !== undefined;
    },
    get client() {
      if (!client) throw new Error('useTestEngine: client used before beforeAll ran');
      return client;
    },
    dbName(testLabel: string) {
      const name = `t_${runId}_${label}_${testLabel.replace(/[^a-zA-Z0-9]/g, '')}`.slice(0, 63);
      usedDbNames.add(name);
      return name;
    },
    db(testLabel: string) {
      return engine.client.db(engine.dbName(testLabel));
    },
    async newClient(options?: MongoClientOptions, otherUri?: string) {
      const extra = new MongoClient(otherUri ?? uri, options);
      extraClients.push(extra);
      return extra.connect();
    },
  };
  return engine;
}

/**
 * Waits until `condition` holds, checking every `intervalMs`, failing after `timeoutMs`.
 * For effects with no event to await (e.g. the TTL monitor); never used as a plain sleep.
 */
export async function waitFor(condition: () => Promise<boolean>, { timeoutMs, intervalMs = 200, what }: { timeoutMs: number; intervalMs?: number; what: string }): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The rejection of `promise`, failing the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Record<string, any>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, any>;
  }
  throw new Error('expected the operation to fail, but it succeeded');
}
