import { findRedis } from '../redis/connection.js';
import { DEFAULT_CACHE_SETTINGS, type CacheSettings } from './cache-settings.js';
import type { CacheStats } from './cache-stats.js';
import { MultiLevelCache, type CachedOptions, type CacheEntryInput, type WarmCacheEntry } from './multi-level-cache.js';

/**
 * The brief's function API over one process-wide `MultiLevelCache`, whose L2 is the Redis
 * connected with `connectRedis` (looked up on each call, so the cache works before Redis is
 * connected and picks it up afterwards).
 */
let settings: CacheSettings = { ...DEFAULT_CACHE_SETTINGS };
let defaultCache: MultiLevelCache | undefined;

export function getDefaultCache(): MultiLevelCache {
  defaultCache ??= new MultiLevelCache({ ...settings, redis: findRedis });
  return defaultCache;
}

/**
 * Changes the process-wide cache's settings. The in-memory layer is rebuilt (its size bound is
 * fixed at creation), so call it at start-up.
 */
export async function configureCacheSettings(changes: Partial<CacheSettings>): Promise<CacheSettings> {
  settings = { ...settings, ...changes };
  const previous = defaultCache;
  defaultCache = undefined;
  await previous?.close();
  return { ...settings };
}

export function getCacheSettings(): CacheSettings {
  return { ...settings };
}

export function cached<T>(key: string, ttl: number | undefined, loader: () => Promise<T>, options?: CachedOptions): Promise<T> {
  return getDefaultCache().cached(key, ttl, loader, options);
}

export function getCache<T>(key: string): Promise<T | null> {
  return getDefaultCache().get<T>(key);
}

export function setCache(key: string, value: unknown, ttl?: number, options?: CachedOptions): Promise<void> {
  return getDefaultCache().set(key, value, ttl, options);
}

export function deleteCache(key: string): Promise<void> {
  return getDefaultCache().delete(key);
}

export function deleteCachePattern(pattern: string): Promise<number> {
  return getDefaultCache().deletePattern(pattern);
}

export function clearCache(): Promise<void> {
  return getDefaultCache().clear();
}

export function getCacheMany<T>(keys: readonly string[]): Promise<Map<string, T | null>> {
  return getDefaultCache().getMany<T>(keys);
}

export function setCacheMany(entries: readonly CacheEntryInput[]): Promise<void> {
  return getDefaultCache().setMany(entries);
}

export function deleteCacheMany(keys: readonly string[]): Promise<void> {
  return getDefaultCache().deleteMany(keys);
}

export function warmCache(entries: readonly WarmCacheEntry[]): Promise<{ warmed: number; failed: number }> {
  return getDefaultCache().warm(entries);
}

export function getCacheStats(): CacheStats {
  return getDefaultCache().getStats();
}

/** Closes the process-wide cache (its invalidation subscriber); part of graceful shutdown. */
export async function closeCache(): Promise<void> {
  const previous = defaultCache;
  defaultCache = undefined;
  await previous?.close();
}
