import type { Db, IndexDescription, MongoClient, MongoClientOptions } from 'mongodb';
import { connectMongo } from './connection.js';
import { resolveConnectionUri, resolveDatabaseName, type ConnectionRouting, type DatabaseContext, type DatabaseStrategy, type DatabaseStrategyConfig } from './database-strategy.js';
import type { MongoConfig } from './mongo-config.js';
import { getConnectionPoolStats, getPoolHealthStatus, type PoolHealthStatus } from './pool-monitor.js';

/** An index as the driver's `createIndexes` takes it, minus `background` (ignored since MongoDB 4.2). */
export type IndexSpec = Omit<IndexDescription, 'background'>;

export interface InitializeDatabaseOptions extends Partial<Omit<ConnectionRouting, 'uri'>> {
  brand?: string;
  /** Tenant used by `getDb()` without an argument (per-tenant and per-shard strategies). */
  tenantId?: string;
  /** Default: `DB_STRATEGY` from the environment, else `per-service`. */
  strategy?: DatabaseStrategy;
  /** Default: `MONGO_URI` from the environment, else `mongodb://localhost:27017`. */
  uri?: string;
  shardCount?: number;
  resolveShard?: DatabaseStrategyConfig['resolveShard'];
  dbNameSuffix?: string;
  config?: Partial<MongoConfig>;
  clientOptions?: MongoClientOptions;
}

export interface DatabaseHealth {
  healthy: boolean;
  latencyMs: number;
  /** Open connections of the accessor's default client. */
  connections: number;
  checkedOut: number;
  pool: PoolHealthStatus;
  error?: string;
}

export interface DatabaseStats {
  database: string;
  collections: number;
  objects: number;
  dataSize: number;
  storageSize: number;
  indexes: number;
  indexSize: number;
}

export interface ServiceDatabaseAccessor {
  readonly serviceName: string;
  initialize(options?: InitializeDatabaseOptions): Promise<void>;
  /** The database for the initialised context, or for `tenantId` under per-tenant / per-shard. */
  getDb(tenantId?: string): Promise<Db>;
  /** Name `getDb(tenantId)` resolves to, without connecting. */
  getDatabaseName(tenantId?: string): string;
  /**
   * Name another service's database resolves to under this deployment's strategy. For the one
   * place a service writes another's collections in its own transaction (bonus awards write
   * payment's wallets and ledger): the name must be the owner's, and one client must do both.
   */
  getDatabaseNameOf(service: string, tenantId?: string): string;
  /** Client of the initialised context's cluster (sessions, transactions, cross-database reads). */
  getClient(): MongoClient;
  isInitialized(): boolean;
  checkHealth(): Promise<DatabaseHealth>;
  getStats(tenantId?: string): Promise<DatabaseStats>;
  registerIndexes(collection: string, specs: readonly IndexSpec[]): void;
  /**
   * Creates the registered indexes in the context's database. From then on, every other
   * database `getDb` hands out (a new tenant's, a new shard's) gets them on first use.
   */
  ensureIndexes(tenantId?: string): Promise<void>;
  close(): Promise<void>;
}

interface InitializedState {
  options: InitializeDatabaseOptions;
  strategy: DatabaseStrategyConfig;
  routing: ConnectionRouting;
  context: DatabaseContext;
  defaultClient: MongoClient;
}

function indexName(spec: IndexSpec): string {
  return spec.name ?? JSON.stringify(spec.key);
}

/**
 * The one way a service reaches MongoDB: resolves database names through the configured
 * strategy, keeps one client per cluster, and owns the service's index list.
 */
export function createServiceDatabaseAccess(serviceName: string): ServiceDatabaseAccessor {
  let state: InitializedState | undefined;
  let initializing: Promise<void> | undefined;
  let initializedWith = '';
  const clients = new Map<string, Promise<MongoClient>>();
  const indexes = new Map<string, Map<string, IndexSpec>>();
  /** Databases whose indexes exist (or are being created), keyed by `uri|dbName`. */
  const ensuredDatabases = new Map<string, Promise<void>>();
  let indexesWanted = false;

  function requireState(): InitializedState {
    if (state === undefined) {
      throw new Error(`database access for '${serviceName}' is not initialized: call initialize() at start-up`);
    }
    return state;
  }

  function clientFor(uri: string, options: InitializeDatabaseOptions): Promise<MongoClient> {
    let client = clients.get(uri);
    if (client === undefined) {
      client = connectMongo(uri, {
        config: options.config,
        clientOptions: { appName: serviceName, ...options.clientOptions },
      });
      clients.set(uri, client);
      // A failed connect is not cached: the next getDb tries again.
      client.catch(() => clients.delete(uri));
    }
    return client;
  }

  function contextFor(current: InitializedState, tenantId: string | undefined): DatabaseContext {
    return { ...current.context, tenantId: tenantId ?? current.context.tenantId };
  }

  async function createIndexesIn(db: Db): Promise<void> {
    await Promise.all(
      [...indexes].map(async ([collection, specs]) => {
        if (specs.size > 0) await db.collection(collection).createIndexes([...specs.values()]);
      }),
    );
  }

  function ensureIndexesIn(uri: string, db: Db): Promise<void> {
    const key = `${uri}|${db.databaseName}`;
    let pending = ensuredDatabases.get(key);
    if (pending === undefined) {
      pending = createIndexesIn(db);
      ensuredDatabases.set(key, pending);
      pending.catch(() => ensuredDatabases.delete(key));
    }
    return pending;
  }

  async function databaseFor(tenantId: string | undefined): Promise<{ db: Db; uri: string }> {
    const current = requireState();
    const context = contextFor(current, tenantId);
    const uri = resolveConnectionUri(current.strategy, current.routing, context);
    const client = await clientFor(uri, current.options);
    return { db: client.db(resolveDatabaseName(current.strategy, context)), uri };
  }

  async function doInitialize(options: InitializeDatabaseOptions): Promise<void> {
    const strategy: DatabaseStrategyConfig = {
      strategy: options.strategy ?? (process.env['DB_STRATEGY'] as DatabaseStrategy | undefined) ?? 'per-service',
      shardCount: options.shardCount,
      resolveShard: options.resolveShard,
      dbNameSuffix: options.dbNameSuffix,
    };
    const routing: ConnectionRouting = {
      uri: options.uri ?? process.env['MONGO_URI'] ?? 'mongodb://localhost:27017',
      brandUris: options.brandUris,
      tenantUris: options.tenantUris,
      shardUris: options.shardUris,
    };
    const context: DatabaseContext = { service: serviceName, brand: options.brand, tenantId: options.tenantId };
    // Resolve before connecting so a bad strategy/context fails start-up with a clear message.
    resolveDatabaseName(strategy, context);
    const defaultClient = await clientFor(resolveConnectionUri(strategy, routing, context), options);
    state = { options, strategy, routing, context, defaultClient };
  }

  return {
    serviceName,

    initialize(options = {}) {
      const signature = JSON.stringify(options);
      if (initializing !== undefined) {
        // Start-up code may race to initialise; the same options share one connection.
        if (signature === initializedWith) return initializing;
        return Promise.reject(new Error(`database access for '${serviceName}' is already initialized with other options; close() it first`));
      }
      initializedWith = signature;
      initializing = doInitialize(options);
      initializing.catch(() => {
        initializing = undefined;
      });
      return initializing;
    },

    async getDb(tenantId) {
      const { db, uri } = await databaseFor(tenantId);
      if (indexesWanted) await ensureIndexesIn(uri, db);
      return db;
    },

    getDatabaseName(tenantId) {
      const current = requireState();
      return resolveDatabaseName(current.strategy, contextFor(current, tenantId));
    },

    getDatabaseNameOf(service, tenantId) {
      const current = requireState();
      return resolveDatabaseName(current.strategy, { ...contextFor(current, tenantId), service });
    },

    getClient() {
      return requireState().defaultClient;
    },

    isInitialized() {
      return state !== undefined;
    },

    async checkHealth() {
      const current = requireState();
      const started = performance.now();
      let error: string | undefined;
      try {
        await current.defaultClient.db('admin').command({ ping: 1 });
      } catch (caught) {
        error = caught instanceof Error ? caught.message : String(caught);
      }
      const latencyMs = Math.round((performance.now() - started) * 100) / 100;
      const stats = getConnectionPoolStats(current.defaultClient);
      const pool = getPoolHealthStatus(current.defaultClient);
      return {
        healthy: error === undefined && pool.status !== 'critical',
        latencyMs,
        connections: stats.totalConnections,
        checkedOut: stats.checkedOut,
        pool,
        ...(error !== undefined ? { error } : {}),
      };
    },

    async getStats(tenantId) {
      const { db } = await databaseFor(tenantId);
      const stats = await db.stats();
      const number = (value: unknown) => (typeof value === 'number' ? value : Number(value ?? 0));
      return {
        database: db.databaseName,
        collections: number(stats['collections']),
        objects: number(stats['objects']),
        dataSize: number(stats['dataSize']),
        storageSize: number(stats['storageSize']),
        indexes: number(stats['indexes']),
        indexSize: number(stats['indexSize']),
      };
    },

    registerIndexes(collection, specs) {
      let registered = indexes.get(collection);
      if (registered === undefined) {
        registered = new Map();
        indexes.set(collection, registered);
      }
      for (const spec of specs) {
        if ('background' in spec) {
          throw new Error(`index ${indexName(spec)} on '${collection}': 'background' is deprecated since MongoDB 4.2`);
        }
        registered.set(indexName(spec), spec);
      }
      // Databases already handed out get the new indexes on their next getDb.
      ensuredDatabases.clear();
    },

    async ensureIndexes(tenantId) {
      indexesWanted = true;
      const { db, uri } = await databaseFor(tenantId);
      await ensureIndexesIn(uri, db);
    },

    async close() {
      const open = [...clients.values()];
      clients.clear();
      ensuredDatabases.clear();
      state = undefined;
      initializing = undefined;
      initializedWith = '';
      await Promise.allSettled(open.map(async (client) => (await client).close()));
    },
  };
}
