import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { closeRedis, computeReconnectDelay, connectRedis, getRedis, getRedisConnectionStats, getRedisForRead, hasReadReplica } from '../../src/redis/index.js';
import { createTestFixture, startRedisServer } from '../../src/testing/index.js';

afterEach(async () => {
  await closeRedis();
});

async function dedicatedRedis() {
  const server = await startRedisServer();
  onTestFinished(() => server.stop());
  return server;
}

describe('connectRedis', () => {
  it('connects standalone and reports it', async () => {
    const fixture = createTestFixture();
    await connectRedis(fixture.redisUrl);
    expect(await getRedis().ping()).toBe('PONG');
    expect(getRedisForRead()).toBe(getRedis());
    expect(hasReadReplica()).toBe(false);
    expect(getRedisConnectionStats()).toMatchObject({ connected: true, mode: 'standalone', hasReadReplica: false });
  });

  it('splits reads to a replica that follows the master', async () => {
    const master = await dedicatedRedis();
    const replica = await dedicatedRedis();
    await connectRedis({ url: master.url, readReplicas: { enabled: true, urls: [replica.url] } });
    await vi.waitUntil(() => getRedisForRead() !== getRedis());
    const reader = getRedisForRead();
    await reader.call('REPLICAOF', '127.0.0.1', String(master.port));

    await getRedis().set('written-on-master', 'yes');
    await vi.waitUntil(async () => (await reader.get('written-on-master')) === 'yes', { timeout: 10_000, interval: 20 });
    expect(hasReadReplica()).toBe(true);
    expect(reader.options.port).toBe(replica.port);
    // Replicas refuse writes, which is why writes always go to getRedis().
    await expect(reader.set('x', '1')).rejects.toThrow(/READONLY/);
  });

  it('falls back to the master for reads when no replica is ready', async () => {
    const master = await dedicatedRedis();
    await connectRedis({ url: master.url, readReplicas: { enabled: true, urls: ['redis://127.0.0.1:1'] }, reconnectDelay: 1_000 });
    expect(getRedisForRead()).toBe(getRedis());
  });

  it('rejects when the server cannot be reached in time, without crashing on error events', async () => {
    await expect(connectRedis({ url: 'redis://127.0.0.1:1', connectTimeout: 300 })).rejects.toThrow(/not ready/);
    expect(getRedisConnectionStats().connected).toBe(false);
  });
});

describe('reconnect backoff', () => {
  it('grows exponentially up to the cap, with jitter in the upper half', () => {
    expect(computeReconnectDelay(1, 100, 10_000, () => 0)).toBe(50);
    expect(computeReconnectDelay(1, 100, 10_000, () => 1)).toBe(100);
    expect(computeReconnectDelay(4, 100, 10_000, () => 1)).toBe(800);
    expect(computeReconnectDelay(30, 100, 10_000, () => 1)).toBe(10_000);
    expect(computeReconnectDelay(30, 100, 10_000, () => 0)).toBe(5_000);
  });
});
