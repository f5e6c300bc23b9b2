export { DEFAULT_MONGO_CONFIG, toMongoClientOptions } from './mongo-config.js';
export type { MongoConfig } from './mongo-config.js';
export {
  CORE_DATABASE_NAME,
  DATABASE_STRATEGIES,
  DatabaseStrategyError,
  defaultShardResolver,
  resolveConnectionUri,
  resolveDatabaseName,
  resolveShardIndex,
} from './database-strategy.js';
export type { ConnectionRouting, DatabaseContext, DatabaseStrategy, DatabaseStrategyConfig } from './database-strategy.js';
export {
  getConnectionPoolStats,
  getPoolHealthStatus,
  monitorConnectionPool,
  POOL_CRITICAL_PERCENT,
  POOL_WARNING_PERCENT,
} from './pool-monitor.js';
export type { ConnectionPoolStats, PoolHealthLevel, PoolHealthStatus } from './pool-monitor.js';
export { assertProductionDatabase, connectMongo } from './connection.js';
export type { ConnectMongoOptions } from './connection.js';
export { createServiceDatabaseAccess } from './service-accessor.js';
export type {
  DatabaseHealth,
  DatabaseStats,
  IndexSpec,
  InitializeDatabaseOptions,
  ServiceDatabaseAccessor,
} from './service-accessor.js';
export { DEFAULT_TRANSACTION_OPTIONS, DEFAULT_TRANSACTION_RETRY_BUDGET_MS, TransactionConflictError, observeTransactions, withTransaction } from './transaction.js';
export type { TransactionObserver, TransactionRetryLabel, WithTransactionParams } from './transaction.js';
export { runAfterCommit } from './after-commit.js';
