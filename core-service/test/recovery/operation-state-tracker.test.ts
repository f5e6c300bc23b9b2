import { describe, expect, it } from 'vitest';
import { OperationStateTracker, operationStateKey } from '../../src/recovery/index.js';
import { waitForRedisReady } from '../../src/redis/index.js';
import { createTestFixture } from '../../src/testing/index.js';
import { waitFor } from './support/wait-for.js';

describe('OperationStateTracker', () => {
  it('records an operation in progress with its meta, under a TTL', async () => {
    const fixture = createTestFixture({ label: 'trackttl' });
    const redis = fixture.redis();
    const tracker = new OperationStateTracker('transfer', { redis, keyPrefix: fixture.keyPrefix, ttl: 120, staleAfter: 1_000, heartbeatInterval: 100 });

    await tracker.setInProgress('op-1', { tenantId: fixture.tenantId, amount: 500 });

    const state = await tracker.get('op-1');
    expect(state).toMatchObject({ type: 'transfer', id: 'op-1', status: 'in_progress', meta: { tenantId: fixture.tenantId, amount: 500 }, staleAfter: 1_000 });
    expect(state!.lastHeartbeat.getTime()).toBe(state!.startedAt.getTime());
    const ttl = await redis.ttl(operationStateKey(fixture.keyPrefix, 'transfer', 'op-1'));
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);
  });

  it('a heartbeat moves the last-seen time forward and renews the TTL', async () => {
    const fixture = createTestFixture({ label: 'trackhb' });
    const redis = fixture.redis();
    const tracker = new OperationStateTracker('transfer', { redis, keyPrefix: fixture.keyPrefix, ttl: 120, staleAfter: 1_000, heartbeatInterval: 100 });
    const key = operationStateKey(fixture.keyPrefix, 'transfer', 'op-2');
    await tracker.setInProgress('op-2');
    const started = (await tracker.get('op-2'))!.lastHeartbeat.getTime();
    await redis.expire(key, 30);

    // Redis time has millisecond resolution: poll until a heartbeat lands on a later millisecond.
    await waitFor(async () => (await tracker.heartbeat('op-2')) && (await tracker.get('op-2'))!.lastHeartbeat.getTime() > started, {
      what: 'a later heartbeat',
    });
    expect(await redis.ttl(key)).toBeGreaterThan(100);
    expect((await tracker.get('op-2'))!.status).toBe('in_progress');
  });

  it('a completed operation keeps its final state for the completed TTL and takes no more heartbeats', async () => {
    const fixture = createTestFixture({ label: 'trackdone' });
    const redis = fixture.redis();
    const tracker = new OperationStateTracker('transfer', { redis, keyPrefix: fixture.keyPrefix, ttl: 120, completedTtl: 30, staleAfter: 1_000, heartbeatInterval: 100 });
    await tracker.setInProgress('op-3');

    expect(await tracker.setCompleted('op-3')).toBe(true);

    expect((await tracker.get('op-3'))!.status).toBe('completed');
    expect(await redis.ttl(operationStateKey(fixture.keyPrefix, 'transfer', 'op-3'))).toBeLessThanOrEqual(30);
    expect(await tracker.heartbeat('op-3')).toBe(false);
  });

  it('a failed operation records the reason', async () => {
    const fixture = createTestFixture({ label: 'trackfail' });
    const tracker = new OperationStateTracker('transfer', { redis: fixture.redis(), keyPrefix: fixture.keyPrefix, staleAfter: 1_000, heartbeatInterval: 100 });
    await tracker.setInProgress('op-4');

    await tracker.setFailed('op-4', 'insufficient balance');

    expect(await tracker.get('op-4')).toMatchObject({ status: 'failed', reason: 'insufficient balance' });
  });

  it('track() heartbeats while the work runs and completes it afterwards', async () => {
    const fixture = createTestFixture({ label: 'tracktrack' });
    const redis = fixture.redis();
    // track() skips a client that is not ready yet (it never waits for Redis): connected first.
    await waitForRedisReady(redis, 5_000);
    const tracker = new OperationStateTracker('transfer', { redis, keyPrefix: fixture.keyPrefix, staleAfter: 1_000, heartbeatInterval: 20 });

    const result = await tracker.track('op-5', { step: 'debit' }, async () => {
      const started = (await tracker.get('op-5'))!.startedAt.getTime();
      await waitFor(async () => (await tracker.get('op-5'))!.lastHeartbeat.getTime() > started, { what: 'a background heartbeat' });
      return 'done';
    });

    expect(result).toBe('done');
    expect((await tracker.get('op-5'))!.status).toBe('completed');
    await expect(tracker.track('op-6', {}, async () => Promise.reject(new Error('provider down')))).rejects.toThrow('provider down');
    expect(await tracker.get('op-6')).toMatchObject({ status: 'failed', reason: 'provider down' });
  });

  it('refuses a heartbeat interval that cannot keep the operation fresh', () => {
    const fixture = createTestFixture({ label: 'trackbad' });
    expect(() => new OperationStateTracker('transfer', { redis: fixture.redis(), staleAfter: 100, heartbeatInterval: 100 })).toThrow(RangeError);
    expect(() => new OperationStateTracker('transfer', { redis: fixture.redis(), staleAfter: 10_000, heartbeatInterval: 100, ttl: 5 })).toThrow(RangeError);
  });
});
