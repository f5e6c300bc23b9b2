import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { MongoClient } from 'mongodb';
import { Registry } from 'prom-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runAfterCommit } from '../../src/database/after-commit.js';
import { withTransaction } from '../../src/database/transaction.js';
import { monitorConnectionPool } from '../../src/database/pool-monitor.js';
import { PoisonMessageError } from '../../src/events/index.js';
import { registerServiceMetrics } from '../../src/metrics/index.js';
import { CircuitBreaker } from '../../src/resilience/circuit-breaker.js';
import { createTestFixture, deferred, waitFor } from '../../src/testing/index.js';
import { connectTestRedis, createTestCache } from '../cache/cache-fixture.js';
import { createBusForTest } from '../events/support/bus-fixture.js';

/** The value of one series as a scrape would report it (collect() runs), or undefined when absent. */
async function sample(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  const found = values.find((v) => Object.entries(labels).every(([key, value]) => String(v.labels[key]) === value));
  return found?.value;
}

describe('service metrics', () => {
  it("counts committed transactions and the TransientTransactionError retries of a write conflict; only the committed attempt's after-commit hook runs", async () => {
    const fixture = createTestFixture({ label: 'txmetrics' });
    const client = await fixture.mongoClient();
    const registry = new Registry();
    const { stop } = registerServiceMetrics(registry, { client });
    onTestFinished(stop);
    const docs = (await fixture.db('metrics')).collection<{ _id: string; n: number }>('counters');
    await docs.insertOne({ _id: 'x', n: 0 });
    expect(await sample(registry, 'mongodb_transaction_retries_total', { label: 'TransientTransactionError' })).toBe(0);

    const firstWrote = deferred();
    const release = deferred();
    const holder = withTransaction({
      client,
      fn: async (session) => {
        await docs.updateOne({ _id: 'x' }, { $inc: { n: 1 } }, { session });
        firstWrote.resolve();
        await release.promise;
      },
    });
    await firstWrote.promise;
    // First writer wins: this one conflicts, and the driver runs its body again until the holder commits.
    let afterCommitRuns = 0;
    const loser = withTransaction({
      client,
      fn: async (session) => {
        await runAfterCommit(session, () => {
          afterCommitRuns += 1;
        });
        await docs.updateOne({ _id: 'x' }, { $inc: { n: 10 } }, { session });
      },
    });
    await waitFor(async () => ((await sample(registry, 'mongodb_transaction_retries_total', { label: 'TransientTransactionError' })) ?? 0) >= 1, { what: 'a retry to be counted' });
    release.resolve();
    await Promise.all([holder, loser]);

    expect((await docs.findOne({ _id: 'x' }))?.n).toBe(11);
    // Each attempt registered its hook; only the committed attempt's ran.
    expect(afterCommitRuns).toBe(1);
    expect(await sample(registry, 'mongodb_transactions_total', { outcome: 'committed' })).toBe(2);
    expect(await sample(registry, 'mongodb_transactions_total', { outcome: 'aborted' })).toBe(0);
    await expect(
      withTransaction({
        client,
        fn: async () => {
          throw new Error('refused');
        },
      }),
    ).rejects.toThrow('refused');
    expect(await sample(registry, 'mongodb_transactions_total', { outcome: 'aborted' })).toBe(1);
  });

  it('counts a commit the driver retried after an UnknownTransactionCommitResult, once committed', async () => {
    const fixture = createTestFixture({ label: 'txunknown' });
    // A client of its own: the fail point below matches its appName only, so test files running
    // beside this one never see it.
    const appName = `txunknown-${randomBytes(4).toString('hex')}`;
    const client = new MongoClient(fixture.mongoUri, { appName, minPoolSize: 0 });
    await client.connect();
    onTestFinished(async () => {
      await client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' });
      await client.close();
    });
    const registry = new Registry();
    const { stop } = registerServiceMetrics(registry, { client });
    onTestFinished(stop);
    const docs = client.db(fixture.dbName('metrics')).collection<{ _id: string }>('unknown');
    // ShutdownInProgress on the commit twice: the driver's own commit retry fails too, so the error
    // reaches withTransaction labelled UnknownTransactionCommitResult and it commits again.
    await client.db('admin').command({ configureFailPoint: 'failCommand', mode: { times: 2 }, data: { failCommands: ['commitTransaction'], errorCode: 91, appName } });

    await withTransaction({
      client,
      fn: async (session) => {
        await docs.insertOne({ _id: 'once' }, { session });
      },
    });
    expect(await docs.countDocuments({ _id: 'once' })).toBe(1);
    expect(await sample(registry, 'mongodb_transaction_retries_total', { label: 'UnknownTransactionCommitResult' })).toBe(1);
    expect(await sample(registry, 'mongodb_transactions_total', { outcome: 'committed' })).toBe(1);
  });

  it('reports the connection pool from the driver events: connections in use and available, the wait queue', async () => {
    const fixture = createTestFixture({ label: 'poolmetrics' });
    const client = new MongoClient(fixture.mongoUri, { maxPoolSize: 7 });
    monitorConnectionPool(client);
    await client.connect();
    onTestFinished(() => client.close());
    const registry = new Registry();
    const { stop } = registerServiceMetrics(registry, { client });
    onTestFinished(stop);

    await client.db(fixture.dbName('pool')).collection('x').insertOne({ a: 1 });
    expect(await sample(registry, 'mongodb_pool_connections', { state: 'available' })).toBeGreaterThanOrEqual(1);
    expect(await sample(registry, 'mongodb_pool_connections', { state: 'in_use' })).toBe(0);
    expect(await sample(registry, 'mongodb_pool_wait_queue_size')).toBe(0);
    expect(await sample(registry, 'mongodb_pool_max_size')).toBe(7);
    expect(await sample(registry, 'mongodb_pool_checkout_timeouts_total')).toBe(0);
  });

  it('shows the outbox lag while no relay runs, and zero once the relay drained it', async () => {
    const fixture = createTestFixture({ label: 'outboxlag' });
    const { bus, client } = await createBusForTest(fixture, { serviceName: 'payment-service', outbox: { autoStart: false } });
    const registry = new Registry();
    registerServiceMetrics(registry, { events: bus });
    expect(await sample(registry, 'outbox_pending_entries')).toBe(0);

    await withTransaction({ client: client!, fn: (session) => bus.emit('payout.requested', fixture.tenantId, 'u', {}, { session }) });
    await withTransaction({ client: client!, fn: (session) => bus.emit('payout.requested', fixture.tenantId, 'u', {}, { session }) });
    const age = await waitFor(
      async () => {
        const seconds = await sample(registry, 'outbox_oldest_pending_age_seconds');
        return seconds !== undefined && seconds > 0 ? seconds : undefined;
      },
      { what: 'the outbox lag to show' },
    );
    expect(age).toBeGreaterThan(0);
    expect(await sample(registry, 'outbox_pending_entries')).toBe(2);

    await bus.startRelay();
    await waitFor(async () => (await sample(registry, 'outbox_pending_entries')) === 0, { what: 'the relay to drain the outbox' });
    expect(await sample(registry, 'outbox_oldest_pending_age_seconds')).toBe(0);
  });

  it('reports the consumer group lag before it reads, and the dead letters of a poison event', async () => {
    const fixture = createTestFixture({ label: 'consumerlag' });
    const { bus } = await createBusForTest(fixture, { withMongo: false, maxAttempts: 1 });
    bus.on(
      'x.happened',
      (event) => {
        if ((event.data as { poison?: boolean }).poison) throw new PoisonMessageError('cannot be handled');
      },
      { transaction: false },
    );
    const registry = new Registry();
    registerServiceMetrics(registry, { events: bus });

    await bus.startListening();
    await bus.stopListening();
    await bus.emit('x.happened', fixture.tenantId, null, {});
    await bus.emit('x.happened', fixture.tenantId, null, { poison: true });
    await bus.emit('x.happened', fixture.tenantId, null, {});
    expect(await sample(registry, 'event_consumer_lag_entries')).toBe(3);
    expect(await sample(registry, 'event_dead_letter_entries')).toBe(0);

    await bus.startListening();
    await waitFor(async () => (await sample(registry, 'event_dead_letter_entries')) === 1, { what: 'the poison event to be dead-lettered' });
    await waitFor(async () => (await sample(registry, 'event_consumer_lag_entries')) === 0 && (await sample(registry, 'event_consumer_pending_entries')) === 0, { what: 'the group to catch up' });
  });

  it('counts cache hits and misses per level', async () => {
    const fixture = createTestFixture({ label: 'cachemetrics' });
    const redis = await connectTestRedis(fixture.redisUrl);
    const cache = await createTestCache(fixture, redis);
    const registry = new Registry();
    registerServiceMetrics(registry, { caches: { balances: cache } });
    expect(await sample(registry, 'cache_hits_total', { cache: 'balances', level: 'l1' })).toBe(0);

    expect(await cache.get('k')).toBeNull();
    await cache.set('k', { v: 1 });
    expect(await cache.get('k')).toEqual({ v: 1 });
    expect(await cache.get('k')).toEqual({ v: 1 });
    expect(await sample(registry, 'cache_hits_total', { cache: 'balances', level: 'l1' })).toBe(2);
    expect(await sample(registry, 'cache_misses_total', { cache: 'balances', level: 'l1' })).toBe(1);
    expect(await sample(registry, 'cache_misses_total', { cache: 'balances', level: 'l2' })).toBe(1);
    // Counters add only the growth since the last scrape: a second scrape reports the same totals.
    expect(await sample(registry, 'cache_hits_total', { cache: 'balances', level: 'l1' })).toBe(2);
    expect(await sample(registry, 'circuit_breaker_state', { breaker: 'cache:balances' })).toBe(0);
  });

  it('exports breaker states as 0 closed, 1 half-open, 2 open', async () => {
    let now = 1_000_000;
    const breaker = new CircuitBreaker({ name: 'smtp', failureThreshold: 2, resetTimeout: 1_000, now: () => now });
    const registry = new Registry();
    registerServiceMetrics(registry, { breakers: () => [breaker] });
    expect(await sample(registry, 'circuit_breaker_state', { breaker: 'smtp' })).toBe(0);
    breaker.recordFailure(new Error('down'));
    breaker.recordFailure(new Error('down'));
    expect(await sample(registry, 'circuit_breaker_state', { breaker: 'smtp' })).toBe(2);
    now += 1_000;
    expect(await sample(registry, 'circuit_breaker_state', { breaker: 'smtp' })).toBe(1);
    expect(breaker.isCallPermitted()).toBe(true);
    breaker.recordSuccess();
    expect(await sample(registry, 'circuit_breaker_state', { breaker: 'smtp' })).toBe(0);
  });

  it('reports BullMQ queue depths by state', async () => {
    const fixture = createTestFixture({ label: 'queuemetrics' });
    const queue = new Queue('deliveries', { connection: fixture.redis().duplicate({ maxRetriesPerRequest: null }), prefix: `${fixture.keyPrefix}bull` });
    onTestFinished(async () => {
      await queue.close();
      await queue.disconnect();
    });
    const registry = new Registry();
    registerServiceMetrics(registry, { queues: () => [queue, undefined] });
    expect(await sample(registry, 'queue_jobs', { queue: 'deliveries', state: 'waiting' })).toBe(0);
    await queue.add('a', {});
    await queue.add('b', {}, { delay: 60_000 });
    expect(await sample(registry, 'queue_jobs', { queue: 'deliveries', state: 'waiting' })).toBe(1);
    expect(await sample(registry, 'queue_jobs', { queue: 'deliveries', state: 'delayed' })).toBe(1);
  });

  it('serves a scrape while Redis is unreachable: what it cannot read is NaN or absent, never a stale value', async () => {
    const registry = new Registry();
    registerServiceMetrics(registry, {
      events: { getStats: () => Promise.reject(new Error('ECONNREFUSED')) },
      queues: () => [{ name: 'q', getJobCounts: () => Promise.reject(new Error('ECONNREFUSED')) }],
    });
    const text = await registry.metrics();
    expect(text).toContain('# TYPE outbox_pending_entries gauge');
    expect(await sample(registry, 'outbox_pending_entries')).toBeNaN();
    // prom-client writes `Nan`; Prometheus parses NaN case-insensitively.
    expect(text).toMatch(/^outbox_pending_entries nan$/im);
    expect(await sample(registry, 'queue_jobs', { queue: 'q' })).toBeUndefined();
  });
});
