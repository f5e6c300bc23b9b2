import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { createTestFixture, startRedisServer } from '../../src/testing/index.js';
import { connectTestRedis, createTestCache, nextEvent } from './cache-fixture.js';

/** Each test here owns a redis-server it can kill, pause and restart without disturbing others. */
async function startDedicatedRedis() {
  const server = await startRedisServer();
  onTestFinished(() => server.stop());
  return server;
}

describe('MultiLevelCache when Redis fails', () => {
  it('keeps answering from memory and the source while Redis is down, and recovers after a restart', async () => {
    const fixture = createTestFixture();
    const server = await startDedicatedRedis();
    const redis = await connectTestRedis(server.url);
    const cache = await createTestCache(fixture, redis);
    const loader = vi.fn((key: string) => Promise.resolve(`loaded:${key}`));

    await cache.set('user:1', 'Ada', 60);
    const closed = nextEvent(redis, 'close');
    await server.kill();
    await closed;

    // Reads: memory first, then the source; nothing throws, no unhandled 'error' event.
    expect(await cache.get('user:1')).toBe('Ada');
    expect(await cache.cached('user:1', 60, () => loader('user:1'))).toBe('Ada');
    expect(await cache.cached('user:2', 60, () => loader('user:2'))).toBe('loaded:user:2');
    expect(loader).toHaveBeenCalledTimes(1);
    // Writes and deletes degrade to memory only.
    await cache.set('user:3', 'Grace', 60);
    expect(await cache.get('user:3')).toBe('Grace');
    await cache.delete('user:3');
    expect(await cache.get('user:3')).toBeNull();
    expect(await cache.deletePattern('nothing:*')).toBe(0);
    expect(cache.getStats().redis.available).toBe(false);

    // Same port, empty server (persistence off). The bus resubscribes and L1 is flushed,
    // because invalidations sent while we were away are lost.
    const flushed = nextEvent(cache, 'flushed-after-reconnect');
    const ready = nextEvent(redis, 'ready');
    await server.restart();
    await Promise.all([ready, flushed]);

    expect(cache.getStats().memory.size).toBe(0);
    expect(cache.getStats().invalidation.flushesAfterReconnect).toBe(1);
    expect(cache.getStats().redis.available).toBe(true);
    await cache.set('user:4', 'Linus', 60);
    expect(await redis.exists(`${fixture.keyPrefix}cache:user:4`)).toBe(1);
    expect(await cache.cached('user:1', 60, () => loader('user:1'))).toBe('loaded:user:1');
  });

  it('opens the circuit when Redis hangs, so later calls skip it at no cost, and closes it after recovery', async () => {
    const fixture = createTestFixture();
    const server = await startDedicatedRedis();
    const redis = await connectTestRedis(server.url, { commandTimeout: 50 });
    const cache = await createTestCache(fixture, redis, {
      redisCircuitBreaker: { failureThreshold: 3, resetTimeout: 200, monitoringWindow: 10_000 },
    });
    const opened = nextEvent(cache.redisCircuit, 'open');

    // A frozen server keeps its connections open but answers nothing: every command times out.
    server.pause();
    for (let index = 0; index < 3; index += 1) {
      expect(await cache.cached(`k${index}`, 60, () => Promise.resolve(index))).toBe(index);
    }
    await opened;
    const errorsWhenOpened = cache.getStats().operations.redisErrors;

    const started = performance.now();
    for (let index = 0; index < 1_000; index += 1) await cache.get(`absent${index}`);
    const elapsed = performance.now() - started;
    expect(cache.getStats().operations.redisErrors).toBe(errorsWhenOpened);
    // 1,000 calls against a hung Redis would take 50 s with timeouts; skipped, they take ms (the
    // bound leaves a loaded CI machine a hundredfold margin and still tells the two apart).
    expect(elapsed).toBeLessThan(5_000);

    const closed = nextEvent(cache.redisCircuit, 'close');
    server.resume();
    // After resetTimeout the next call is the half-open trial; it succeeds and closes the circuit.
    await vi.waitUntil(
      async () => {
        await cache.get('probe');
        return cache.redisCircuit.state === 'closed';
      },
      { timeout: 5_000, interval: 50 },
    );
    await closed;
    await cache.set('after', 'recovered', 60);
    expect(await redis.exists(`${fixture.keyPrefix}cache:after`)).toBe(1);
  });

  it('works from memory and the source when Redis was never reachable', async () => {
    const fixture = createTestFixture();
    const cache = await createTestCache(fixture, undefined);
    expect(await cache.cached('x', 60, () => Promise.resolve(42))).toBe(42);
    expect(await cache.get('x')).toBe(42);
    expect(cache.getStats().redis.available).toBe(false);
  });
});
