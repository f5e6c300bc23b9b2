import type { MongoClientOptions, ReadPreferenceMode, W } from 'mongodb';

/**
 * The brief's connection settings, in the brief's shape (`writeConcern: 'majority'` rather than
 * the driver's `{ w: 'majority' }`), so configuration files and docs can use one vocabulary.
 * `toMongoClientOptions` is the single place that maps it onto the driver's options.
 */
export interface MongoConfig {
  /** Max connections per server in the replica set (the driver keeps one pool per server). */
  maxPoolSize: number;
  /** Connections kept warm per server so a burst does not pay for TCP + handshake. */
  minPoolSize: number;
  maxIdleTimeMS: number;
  /** Fail fast when the pool is exhausted instead of queueing requests for ever. */
  waitQueueTimeoutMS: number;
  /**
   * `nearest` (the brief's default) may answer from a secondary that lags the primary: a read
   * right after a write can miss it. Money paths read inside transactions, which always use
   * the primary (DEFAULT_TRANSACTION_OPTIONS); a service that needs read-your-writes elsewhere
   * sets `primary` or reads through a causally consistent session.
   */
  readPreference: ReadPreferenceMode;
  writeConcern: W;
  retryWrites: boolean;
  retryReads: boolean;
}

export const DEFAULT_MONGO_CONFIG: Readonly<MongoConfig> = Object.freeze({
  maxPoolSize: 100,
  minPoolSize: 10,
  maxIdleTimeMS: 30_000,
  waitQueueTimeoutMS: 10_000,
  readPreference: 'nearest',
  writeConcern: 'majority',
  retryWrites: true,
  retryReads: true,
});

/**
 * Driver options from the brief's config. `extra` passes any other driver option through
 * (timeouts, TLS, appName); deprecated options such as `useUnifiedTopology` are not accepted by
 * the driver's type and are never added here.
 */
export function toMongoClientOptions(config: Partial<MongoConfig> = {}, extra: MongoClientOptions = {}): MongoClientOptions {
  const merged: MongoConfig = { ...DEFAULT_MONGO_CONFIG, ...config };
  const { writeConcern, ...rest } = merged;
  return { ...rest, writeConcern: { w: writeConcern }, ...extra };
}
