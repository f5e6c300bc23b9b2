import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { EventBus, type IntegrationEvent } from '../../src/events/index.js';
import { OperationStateTracker } from '../../src/recovery/index.js';
import { createRedisClient, isRedisConnectionError, quitRedisClient, redisDegradations, resetRedisDegradations, waitForRedisReady, withRedisFallback } from '../../src/redis/index.js';
import { createTestFixture, startRedisServer, waitFor, type RedisServerHandle } from '../../src/testing/index.js';
import { FAST_BUS_TIMINGS } from '../events/support/bus-fixture.js';

/**
 * `withRedisFallback` and the features built on it, against a private redis-server that the
 * tests kill, freeze and restart empty (the shared one serves other files).
 */
let server: RedisServerHandle;
let redis: Redis;

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedisClient({ url: server.url, reconnectDelay: 20, maxReconnectDelay: 100, commandTimeout: 300 });
  await waitForRedisReady(redis, 5_000);
});

afterAll(async () => {
  if (redis) await quitRedisClient(redis);
  await server?.stop();
});

beforeEach(async () => {
  resetRedisDegradations();
  server.resume();
  if (!server.isRunning()) await server.restart();
  await waitFor(() => redis.status === 'ready', { what: 'redis to be ready' });
});

async function killRedis(): Promise<void> {
  await server.kill();
  await waitFor(() => redis.status !== 'ready', { what: 'the client to notice' });
}

async function restartRedisEmpty(): Promise<void> {
  await server.restart();
  await waitFor(() => redis.status === 'ready', { what: 'reconnect' });
}

describe('withRedisFallback', () => {
  it('runs the command while Redis is up, and nothing is counted', async () => {
    await redis.set('fallback:up', 'from-redis');
    expect(
      await withRedisFallback(
        redis,
        'probe',
        (client) => client.get('fallback:up'),
        () => 'fallback',
      ),
    ).toBe('from-redis');
    expect(redisDegradations().size).toBe(0);
  });

  it('takes the fallback at once, without sending, while the client is not connected', async () => {
    await killRedis();
    let sent = false;
    const started = performance.now();
    const value = await withRedisFallback(
      redis,
      'probe',
      async () => {
        sent = true;
        return 'from-redis';
      },
      () => 'fallback',
    );
    expect(value).toBe('fallback');
    expect(sent).toBe(false);
    // At once: well under the 300 ms command timeout a sent command would wait out.
    expect(performance.now() - started).toBeLessThan(250);
    expect(redisDegradations().get('probe')).toBe(1);
  });

  it('takes the fallback when a frozen server makes the command time out', async () => {
    server.pause();
    const value = await withRedisFallback(
      redis,
      'probe',
      (client) => client.get('anything'),
      () => 'fallback',
    );
    server.resume();
    expect(value).toBe('fallback');
    expect(redisDegradations().get('probe')).toBe(1);
  });

  it('lets errors that are not about the connection through (a bug must not look like an outage)', async () => {
    await redis.set('fallback:string', 'x');
    const failing = withRedisFallback(
      redis,
      'probe',
      (client) => client.lpush('fallback:string', 'y'),
      () => 0,
    );
    await expect(failing).rejects.toThrow(/WRONGTYPE/);
    expect(isRedisConnectionError(new Error('WRONGTYPE Operation against a key'))).toBe(false);
    expect(isRedisConnectionError(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(true);
    expect(redisDegradations().size).toBe(0);
  });
});

describe('crash tracking while Redis is down', () => {
  it('runs the tracked operation untracked instead of failing it, and tracks again once Redis is back', async () => {
    const fixture = createTestFixture({ label: 'tracker-outage' });
    const tracker = new OperationStateTracker('transfer', { redis, keyPrefix: fixture.keyPrefix, ttl: 120, staleAfter: 1_000, heartbeatInterval: 100 });
    await killRedis();
    expect(await tracker.track('t-down', {}, async () => 'committed')).toBe('committed');
    expect(redisDegradations().get('transfer crash tracking')).toBe(1);

    await restartRedisEmpty();
    expect(await tracker.get('t-down')).toBeNull();
    expect(await tracker.track('t-up', {}, async () => 'committed')).toBe('committed');
    expect(await tracker.get('t-up')).toMatchObject({ status: 'completed' });
  });

  it('returns the result when Redis dies while the operation runs (its outcome cannot be recorded)', async () => {
    const fixture = createTestFixture({ label: 'tracker-mid' });
    const tracker = new OperationStateTracker('transfer', { redis, keyPrefix: fixture.keyPrefix, ttl: 120, staleAfter: 1_000, heartbeatInterval: 100 });
    const result = await tracker.track('t-mid', {}, async () => {
      await killRedis();
      return 'committed';
    });
    expect(result).toBe('committed');
    expect(redisDegradations().get('transfer crash tracking')).toBe(1);
  });
});

describe('events while Redis is down', () => {
  it('holds an event emitted without a session in the outbox; the relay publishes it once Redis is back, and the consumer group is recreated on the empty Redis', async () => {
    const fixture = createTestFixture({ label: 'bus-outage' });
    const client = await fixture.mongoClient();
    const bus = (serviceName: string, database: string) => {
      const instance = new EventBus({ serviceName, streamKey: fixture.key('events'), ...FAST_BUS_TIMINGS, redis, mongo: { client, db: client.db(fixture.dbName(database)) } });
      onTestFinished(() => instance.close());
      return instance;
    };
    const producer = bus('auth-service', 'auth');
    const consumer = bus('notification-service', 'notification');
    const received: IntegrationEvent[] = [];
    consumer.on('user.logged_in', (event) => void received.push(event));
    await producer.start();
    await consumer.start();
    await producer.emit('user.logged_in', fixture.tenantId, 'u-before', {});
    await waitFor(() => received.length === 1, { what: 'delivery before the outage' });

    await killRedis();
    const held = await producer.emit('user.logged_in', fixture.tenantId, 'u-during', { at: 'outage' });
    expect(await producer.outbox!.countPending()).toBe(1);
    expect(redisDegradations().get('event publish')).toBe(1);

    await restartRedisEmpty();
    await waitFor(() => received.some((event) => event.id === held.id), { what: 'the held event to be delivered', timeoutMs: 20_000 });
    expect(received.find((event) => event.id === held.id)).toMatchObject({ userId: 'u-during', data: { at: 'outage' } });
    await waitFor(async () => (await producer.outbox!.countPending()) === 0, { what: 'the outbox to drain' });

    // And new events flow through the recreated group as before.
    const after = await producer.emit('user.logged_in', fixture.tenantId, 'u-after', {});
    await waitFor(() => received.some((event) => event.id === after.id), { what: 'delivery after the outage' });
  });

  it('resumes a consumer whose group was deleted under it (FLUSHALL) without a restart', async () => {
    const fixture = createTestFixture({ label: 'bus-flushall' });
    const instance = new EventBus({ serviceName: 'payment-service', streamKey: fixture.key('events'), ...FAST_BUS_TIMINGS, redis });
    onTestFinished(() => instance.close());
    const received: string[] = [];
    instance.on('wallet.updated', (event) => void received.push(event.id));
    await instance.startListening();
    await redis.flushall();
    const event = await instance.emit('wallet.updated', fixture.tenantId, 'u', {});
    await waitFor(() => received.includes(event.id), { what: 'delivery after FLUSHALL' });
  });
});
