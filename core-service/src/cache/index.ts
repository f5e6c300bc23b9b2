export { MultiLevelCache } from './multi-level-cache.js';
export type { MultiLevelCacheOptions, CachedOptions, CacheEntryInput, WarmCacheEntry } from './multi-level-cache.js';
export {
  cached,
  getCache,
  setCache,
  deleteCache,
  deleteCachePattern,
  clearCache,
  getCacheMany,
  setCacheMany,
  deleteCacheMany,
  warmCache,
  configureCacheSettings,
  getCacheSettings,
  getCacheStats,
  getDefaultCache,
  closeCache,
} from './cache-api.js';
export { createCacheKeys, CacheKeys } from './cache-keys.js';
export type { CacheKeyFactory } from './cache-keys.js';
export { DEFAULT_CACHE_SETTINGS } from './cache-settings.js';
export type { CacheSettings } from './cache-settings.js';
export type { CacheStats } from './cache-stats.js';
export { InvalidationBus } from './invalidation-bus.js';
export type { InvalidationMessage } from './invalidation-bus.js';
export { globToRegExp } from './key-pattern.js';
