import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  cached,
  CacheKeys,
  clearCache,
  closeCache,
  configureCacheSettings,
  createCacheKeys,
  deleteCache,
  deleteCacheMany,
  deleteCachePattern,
  getCache,
  getCacheMany,
  getCacheStats,
  globToRegExp,
  setCache,
  setCacheMany,
  warmCache,
} from '../../src/cache/index.js';
import { closeRedis, connectRedis, getRedis } from '../../src/redis/index.js';
import { createTestFixture } from '../../src/testing/index.js';

// The function API works on one process-wide cache; this file owns it (files run isolated).
const fixture = createTestFixture({ label: 'cacheapi', autoCleanup: false });
const prefix = `${fixture.keyPrefix}cache:`;

beforeAll(async () => {
  await connectRedis(fixture.redisUrl);
  await configureCacheSettings({ keyPrefix: prefix, defaultTtl: 120 });
});

afterAll(async () => {
  await closeCache();
  await closeRedis();
});

describe('cache function API', () => {
  it('caches a loader result (cache-aside) in both layers', async () => {
    const loader = vi.fn(() => Promise.resolve({ id: '123', name: 'Ada' }));
    expect(await cached('user:123', 300, loader)).toEqual({ id: '123', name: 'Ada' });
    expect(await cached('user:123', 300, loader)).toEqual({ id: '123', name: 'Ada' });
    expect(loader).toHaveBeenCalledTimes(1);
    expect(await getRedis().exists(`${prefix}user:123`)).toBe(1);
  });

  it('sets, gets and deletes single keys with the default TTL', async () => {
    await setCache('k', 'v');
    expect(await getCache('k')).toBe('v');
    const ttl = await getRedis().pttl(`${prefix}k`);
    expect(ttl).toBeGreaterThan(100_000);
    await deleteCache('k');
    expect(await getCache('k')).toBeNull();
  });

  it('handles batches: a Map with null for the missing keys', async () => {
    await setCacheMany([
      { key: 'a', value: 1, ttl: 60 },
      { key: 'b', value: 2, ttl: 120 },
    ]);
    expect(await getCacheMany(['a', 'b', 'c'])).toEqual(
      new Map<string, number | null>([
        ['a', 1],
        ['b', 2],
        ['c', null],
      ]),
    );
    await deleteCacheMany(['a', 'b']);
    expect(await getCacheMany(['a', 'b'])).toEqual(
      new Map([
        ['a', null],
        ['b', null],
      ]),
    );
  });

  it('deletes by pattern and clears only its own key prefix', async () => {
    const other = `${fixture.keyPrefix}other:keep`;
    await getRedis().set(other, 'x');
    await setCache('session:1', 1);
    await setCache('session:2', 2);
    await setCache('plan:1', 3);
    expect(await deleteCachePattern('session:*')).toBe(2);
    expect(await getCache('session:1')).toBeNull();
    expect(await getCache('plan:1')).toBe(3);
    await clearCache();
    expect(await getCache('plan:1')).toBeNull();
    expect(await getRedis().get(other)).toBe('x');
  });

  it('warms entries and reports per-layer stats', async () => {
    expect(await warmCache([{ key: 'w:1', fetchFn: () => Promise.resolve(1), ttl: 600 }])).toEqual({ warmed: 1, failed: 0 });
    await getCache('w:1');
    const stats = getCacheStats();
    expect(stats.memory.maxSize).toBe(10_000);
    expect(stats.hits.memory).toBeGreaterThan(0);
    expect(stats.redis.enabled).toBe(true);
  });
});

describe('cache keys', () => {
  it('builds entity keys as the brief spells them', () => {
    const ProductCache = createCacheKeys('product');
    expect(ProductCache.one('123')).toBe('product:123');
    expect(ProductCache.list('active')).toBe('products:active');
    expect(ProductCache.pattern()).toBe('product*');
    expect(CacheKeys.wallet.one(7)).toBe('wallet:7');
  });

  it('matches keys in memory as Redis MATCH does', () => {
    expect(globToRegExp('user:*').test('user:1')).toBe(true);
    expect(globToRegExp('user:*').test('users:1')).toBe(false);
    expect(globToRegExp('u?er').test('user')).toBe(true);
    expect(globToRegExp('k[ab]').test('kb')).toBe(true);
    expect(globToRegExp('k[^ab]').test('kb')).toBe(false);
    expect(globToRegExp('a\\*b').test('a*b')).toBe(true);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });
});
