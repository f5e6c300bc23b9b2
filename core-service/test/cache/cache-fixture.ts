import type { Redis } from 'ioredis';
import { onTestFinished } from 'vitest';
import { MultiLevelCache, type MultiLevelCacheOptions } from '../../src/cache/index.js';
import { createRedisClient, quitRedisClient, waitForRedisReady } from '../../src/redis/index.js';
import type { TestFixture } from '../../src/testing/index.js';

export { deferred, nextEvent } from '../../src/testing/index.js';

/** A Redis client with the SDK's outage policy (fail fast, reconnect with backoff), closed after the test. */
export async function connectTestRedis(url: string, options: { commandTimeout?: number } = {}): Promise<Redis> {
  const client = createRedisClient({ url, reconnectDelay: 20, maxReconnectDelay: 200, ...options });
  await waitForRedisReady(client, 5_000);
  onTestFinished(() => quitRedisClient(client));
  return client;
}

/** A cache instance in the fixture's key space, its bus subscribed, closed after the test. */
export async function createTestCache(fixture: TestFixture, redis: Redis | undefined, options: Partial<MultiLevelCacheOptions> = {}): Promise<MultiLevelCache> {
  const cache = new MultiLevelCache({ keyPrefix: `${fixture.keyPrefix}cache:`, ...options, ...(redis ? { redis } : {}) });
  onTestFinished(() => cache.close());
  if (redis !== undefined) await cache.start();
  return cache;
}
