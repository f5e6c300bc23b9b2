import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveHub, compareEntryIds, type LiveDelivery } from '../../src/gateway/live/live-hub.js';
import type { LiveMessage } from '../../src/gateway/live/live-event-routing.js';
import { getLogger } from '../../src/logger/logger.js';
import { createRedisClient, quitRedisClient, waitForRedisReady } from '../../src/redis/index.js';
import { createTestFixture, getTestInfrastructure, waitFor } from '../../src/testing/index.js';

const fixture = createTestFixture({ label: 'livehub' });
// A name of this file's own, so the test can find and drop the hub's fan-out connection alone
// on the run's shared redis-server.
const clientName = `livehub-${randomUUID().slice(0, 8)}`;
let redis: Redis;
let hub: LiveHub;

beforeAll(async () => {
  redis = createRedisClient({ url: getTestInfrastructure().redisUrl, clientName, reconnectDelay: 50, maxReconnectDelay: 200 });
  await waitForRedisReady(redis, 10_000);
  hub = new LiveHub({ redis, logger: getLogger('live-hub-test'), streamKey: `${fixture.brand}:events`, keyPrefix: `${fixture.brand}:` });
  await hub.start();
});

afterAll(async () => {
  await hub.stop();
  await quitRedisClient(redis);
});

const message = (userId: string, balance: number): LiveMessage => ({
  field: 'walletUpdated',
  tenantId: fixture.tenantId,
  userIds: [userId],
  payload: { userId, balance },
  eventId: randomUUID(),
});

/** Closes the hub's subscribed connection on the server side, as a network drop or restart would. */
async function dropFanOutConnection(): Promise<void> {
  const list = (await redis.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
  const ids = list
    .split('\n')
    .filter((line) => line.includes(` name=${clientName}:`))
    .map((line) => /\bid=(\d+)/.exec(line)?.[1]);
  expect(ids).toHaveLength(1);
  await redis.call('CLIENT', 'KILL', 'ID', ids[0]!);
}

describe('LiveHub fan-out', () => {
  it('a message published while its fan-out connection is down reaches every open listener once it is back, and nothing twice', async () => {
    const userId = `u-${randomUUID()}`;
    const first: LiveDelivery[] = [];
    const second: LiveDelivery[] = [];
    hub.listen(fixture.tenantId, userId, (delivery) => first.push(delivery));
    hub.listen(fixture.tenantId, userId, (delivery) => second.push(delivery));

    await hub.publish(message(userId, 100));
    await waitFor(() => first.length === 1 && second.length === 1, { what: 'the first message over pub/sub' });

    await dropFanOutConnection();
    // Published after the server closed the subscription: pub/sub has no one to give it to.
    await hub.publish(message(userId, 200));
    await waitFor(() => first.length === 2 && second.length === 2, { what: 'the message published while down, caught up from the backlog' });
    await hub.publish(message(userId, 300));
    await waitFor(() => first.length === 3 && second.length === 3, { what: 'a message after the catch-up' });

    for (const received of [first, second]) {
      expect(received.map((delivery) => delivery.message.payload['balance'])).toEqual([100, 200, 300]);
      expect(new Set(received.map((delivery) => delivery.entryId)).size).toBe(3);
    }
  });

  it('a catch-up gives a listener only what came after it started listening', async () => {
    const userId = `u-${randomUUID()}`;
    const early: LiveDelivery[] = [];
    hub.listen(fixture.tenantId, userId, (delivery) => early.push(delivery));
    await hub.publish(message(userId, 1));
    await waitFor(() => early.length === 1, { what: 'the early listener’s message' });

    const late: LiveDelivery[] = [];
    hub.listen(fixture.tenantId, userId, (delivery) => late.push(delivery));
    await dropFanOutConnection();
    await hub.publish(message(userId, 2));
    await waitFor(() => early.length === 2 && late.length === 1, { what: 'the catch-up' });
    expect(late.map((delivery) => delivery.message.payload['balance'])).toEqual([2]);
  });
});

describe('compareEntryIds', () => {
  it('orders by milliseconds, then sequence, numerically; the empty id comes first', () => {
    expect(compareEntryIds('9-0', '10-0')).toBeLessThan(0);
    expect(compareEntryIds('10-2', '10-10')).toBeLessThan(0);
    expect(compareEntryIds('10-10', '10-10')).toBe(0);
    expect(compareEntryIds('1-0', '')).toBeGreaterThan(0);
    expect(compareEntryIds('', '1-0')).toBeLessThan(0);
  });
});
