import { describe, expect, it } from 'vitest';
import { createTestFixture } from '../../src/testing/index.js';
import { connectTestRedis, createTestCache, deferred, nextEvent } from './cache-fixture.js';

describe('MultiLevelCache consistency', () => {
  it('does not cache a loaded value over a newer write made by another instance meanwhile', async () => {
    const fixture = createTestFixture();
    const redis = await connectTestRedis(fixture.redisUrl);
    const writer = await createTestCache(fixture, await connectTestRedis(fixture.redisUrl));
    const reader = await createTestCache(fixture, redis);

    // The reader's loader read the database before the writer's update...
    const slowLoad = deferred<string>();
    const loading = reader.cached('wallet:1', 60, () => slowLoad.promise);
    // ...and the writer stores the new value and announces it while that load is running.
    const invalidated = nextEvent(reader, 'invalidated');
    await writer.set('wallet:1', 'balance=200', 60);
    await invalidated;
    slowLoad.resolve('balance=100');

    expect(await loading).toBe('balance=100'); // the caller gets what it loaded...
    expect(await reader.get('wallet:1')).toBe('balance=200'); // ...but the cache keeps the newer value
    expect(await redis.get(`${fixture.keyPrefix}cache:wallet:1`)).toContain('balance=200');
  });

  it('does not let a slow load overwrite a local write made meanwhile', async () => {
    const fixture = createTestFixture();
    const cache = await createTestCache(fixture, await connectTestRedis(fixture.redisUrl));
    const slowLoad = deferred<string>();
    const loading = cache.cached('user:1', 60, () => slowLoad.promise);
    await cache.set('user:1', 'renamed', 60);
    slowLoad.resolve('original');
    await loading;
    expect(await cache.get('user:1')).toBe('renamed');
  });

  it('removes from Redis what it changed while cut off, so other instances stop reading the old value', async () => {
    const fixture = createTestFixture();
    const clientA = await connectTestRedis(fixture.redisUrl);
    const a = await createTestCache(fixture, clientA);
    const b = await createTestCache(fixture, await connectTestRedis(fixture.redisUrl));

    await a.set('plan:1', 'v1', 300);
    expect(await b.get('plan:1')).toBe('v1');

    // A loses its connection (B does not) and changes the key: only A's memory sees it.
    const ended = nextEvent(clientA, 'end');
    clientA.disconnect();
    await ended;
    await a.set('plan:1', 'v2', 300);
    await a.deletePattern('promo:*');
    expect(a.getStats().redis.available).toBe(false);
    expect(await b.get('plan:1')).toBe('v1');

    const repaired = nextEvent<[{ keys: string[]; patterns: string[] }]>(a, 'l2-repaired');
    const invalidated = nextEvent(b, 'invalidated');
    await clientA.connect();
    const [repair] = await repaired;
    await invalidated;
    expect(repair).toEqual({ keys: ['plan:1'], patterns: ['promo:*'] });
    // The stale v1 is gone from L2 and from B's memory; B goes back to the source.
    expect(await b.get('plan:1')).toBeNull();
    expect(await b.cached('plan:1', 300, () => Promise.resolve('v2-from-db'))).toBe('v2-from-db');
  });
});
