import { describe, expect, it, onTestFinished } from 'vitest';
import { createServiceRedisAccess, toServiceKeySegment, type ServiceRedisAccessor } from '../../src/redis/index.js';
import { createTestFixture, startRedisServer } from '../../src/testing/index.js';
import { connectTestRedis, nextEvent } from '../cache/cache-fixture.js';

async function createAccessor(serviceName: string, brand: string, url: string): Promise<ServiceRedisAccessor> {
  const accessor = createServiceRedisAccess(serviceName);
  await accessor.initialize({ brand, client: await connectTestRedis(url) });
  onTestFinished(() => accessor.close());
  return accessor;
}

describe('createServiceRedisAccess', () => {
  it('prefixes keys with {brand}:{service}: and stores JSON with a TTL', async () => {
    const fixture = createTestFixture();
    const raw = fixture.redis();
    const redis = await createAccessor('payment-service', fixture.brand, fixture.redisUrl);

    await redis.set('tx:123', { status: 'pending' }, 300);
    expect(redis.key('tx:123')).toBe(`${fixture.brand}:payment:tx:123`);
    expect(await raw.get(`${fixture.brand}:payment:tx:123`)).toBe('{"status":"pending"}');
    expect(await raw.ttl(`${fixture.brand}:payment:tx:123`)).toBeGreaterThan(290);
    expect(await redis.get<{ status: string }>('tx:123')).toEqual({ status: 'pending' });
    expect(await redis.get('absent')).toBeNull();
  });

  it('reads and writes batches', async () => {
    const fixture = createTestFixture();
    const redis = await createAccessor('payment-service', fixture.brand, fixture.redisUrl);
    const raw = fixture.redis();

    await redis.mset([
      { key: 'a', value: 1, ttl: 60 },
      { key: 'b', value: { two: 2 } },
    ]);
    expect(await redis.mget(['a', 'b', 'c'])).toEqual(new Map<string, unknown>([['a', 1], ['b', { two: 2 }], ['c', null]]));
    expect(await raw.ttl(redis.key('a'))).toBeGreaterThan(50);
    expect(await raw.ttl(redis.key('b'))).toBe(-1);
    expect(await redis.del(['a', 'b'])).toBe(2);
  });

  it('finds and deletes by pattern with SCAN, only within its own brand and service', async () => {
    const fixture = createTestFixture();
    const payment = await createAccessor('payment-service', fixture.brand, fixture.redisUrl);
    const auth = await createAccessor('auth-service', fixture.brand, fixture.redisUrl);
    const otherBrand = await createAccessor('payment-service', `${fixture.brand}x`, fixture.redisUrl);

    for (let index = 0; index < 1_200; index += 1) await payment.set(`expired:${index}`, index);
    await payment.set('live:1', 1);
    await auth.set('expired:1', 'auth');
    await otherBrand.set('expired:1', 'other brand');

    expect((await payment.keys('expired:*')).length).toBe(1_200);
    expect(await payment.keys('expired:*', { maxKeys: 10 })).toHaveLength(10);
    expect(await payment.deletePattern('expired:*')).toBe(1_200);
    expect(await payment.keys('*')).toEqual(['live:1']);
    expect(await auth.get('expired:1')).toBe('auth');
    expect(await otherBrand.get('expired:1')).toBe('other brand');
  });

  it('treats glob characters in the brand literally', async () => {
    const fixture = createTestFixture();
    const star = await createAccessor('svc', `${fixture.brand}*`, fixture.redisUrl);
    const plain = await createAccessor('svc', `${fixture.brand}abc`, fixture.redisUrl);
    await star.set('k', 1);
    await plain.set('k', 2);
    expect(await star.deletePattern('*')).toBe(1);
    expect(await plain.get('k')).toBe(2);
  });

  it('publishes and subscribes on prefixed channels over a separate connection', async () => {
    const fixture = createTestFixture();
    const publisher = await createAccessor('payment-service', fixture.brand, fixture.redisUrl);
    const subscriber = await createAccessor('payment-service', fixture.brand, fixture.redisUrl);
    const received: Array<{ message: unknown; channel: string }> = [];
    let notify: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => (notify = resolve));

    const unsubscribe = await subscriber.subscribe('events', (message, channel) => {
      received.push({ message, channel });
      notify();
    });
    // The accessor's own connection still runs ordinary commands while subscribed.
    await subscriber.set('still-works', true);
    expect(await publisher.publish('events', { type: 'transfer.completed' })).toBe(1);
    await arrived;
    expect(received).toEqual([{ message: { type: 'transfer.completed' }, channel: 'events' }]);

    await unsubscribe();
    expect(await publisher.publish('events', { type: 'ignored' })).toBe(0);
  });

  it('reports health, and fails fast instead of hanging while its Redis is down', async () => {
    const fixture = createTestFixture();
    const server = await startRedisServer();
    onTestFinished(() => server.stop());
    const client = await connectTestRedis(server.url);
    const redis = createServiceRedisAccess('payment-service');
    await redis.initialize({ brand: fixture.brand, client });

    expect((await redis.checkHealth()).healthy).toBe(true);
    const closed = nextEvent(client, 'close');
    await server.kill();
    await closed;

    const health = await redis.checkHealth();
    expect(health.healthy).toBe(false);
    expect(health.error).toBeDefined();
    const started = performance.now();
    await expect(redis.get('k')).rejects.toThrow();
    // No offline queue: the command fails at once instead of waiting for a reconnect.
    expect(performance.now() - started).toBeLessThan(500);

    const ready = nextEvent(client, 'ready');
    await server.restart();
    await ready;
    expect((await redis.checkHealth()).healthy).toBe(true);
    await redis.set('k', 'back');
    expect(await redis.get('k')).toBe('back');
  });

  it('derives the key segment from the service name', () => {
    expect(toServiceKeySegment('payment-service')).toBe('payment');
    expect(toServiceKeySegment('gateway')).toBe('gateway');
  });
});
