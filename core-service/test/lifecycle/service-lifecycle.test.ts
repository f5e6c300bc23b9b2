import { describe, expect, it, onTestFinished } from 'vitest';
import { createConfigStore } from '../../src/config/index.js';
import { getErrorCode } from '../../src/errors/index.js';
import { createServiceLifecycle, mongoHealthCheck, redisHealthCheck, type ShutdownReport } from '../../src/lifecycle/index.js';
import { createRedisClient, quitRedisClient, waitForRedisReady } from '../../src/redis/index.js';
import { createTestFixture, startRedisServer } from '../../src/testing/index.js';
import { deferred, nextEvent } from '../cache/cache-fixture.js';

describe('service lifecycle', () => {
  it('starts steps in order and stops them in reverse', async () => {
    const order: string[] = [];
    const lifecycle = createServiceLifecycle({ serviceName: 'svc' })
      .onStart(
        'connect',
        () => void order.push('start connect'),
        () => void order.push('stop connect'),
      )
      .onStart('indexes', () => void order.push('start indexes'))
      .onStart(
        'tasks',
        () => void order.push('start tasks'),
        () => void order.push('stop tasks'),
      );

    await lifecycle.start();
    expect(lifecycle.state).toBe('running');
    const report = await lifecycle.shutdown('test');
    expect(order).toEqual(['start connect', 'start indexes', 'start tasks', 'stop tasks', 'stop connect']);
    expect(report).toMatchObject({ drained: true, timedOut: [], failed: [] });
    expect(lifecycle.state).toBe('stopped');
  });

  it('closes what was started when a start-up step fails', async () => {
    const order: string[] = [];
    const lifecycle = createServiceLifecycle({ serviceName: 'svc' })
      .onStart(
        'connect',
        () => void order.push('start connect'),
        () => void order.push('stop connect'),
      )
      .onStart(
        'indexes',
        () => Promise.reject(new Error('index build failed')),
        () => void order.push('never'),
      );

    await expect(lifecycle.start()).rejects.toThrow('index build failed');
    expect(order).toEqual(['start connect', 'stop connect']);
    expect(lifecycle.state).toBe('failed');
    expect(lifecycle.getLiveness().status).toBe('fail');
  });

  it('on SIGTERM stops accepting, drains in-flight requests, then closes connections', async () => {
    const order: string[] = [];
    const lifecycle = createServiceLifecycle({ serviceName: 'svc', shutdownTimeoutMs: 5_000 })
      .onStart(
        'db',
        () => undefined,
        () => void order.push('close db'),
      )
      .onStopAccepting(() => void order.push('stop accepting'));
    await lifecycle.start();
    const listenersBefore = process.listenerCount('SIGTERM');
    lifecycle.installSignalHandlers({ exit: false });
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore + 1);

    const slow = deferred<string>();
    const request = lifecycle.trackRequest(() => slow.promise);
    const stopping = nextEvent(lifecycle, 'stopping');
    const stopped = nextEvent(lifecycle, 'stopped');
    process.emit('SIGTERM', 'SIGTERM');
    await stopping;

    expect(lifecycle.isAcceptingRequests()).toBe(false);
    expect((await lifecycle.getReadiness()).status).toBe('not-ready');
    expect(() => lifecycle.beginRequest()).toThrow();
    try {
      lifecycle.beginRequest();
    } catch (error) {
      expect(getErrorCode(error)).toBe('MSCoreServiceUnavailable');
    }
    expect(order).toEqual(['stop accepting']);

    slow.resolve('done');
    expect(await request).toBe('done');
    const [report] = (await stopped) as [ShutdownReport];
    expect(order).toEqual(['stop accepting', 'close db']);
    expect(report).toMatchObject({ reason: 'SIGTERM', drained: true, abandonedRequests: 0 });
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore);
  });

  it('abandons a hung drain and a hung close at the deadline, and still closes the rest', async () => {
    const closed: string[] = [];
    const lifecycle = createServiceLifecycle({ serviceName: 'svc', shutdownTimeoutMs: 200 })
      .onStart(
        'redis',
        () => undefined,
        () => void closed.push('redis'),
      )
      .onStart(
        'stuck',
        () => undefined,
        () => new Promise<void>(() => undefined),
      );
    await lifecycle.start();
    void lifecycle.trackRequest(() => new Promise<void>(() => undefined));

    const started = performance.now();
    const report = await lifecycle.shutdown('test');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(report).toMatchObject({ drained: false, abandonedRequests: 1, timedOut: ['stuck'] });
    // Steps after the deadline still get their (zero-budget) chance; synchronous ones finish.
    expect(closed).toEqual(['redis']);
  });

  it('is idempotent: a second SIGTERM waits for the same shutdown', async () => {
    const lifecycle = createServiceLifecycle({ serviceName: 'svc' });
    await lifecycle.start();
    const first = lifecycle.shutdown('SIGTERM');
    expect(lifecycle.shutdown('SIGINT')).toBe(first);
    expect((await first).reason).toBe('SIGTERM');
  });

  it('reports liveness and readiness from real dependencies, and not-ready while Redis is down', async () => {
    const fixture = createTestFixture();
    const server = await startRedisServer();
    onTestFinished(() => server.stop());
    const redis = createRedisClient({ url: server.url, reconnectDelay: 20, maxReconnectDelay: 100 });
    const mongo = await fixture.mongoClient();
    const lifecycle = createServiceLifecycle({ serviceName: 'payment-service', healthCheckTimeoutMs: 500 })
      .onStart(
        'redis',
        () => waitForRedisReady(redis, 5_000),
        () => quitRedisClient(redis),
      )
      .onStart('indexes', async () => {
        await createConfigStore({ db: await fixture.db('core_service'), env: {} }).ensureIndexes();
      })
      .addHealthCheck('redis', redisHealthCheck(redis))
      .addHealthCheck('mongo', mongoHealthCheck(mongo))
      .addHealthCheck('search', async () => false, { critical: false });
    await lifecycle.start();
    onTestFinished(() => lifecycle.shutdown('test').then(() => undefined));

    const ready = await lifecycle.getReadiness();
    expect(ready).toMatchObject({ ready: true, status: 'ready', checks: { redis: { healthy: true }, mongo: { healthy: true }, search: { healthy: false, critical: false } } });
    const indexes = await (await fixture.db('core_service')).collection('service_configs').indexes();
    expect(indexes.map((index) => index.name)).toContain('service_key_unique');

    const closed = nextEvent(redis, 'close');
    await server.kill();
    await closed;
    const down = await lifecycle.getReadiness();
    expect(down.status).toBe('not-ready');
    expect(down.checks['redis']?.healthy).toBe(false);
    expect(lifecycle.getLiveness().status).toBe('ok');

    const back = nextEvent(redis, 'ready');
    await server.restart();
    await back;
    expect((await lifecycle.getReadiness()).status).toBe('ready');
  });
});
