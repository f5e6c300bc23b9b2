import { describe, expect, it } from 'vitest';
import { createTestFixture } from '../../src/testing/index.js';
import { createBusForTest, isGroupCaughtUp } from './support/bus-fixture.js';
import { startChildScript } from './support/child-process.js';
import { waitFor } from './support/conditions.js';

describe('a consumer killed mid-handler', () => {
  it('leaves its entry pending; another instance re-claims it (XAUTOCLAIM) and applies it exactly once', async () => {
    const fixture = createTestFixture({ label: 'killconsumer' });
    const serviceName = 'payment-service';
    const database = 'payment';
    const child = startChildScript(new URL('./support/consumer-child.ts', import.meta.url), {
      MONGO_URI: fixture.mongoUri,
      REDIS_URL: fixture.redisUrl,
      DB_NAME: fixture.dbName(database),
      STREAM_KEY: fixture.key('events'),
      SERVICE_NAME: serviceName,
    });
    await child.waitForMessage<{ ready?: boolean }>((message) => message.ready === true);

    const { bus, db } = await createBusForTest(fixture, { serviceName, database });
    const debits = db!.collection<{ eventId: string; amount: number }>('debits');
    const applied: Array<{ id: string; attempt: number }> = [];
    bus.on<{ amount: number }>(
      'wallet.debited',
      async (event, { session, attempt }) => {
        applied.push({ id: event.id, attempt });
        await debits.insertOne({ eventId: event.id, amount: event.data.amount }, { session });
      },
      { name: 'apply-debit' },
    );

    const event = await bus.emit('wallet.debited', fixture.tenantId, 'user-1', { amount: 300 });
    await child.waitForMessage<{ blockedOn?: string }>((message) => message.blockedOn === event.id);
    const redis = fixture.redis();
    const [pendingBefore] = (await redis.xpending(bus.streamKey, serviceName, '-', '+', 10)) as Array<[string, string, number, number]>;
    expect(pendingBefore?.[1]).toBe('doomed-consumer');

    await child.kill();
    // only now does this instance join: it gets nothing new, only what it re-claims
    await bus.startListening();

    await waitFor(async () => (await db!.collection('processed_events').countDocuments({ eventId: event.id })) === 1, {
      what: 'the re-claimed event to be applied',
    });
    await waitFor(() => isGroupCaughtUp(redis, bus.streamKey, serviceName), { what: 'the ack' });
    expect(applied).toEqual([{ id: event.id, attempt: 2 }]);
    expect(await debits.countDocuments({ eventId: event.id })).toBe(1);

    // a later duplicate of the same event (e.g. an outbox republish) is not applied again
    await bus.publish([event]);
    const sentinel = await bus.emit('wallet.debited', fixture.tenantId, 'user-1', { amount: 1 });
    await waitFor(() => applied.some((entry) => entry.id === sentinel.id), { what: 'the sentinel' });
    expect(await debits.countDocuments({ eventId: event.id })).toBe(1);
    expect(applied.filter((entry) => entry.id === event.id)).toHaveLength(1);
  });

  it('an event whose consumer dies on its last allowed attempt is dead-lettered by the instance that re-claims it', async () => {
    const fixture = createTestFixture({ label: 'killpoison' });
    const serviceName = 'payment-service';
    const child = startChildScript(new URL('./support/consumer-child.ts', import.meta.url), {
      MONGO_URI: fixture.mongoUri,
      REDIS_URL: fixture.redisUrl,
      DB_NAME: fixture.dbName('payment'),
      STREAM_KEY: fixture.key('events'),
      SERVICE_NAME: serviceName,
    });
    await child.waitForMessage<{ ready?: boolean }>((message) => message.ready === true);
    const { bus } = await createBusForTest(fixture, { serviceName, database: 'payment', maxAttempts: 1 });
    const applied: string[] = [];
    bus.on('wallet.debited', (event) => void applied.push(event.id), { name: 'apply-debit' });

    const event = await bus.emit('wallet.debited', fixture.tenantId, 'user-1', { amount: 1 });
    await child.waitForMessage<{ blockedOn?: string }>((message) => message.blockedOn === event.id);
    await child.kill();
    await bus.startListening();

    const [letter] = await waitFor(
      async () => {
        const letters = await bus.readDeadLetters();
        return letters.length === 1 ? letters : undefined;
      },
      { what: 'the dead letter' },
    );
    expect(letter).toMatchObject({ originalId: expect.any(String), attempts: 1, consumer: bus.consumerName });
    expect(letter!.error).toMatch(/handler never finished/);
    expect(JSON.parse(letter!.fields['event']!)).toMatchObject({ id: event.id });
    // the poison event is not handed to the next consumer
    expect(applied).toEqual([]);
    await waitFor(() => isGroupCaughtUp(fixture.redis(), bus.streamKey, serviceName), { what: 'the ack' });
  });
});
