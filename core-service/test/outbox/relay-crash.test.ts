import { describe, expect, it } from 'vitest';
import { createTestFixture, type TestFixture } from '../../src/testing/index.js';
import { createBusForTest, isGroupCaughtUp } from '../events/support/bus-fixture.js';
import { startChildScript } from '../events/support/child-process.js';
import { waitFor } from '../events/support/conditions.js';

const LEASE_MS = 500;

async function crashRelayAt(fixture: TestFixture, crashPoint: 'before-publish' | 'after-publish'): Promise<string> {
  const child = startChildScript(new URL('./support/relay-child.ts', import.meta.url), {
    MONGO_URI: fixture.mongoUri,
    REDIS_URL: fixture.redisUrl,
    DB_NAME: fixture.dbName('payment'),
    STREAM_KEY: fixture.key('events'),
    SERVICE_NAME: 'payment-service',
    TENANT_ID: fixture.tenantId,
    TRANSFER_ID: `tr-${crashPoint}`,
    CRASH_POINT: crashPoint,
    LEASE_MS: String(LEASE_MS),
  });
  const { eventIds } = await child.waitForMessage<{ crashPoint?: string; eventIds: string[] }>((m) => m.crashPoint === crashPoint);
  await child.kill();
  return eventIds[0]!;
}

describe('outbox relay killed mid-flight', () => {
  it('killed between commit and publish: the restarted service delivers the event at start(), exactly once, with no new emit', async () => {
    const fixture = createTestFixture({ label: 'relaykill1' });
    const consumer = await createBusForTest(fixture, { serviceName: 'notification-service', database: 'notification' });
    const notified: string[] = [];
    consumer.bus.on('transfer.completed', (event) => void notified.push(event.id), { name: 'notify' });
    await consumer.bus.startListening();

    const eventId = await crashRelayAt(fixture, 'before-publish');
    const producer = await createBusForTest(fixture, { serviceName: 'payment-service', database: 'payment' });
    // committed, never published: still pending in the outbox, absent from the stream
    expect(await producer.db!.collection('outbox').findOne({ 'events.event.id': eventId })).toMatchObject({ status: 'pending' });
    expect(await fixture.redis().xlen(consumer.bus.streamKey)).toBe(0);

    // The restarted service's boot (`start()`, as every service calls it) takes the relay over
    // once the dead one's lease expires; nothing new is emitted.
    await producer.bus.start();
    expect(producer.bus.getRelay().isRunning).toBe(true);
    await waitFor(() => notified.includes(eventId), { what: 'the restarted relay to deliver', timeoutMs: 15_000 });
    await waitFor(async () => (await producer.db!.collection('outbox').findOne({ 'events.event.id': eventId }))?.['status'] === 'sent', { what: 'sent' });
    expect(notified).toEqual([eventId]);
    expect(await fixture.redis().xlen(consumer.bus.streamKey)).toBe(1);
    expect(await producer.db!.collection('transfers').countDocuments({ transferId: 'tr-before-publish' })).toBe(1);
  });

  it('killed after publish but before marking sent: the event is republished and still applied once', async () => {
    const fixture = createTestFixture({ label: 'relaykill2' });
    const consumer = await createBusForTest(fixture, { serviceName: 'notification-service', database: 'notification' });
    const notifications = consumer.db!.collection<{ eventId: string }>('notifications');
    const handled: string[] = [];
    consumer.bus.on(
      'transfer.completed',
      async (event, { session }) => {
        handled.push(event.id);
        await notifications.insertOne({ eventId: event.id }, { session });
      },
      { name: 'notify' },
    );
    await consumer.bus.startListening();

    const eventId = await crashRelayAt(fixture, 'after-publish');
    const producer = await createBusForTest(fixture, { serviceName: 'payment-service', database: 'payment' });
    expect(await producer.db!.collection('outbox').findOne({ 'events.event.id': eventId })).toMatchObject({ status: 'pending' });

    await producer.bus.startRelay();
    await waitFor(async () => (await producer.db!.collection('outbox').findOne({ 'events.event.id': eventId }))?.['status'] === 'sent', {
      what: 'the republish',
      timeoutMs: 15_000,
    });
    // the stream now holds the event twice; the consumer applied it once and acked both
    const redis = fixture.redis();
    expect(await redis.xlen(consumer.bus.streamKey)).toBe(2);
    await waitFor(() => isGroupCaughtUp(redis, consumer.bus.streamKey, 'notification-service'), { what: 'both deliveries acked' });
    expect(handled).toEqual([eventId]);
    expect(await notifications.countDocuments({ eventId })).toBe(1);
  });
});
