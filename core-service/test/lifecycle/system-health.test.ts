import { Registry } from 'prom-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createServiceLifecycle, healthReportsKey, readSystemHealth, type InstanceHealthReport } from '../../src/lifecycle/index.js';
import type { EventBusStats } from '../../src/events/index.js';
import { registerServiceMetrics } from '../../src/metrics/index.js';
import { createRedisClient, quitRedisClient, waitForRedisReady } from '../../src/redis/index.js';
import { createTestFixture, startRedisServer, waitFor } from '../../src/testing/index.js';

const STATS: EventBusStats = { listening: true, subscriptions: 1, lag: 0, pending: 0, deadLetters: 0, relay: { running: true, leader: true }, outboxPending: 0, oldestOutboxPendingMs: 0 };

function report(service: string, instance: string, overrides: Partial<InstanceHealthReport> = {}): InstanceHealthReport {
  const now = new Date().toISOString();
  return { service, instance, startedAt: now, reportedAt: now, intervalMs: 5_000, ready: true, state: 'running', checks: [], breakers: [], queues: [], ...overrides };
}

async function store(redis: ReturnType<ReturnType<typeof createTestFixture>['redis']>, brand: string, ...reports: InstanceHealthReport[]): Promise<void> {
  for (const entry of reports) await redis.hset(healthReportsKey(brand), `${entry.service}|${entry.instance}`, JSON.stringify(entry));
}

describe('health reports', () => {
  it('publishes readiness and the /metrics gauges of a running service, and removes them at a graceful stop', async () => {
    const fixture = createTestFixture();
    const redis = fixture.redis();
    onTestFinished(() => fixture.cleanup());
    const registry = new Registry();
    const stats: EventBusStats = { ...STATS, lag: 3, pending: 2, deadLetters: 0, outboxPending: 4, oldestOutboxPendingMs: 1_500 };
    registerServiceMetrics(registry, {
      events: { getStats: async () => stats },
      breakers: () => [{ name: 'smtp', state: 'half-open' }],
      queues: () => [{ name: 'notify-email', getJobCounts: async () => ({ waiting: 2, active: 1, delayed: 0, prioritized: 0, failed: 0 }) }],
    });
    const lifecycle = createServiceLifecycle({ serviceName: 'notification-service' }).addHealthCheck('search', () => false, { critical: false });
    lifecycle.reportHealth({ redis, brand: fixture.brand, metrics: registry, instance: 'host-a:1', intervalMs: 60_000 });
    await lifecycle.start();

    // Published on reaching `running`, without waiting for the interval.
    const running = await waitForReport(fixture.brand, redis, (health) => health.services[0]?.instances[0]?.state === 'running');
    const service = running.services[0]!;
    expect(service).toMatchObject({
      name: 'notification-service',
      readyInstances: 1,
      outbox: { pending: 4, oldestPendingAgeSeconds: 1.5 },
      events: { lag: 3, pending: 2, deadLetters: 0 },
      queues: [{ name: 'notify-email', waiting: 2, active: 1, delayed: 0, prioritized: 0, failed: 0 }],
    });
    expect(service.instances[0]).toMatchObject({
      instance: 'host-a:1',
      ready: true,
      stale: false,
      breakers: [{ name: 'smtp', state: 'half-open' }],
      checks: [{ name: 'search', ok: false, critical: false }],
    });
    expect(running.status).toBe('degraded');
    expect(running.problems).toEqual(['notification-service host-a:1: search check failing', 'notification-service host-a:1: circuit breaker smtp is half-open']);

    await lifecycle.shutdown('test');
    expect(await redis.hgetall(healthReportsKey(fixture.brand))).toEqual({});
  });

  it('a service with no ready instance is down; a stale one degrades; shared gauges past their thresholds degrade', async () => {
    const fixture = createTestFixture();
    const redis = fixture.redis();
    onTestFinished(() => fixture.cleanup());
    const minuteAgo = new Date(Date.now() - 60_000).toISOString();
    await store(
      redis,
      fixture.brand,
      report('payment-service', 'a:1', {
        outbox: { pending: 9, oldestPendingAgeSeconds: 45 },
        events: { lag: 5_000, pending: 0, deadLetters: 2 },
        queues: [{ name: 'recovery', waiting: 0, active: 0, delayed: 0, prioritized: 0, failed: 3 }],
      }),
      report('payment-service', 'b:2', { reportedAt: minuteAgo }),
      report('bonus-service', 'c:3', { ready: false, state: 'stopping' }),
      report('auth-service', 'd:4', { reportedAt: minuteAgo }),
      report('gateway', 'e:5'),
    );
    const health = await readSystemHealth({ redis, brand: fixture.brand });
    expect(health.status).toBe('down');
    expect(health.services.map((service) => [service.name, service.status])).toEqual([
      ['auth-service', 'down'],
      ['bonus-service', 'down'],
      ['payment-service', 'degraded'],
      ['gateway', 'ok'],
    ]);
    expect(health.problems).toEqual([
      'auth-service: no instance is reporting',
      'auth-service d:4: no report for 60 s',
      'bonus-service: no instance is ready',
      'bonus-service c:3: not ready (stopping)',
      'payment-service b:2: no report for 60 s',
      'payment-service: outbox lag 45 s (9 unpublished)',
      'payment-service: consumer lag 5000 entries',
      'payment-service: 2 event(s) in the dead-letter stream',
      'payment-service: 3 failed job(s) in queue recovery',
    ]);
    // A down service keeps its last report for as long as it is down.
    const muchLater = await readSystemHealth({ redis, brand: fixture.brand, now: () => new Date(Date.now() + 3_600_000) });
    expect(muchLater.services.find((service) => service.name === 'auth-service')?.instances.map((instance) => instance.instance)).toEqual(['d:4']);
  });

  it('forgets a replaced instance once its service is ready elsewhere', async () => {
    const fixture = createTestFixture();
    const redis = fixture.redis();
    onTestFinished(() => fixture.cleanup());
    const tenMinutesAgo = new Date(Date.now() - 600_000).toISOString();
    await store(redis, fixture.brand, report('payment-service', 'old:1', { reportedAt: tenMinutesAgo }), report('payment-service', 'new:2'));
    const health = await readSystemHealth({ redis, brand: fixture.brand });
    expect(health).toMatchObject({ status: 'ok', problems: [] });
    expect(health.services[0]?.instances.map((instance) => instance.instance)).toEqual(['new:2']);
    expect(Object.keys(await redis.hgetall(healthReportsKey(fixture.brand)))).toEqual(['payment-service|new:2']);
  });

  it('answers with the asking instance alone, degraded, while Redis cannot be read', async () => {
    const server = await startRedisServer();
    onTestFinished(() => server.stop());
    const redis = createRedisClient({ url: server.url, reconnectDelay: 20, maxReconnectDelay: 100 });
    onTestFinished(() => quitRedisClient(redis));
    await waitForRedisReady(redis, 5_000);
    const lifecycle = createServiceLifecycle({ serviceName: 'auth-service' });
    const reporter = lifecycle.reportHealth({ redis, brand: 'outage', metrics: new Registry(), instance: 'self:1', intervalMs: 60_000 });
    await lifecycle.start();
    onTestFinished(() => lifecycle.shutdown('test').then(() => undefined));
    await server.kill();

    const health = await readSystemHealth({ redis, brand: 'outage', self: () => reporter.collect() });
    expect(health.status).toBe('degraded');
    expect(health.problems[0]).toBe('Redis is unreachable: only auth-service self:1, which answered this request, is shown');
    expect(health.services).toMatchObject([{ name: 'auth-service', status: 'ok', readyInstances: 1, instances: [{ instance: 'self:1', ready: true }] }]);
    await expect(readSystemHealth({ redis, brand: 'outage' })).rejects.toThrow();
  });

  it('skips fields that are not reports', async () => {
    const fixture = createTestFixture();
    const redis = fixture.redis();
    onTestFinished(() => fixture.cleanup());
    await redis.hset(healthReportsKey(fixture.brand), 'junk', 'not json', 'other', JSON.stringify({ service: 1 }));
    await store(redis, fixture.brand, report('gateway', 'g:1'));
    expect((await readSystemHealth({ redis, brand: fixture.brand })).services.map((service) => service.name)).toEqual(['gateway']);
  });
});

async function waitForReport(brand: string, redis: Parameters<typeof readSystemHealth>[0]['redis'], ready: (health: Awaited<ReturnType<typeof readSystemHealth>>) => boolean) {
  return waitFor(
    async () => {
      const health = await readSystemHealth({ redis, brand });
      return ready(health) ? health : undefined;
    },
    { what: 'the health report' },
  );
}
