export {
  connectRedis,
  getRedis,
  findRedis,
  getRedisForRead,
  hasReadReplica,
  isRedisConnected,
  getRedisConnectionStats,
  closeRedis,
  createRedisClient,
  buildRedisOptions,
  waitForRedisReady,
  watchRedisClient,
  quitRedisClient,
  redisConfigFromEnv,
} from './connection.js';
export type { RedisConfig, RedisSentinelConfig, RedisReplicaConfig, RedisMode, RedisConnectionStats } from './connection.js';
export { computeReconnectDelay } from './reconnect-backoff.js';
export { scanKeysIterator, scanKeysArray, deleteKeysByPattern, escapeRedisPattern } from './scan.js';
export type { ScanOptions } from './scan.js';
export { duplicateConnection } from './duplicate-connection.js';
export { spendSlidingWindow } from './sliding-window.js';
export type { SlidingWindowSpend, SlidingWindowResult } from './sliding-window.js';
export { withRedisFallback, isRedisReady, isRedisConnectionError, noteRedisDegradation, redisDegradations, resetRedisDegradations } from './redis-fallback.js';
export { duplicateForBullMQ } from './duplicate-connection.js';
