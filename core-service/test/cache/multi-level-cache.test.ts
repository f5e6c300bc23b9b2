import { describe, expect, it, vi } from 'vitest';
import { createTestFixture } from '../../src/testing/index.js';
import { connectTestRedis, createTestCache, deferred, nextEvent } from './cache-fixture.js';

describe('MultiLevelCache', () => {
  it('answers a repeated read from memory without touching Redis', async () => {
    const fixture = createTestFixture();
    const redis = await connectTestRedis(fixture.redisUrl);
    const cache = await createTestCache(fixture, redis);

    await cache.set('user:1', { name: 'Ada' }, 60);
    expect(await cache.get('user:1')).toEqual({ name: 'Ada' });

    const stats = cache.getStats();
    expect(stats.memory).toMatchObject({ size: 1, validEntries: 1, expiredEntries: 0 });
    expect(stats.hits.memory).toBe(1);
    expect(stats.hits.redis).toBe(0);
    expect(stats.operations.writes).toBe(1);
  });

  it('promotes an L2 hit to L1 on another instance', async () => {
    const fixture = createTestFixture();
    const writer = await createTestCache(fixture, await connectTestRedis(fixture.redisUrl));
    const reader = await createTestCache(fixture, await connectTestRedis(fixture.redisUrl));

    await writer.set('wallet:7', { balance: 1200 }, 60);
    expect(await reader.get('wallet:7')).toEqual({ balance: 1200 });
    expect(await reader.get('wallet:7')).toEqual({ balance: 1200 });

    const stats = reader.getStats();
    expect(stats.hits.redis).toBe(1);
    expect(stats.hits.memory).toBe(1);
    expect(stats.memory.size).toBe(1);
  });

  it('stores values in Redis under the key prefix with the TTL', async () => {
    const fixture = createTestFixture();
    const redis = await connectTestRedis(fixture.redisUrl);
    const cache = await createTestCache(fixture, redis);

    await cache.set('product:1', { sku: 'A' }, 120);
    const ttl = await redis.pttl(`${fixture.keyPrefix}cache:product:1`);
    expect(ttl).toBeGreaterThan(110_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
  });

  it("drops a changed key from other instances' memory through the bus", async () => {
    const fixture = createTestFixture();
    const a = await createTestCache(fixture, await connectTestRedis(fixture.redisUrl));
    const b = await createTestCache(fixture, await connectTestRedis(fixture.redisUrl));

    await a.set('user:1', 'old', 60);
    expect(await b.get('user:1')).toBe('old');

    const invalidated = nextEvent(b, 'invalidated');
    await a.set('user:1', 'new', 60);
    const [message] = (await invalidated) as [{ k?: string[] }];
    // Keys only: the value never travels on the bus.
    expect(message.k).toEqual(['user:1']);
    expect(JSON.stringify(message)).not.toContain('new');
    expect(await b.get('user:1')).toBe('new');
  });

  it('runs the loader once for many concurrent misses of one key', async () => {
    const fixture = createTestFixture();
    const cache = await createTestCache(fixture, await connectTestRedis(fixture.redisUrl));
    const gate = deferred<string>();
    const loader = vi.fn(() => gate.promise);

    const callers = Array.from({ length: 50 }, () => cache.cached('report:1', 60, loader));
    gate.resolve('report');
    const results = await Promise.all(callers);

    expect(loader).toHaveBeenCalledTimes(1);
    expect(new Set(results)).toEqual(new Set(['report']));
    expect(await cache.cached('report:1', 60, loader)).toBe('report');
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('lets the next caller retry after a loader failure', async () => {
    const fixture = createTestFixture();
    const cache = await createTestCache(fixture, await connectTestRedis(fixture.redisUrl));

    await expect(cache.cached('flaky', 60, () => Promise.reject(new Error('source down')))).rejects.toThrow('source down');
    expect(await cache.cached('flaky', 60, () => Promise.resolve('ok'))).toBe('ok');
  });

  it('serves a stale value within the grace period while exactly one refresh runs', async () => {
    const fixture = createTestFixture();
    const cache = await createTestCache(fixture, await connectTestRedis(fixture.redisUrl));

    await cache.cached('rates', 0.01, () => Promise.resolve('v1'), { grace: 60 });
    const expiresAt = Date.now() + 10;
    await vi.waitUntil(() => Date.now() > expiresAt + 1);
    expect(cache.getStats().memory).toMatchObject({ size: 1, validEntries: 0, expiredEntries: 1 });

    const refresh = deferred<string>();
    const loader = vi.fn(() => refresh.promise);
    const stale = await Promise.all([1, 2, 3].map(() => cache.cached('rates', 60, loader, { grace: 60 })));
    expect(stale).toEqual(['v1', 'v1', 'v1']);
    expect(loader).toHaveBeenCalledTimes(1);

    refresh.resolve('v2');
    await vi.waitUntil(async () => (await cache.get('rates')) === 'v2');
    expect(cache.getStats().operations.staleServed).toBe(3);
  });

  it('keeps serving the stale value while the source fails during grace', async () => {
    const fixture = createTestFixture();
    const cache = await createTestCache(fixture, undefined, { redisEnabled: false });

    await cache.cached('fx', 0.01, () => Promise.resolve('cached-rate'), { grace: 60 });
    const expiresAt = Date.now() + 10;
    await vi.waitUntil(() => Date.now() > expiresAt + 1);

    const failing = vi.fn(() => Promise.reject(new Error('provider down')));
    expect(await cache.cached('fx', 60, failing, { grace: 60 })).toBe('cached-rate');
    await vi.waitUntil(() => failing.mock.results.length === 1);
    await failing.mock.results[0]?.value.catch(() => undefined);
    expect(await cache.cached('fx', 60, failing, { grace: 60 })).toBe('cached-rate');
  });

  it("deletes a pattern from both layers and from other instances' memory", async () => {
    const fixture = createTestFixture();
    const redis = await connectTestRedis(fixture.redisUrl);
    const a = await createTestCache(fixture, redis);
    const b = await createTestCache(fixture, await connectTestRedis(fixture.redisUrl));

    await a.setMany([
      { key: 'user:1', value: 1, ttl: 60 },
      { key: 'user:2', value: 2, ttl: 60 },
      { key: 'product:1', value: 3, ttl: 60 },
    ]);
    expect(await b.getMany(['user:1', 'user:2', 'product:1'])).toEqual(
      new Map<string, number>([
        ['user:1', 1],
        ['user:2', 2],
        ['product:1', 3],
      ]),
    );

    const invalidated = nextEvent(b, 'invalidated');
    expect(await a.deletePattern('user:*')).toBeGreaterThanOrEqual(2);
    await invalidated;

    expect(await b.get('user:1')).toBeNull();
    expect(await b.get('product:1')).toBe(3);
    expect(await redis.exists(`${fixture.keyPrefix}cache:user:1`, `${fixture.keyPrefix}cache:user:2`)).toBe(0);
  });

  it('reads, writes and deletes many keys in one go', async () => {
    const fixture = createTestFixture();
    const a = await createTestCache(fixture, await connectTestRedis(fixture.redisUrl));
    const b = await createTestCache(fixture, await connectTestRedis(fixture.redisUrl));

    await a.setMany([
      { key: 'a', value: 1, ttl: 60 },
      { key: 'b', value: 2, ttl: 120 },
    ]);
    expect(await b.getMany(['a', 'b', 'c'])).toEqual(
      new Map<string, number | null>([
        ['a', 1],
        ['b', 2],
        ['c', null],
      ]),
    );

    await a.deleteMany(['a', 'b']);
    await vi.waitUntil(() => b.getStats().invalidation.received >= 2);
    expect(await b.getMany(['a', 'b'])).toEqual(
      new Map([
        ['a', null],
        ['b', null],
      ]),
    );
  });

  it('sends the deletes of one tick to Redis together: one notice for all their keys', async () => {
    const fixture = createTestFixture();
    const redis = await connectTestRedis(fixture.redisUrl);
    const a = await createTestCache(fixture, redis);
    const b = await createTestCache(fixture, await connectTestRedis(fixture.redisUrl));
    await a.setMany(['x', 'y', 'z'].map((key) => ({ key, value: key, ttl: 60 })));
    expect(await b.getMany(['x', 'y', 'z'])).toEqual(new Map(['x', 'y', 'z'].map((key) => [key, key])));

    const notices: Array<{ k?: string[] }> = [];
    b.on('invalidated', (message) => notices.push(message));
    // As a transfer's commit drops both parties' balances: separate calls, the same tick.
    await Promise.all([a.delete('x'), a.delete('y'), a.deleteMany(['z', 'x'])]);
    await vi.waitUntil(() => notices.length >= 1);
    expect(notices).toEqual([expect.objectContaining({ k: ['x', 'y', 'z'] })]);
    expect(await redis.exists(['x', 'y', 'z'].map((key) => `${fixture.keyPrefix}cache:${key}`))).toBe(0);
    expect(await b.getMany(['x', 'y', 'z'])).toEqual(new Map(['x', 'y', 'z'].map((key) => [key, null])));

    // The next tick is a batch of its own.
    await a.delete('x');
    await vi.waitUntil(() => notices.length >= 2);
    expect(notices[1]).toEqual(expect.objectContaining({ k: ['x'] }));
  });

  it('warms entries and counts the ones whose fetch failed', async () => {
    const fixture = createTestFixture();
    const cache = await createTestCache(fixture, await connectTestRedis(fixture.redisUrl));

    const result = await cache.warm([
      { key: 'user:1', fetchFn: () => Promise.resolve({ id: 1 }), ttl: 600 },
      { key: 'user:2', fetchFn: () => Promise.reject(new Error('gone')), ttl: 600 },
    ]);
    expect(result).toEqual({ warmed: 1, failed: 1 });
    expect(await cache.get('user:1')).toEqual({ id: 1 });
  });

  it('bounds memory by entry count and counts evictions', async () => {
    const fixture = createTestFixture();
    const cache = await createTestCache(fixture, undefined, { redisEnabled: false, maxMemorySize: 2 });

    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.set('c', 3);
    const stats = cache.getStats();
    expect(stats.memory.size).toBe(2);
    expect(stats.memory.evictions).toBe(1);
    expect(stats.memory.utilizationPercent).toBe(100);
    expect(await cache.get('a')).toBeNull();
  });

  it('bounds memory by approximate bytes when asked', async () => {
    const fixture = createTestFixture();
    const cache = await createTestCache(fixture, undefined, { redisEnabled: false, maxMemoryBytes: 100 });

    await cache.set('big1', 'x'.repeat(60));
    await cache.set('big2', 'y'.repeat(60));
    const stats = cache.getStats();
    expect(stats.memory.size).toBe(1);
    expect(stats.memory.calculatedSize).toBeLessThanOrEqual(100);
  });

  it('reports hit rates per layer', async () => {
    const fixture = createTestFixture();
    const writer = await createTestCache(fixture, await connectTestRedis(fixture.redisUrl));
    const cache = await createTestCache(fixture, await connectTestRedis(fixture.redisUrl));

    await writer.set('k', 'v', 60);
    await cache.get('k'); // L1 miss, L2 hit
    await cache.get('k'); // L1 hit
    await cache.get('absent'); // miss everywhere
    const stats = cache.getStats();
    expect(stats.hits).toEqual({ memory: 1, redis: 1, total: 2 });
    expect(stats.misses).toEqual({ memory: 2, redis: 1, total: 1 });
    expect(stats.hitRate.memory).toBeCloseTo(33.33, 1);
    expect(stats.hitRate.redis).toBe(50);
    expect(stats.hitRate.overall).toBeCloseTo(66.67, 1);
  });
});
