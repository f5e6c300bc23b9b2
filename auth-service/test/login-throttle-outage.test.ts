import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { createRedisClient, quitRedisClient, waitForRedisReady } from 'core-service';
import { startRedisServer, waitFor, type RedisServerHandle } from 'core-service/testing';
import { DEFAULT_LOGIN_THROTTLE, decideLoginAttempt } from '../src/domain/login-throttle-rules.js';
import { LoginThrottle } from '../src/store/login-throttle.js';
import { createAuthRedisKeys } from '../src/store/redis-keys.js';

/**
 * The README's "When Redis is down" row for login throttling: off while Redis is down (logins
 * go on), back with its counters from where Redis has them once it returns. A private
 * redis-server that the test kills (the shared one serves other files).
 */
let server: RedisServerHandle;
let redis: Redis;
const settings = { ...DEFAULT_LOGIN_THROTTLE, maxFailuresPerAccountAddress: 2 };

beforeAll(async () => {
  server = await startRedisServer();
  redis = createRedisClient({ url: server.url, reconnectDelay: 20, maxReconnectDelay: 100 });
  await waitForRedisReady(redis, 5_000);
});

afterAll(async () => {
  if (redis) await quitRedisClient(redis);
  await server?.stop();
});

describe('login throttling while Redis is down', () => {
  it('is off during the outage (every attempt may go on, nothing is counted) and locks again once Redis is back', async () => {
    const throttle = new LoginThrottle(redis, createAuthRedisKeys('outage'), () => settings);
    const now = Date.now();
    for (let i = 0; i < 2; i++) await throttle.recordFailure('t1', 'a@example.test', '203.0.113.9', now);
    expect(decideLoginAttempt(await throttle.state('t1', 'a@example.test', '203.0.113.9', now), settings, now)).toMatchObject({ kind: 'refuse', scope: 'account-address' });

    await server.kill();
    await waitFor(() => redis.status !== 'ready', { what: 'the client to notice' });
    const during = await throttle.state('t1', 'a@example.test', '203.0.113.9', now);
    expect(decideLoginAttempt(during, settings, now)).toEqual({ kind: 'allow' });
    await expect(throttle.recordFailure('t1', 'a@example.test', '203.0.113.9', now)).resolves.toBeUndefined();
    expect(await throttle.takeSlot('t1', 'a@example.test', 30, now)).toBe(true);

    await server.restart();
    await waitFor(() => redis.status === 'ready', { what: 'reconnect' });
    for (let i = 0; i < 2; i++) await throttle.recordFailure('t1', 'b@example.test', '203.0.113.9', now);
    expect(decideLoginAttempt(await throttle.state('t1', 'b@example.test', '203.0.113.9', now), settings, now)).toMatchObject({ kind: 'refuse', scope: 'account-address' });
  });
});
