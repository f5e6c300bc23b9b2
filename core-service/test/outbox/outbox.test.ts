import { describe, expect, it, onTestFinished } from 'vitest';
import { MongoClient, ObjectId, type CommandStartedEvent } from 'mongodb';
import { EventBus, createIntegrationEvent, type IntegrationEvent } from '../../src/events/index.js';
import { withTransaction } from '../../src/database/transaction.js';
import { OutboxStore } from '../../src/outbox/index.js';
import { createTestFixture } from '../../src/testing/index.js';
import { createBusForTest } from '../events/support/bus-fixture.js';
import { waitFor } from '../events/support/conditions.js';

class AbortTransfer extends Error {}

/** A payment-service producer, and a notification-service consumer collecting its `transfer.completed` events. */
async function transfersObserved(label: string) {
  const fixture = createTestFixture({ label });
  const consumer = await createBusForTest(fixture, { serviceName: 'notification-service', database: 'notification' });
  const producer = await createBusForTest(fixture, { serviceName: 'payment-service', database: 'payment' });
  const received: IntegrationEvent[] = [];
  consumer.bus.on('transfer.completed', (event) => void received.push(event));
  await consumer.bus.startListening();
  return { fixture, producer, received };
}

describe('transactional outbox', () => {
  it('emit inside a transaction writes an outbox entry that the relay publishes after commit and marks sent', async () => {
    const { fixture, producer, received } = await transfersObserved('outbox');

    const event = await withTransaction({
      client: producer.client!,
      fn: async (session) => {
        await producer.db!.collection('transfers').insertOne({ transferId: 'tr-1' }, { session });
        const emitted = await producer.bus.emit('transfer.completed', fixture.tenantId, 'user-1', { transferId: 'tr-1' }, { session });
        // not visible outside the transaction before commit
        expect(await producer.db!.collection('outbox').countDocuments({ 'events.event.id': emitted.id })).toBe(0);
        return emitted;
      },
    });

    await waitFor(() => received.length === 1, { what: 'the consumer to receive the outbox event' });
    expect(received[0]).toMatchObject({ id: event.id, type: 'transfer.completed', tenantId: fixture.tenantId, data: { transferId: 'tr-1' } });
    await waitFor(async () => (await producer.db!.collection('outbox').findOne({ 'events.event.id': event.id }))?.['status'] === 'sent', {
      what: 'the entry to be marked sent',
    });
  });

  it("keeps a write's events in one document, and still relays a document written one event apiece before that", async () => {
    const { fixture, producer, received } = await transfersObserved('grouped');

    // Left pending by a version that wrote one document per event (an upgrade mid-flight).
    const legacy = createIntegrationEvent({ type: 'transfer.completed', tenantId: fixture.tenantId, userId: 'u', data: { n: 0 } });
    const outbox = producer.db!.collection('outbox');
    await outbox.insertOne({ _id: new ObjectId(), eventId: legacy.id, tenantId: legacy.tenantId, type: legacy.type, event: legacy, status: 'pending', createdAt: new Date() });
    const emitted = await withTransaction({
      client: producer.client!,
      fn: (session) =>
        producer.bus.emitAll(
          [1, 2].map((n) => ({ type: 'transfer.completed', tenantId: fixture.tenantId, userId: 'u', data: { n } })),
          { session },
        ),
    });

    const grouped = await outbox.findOne({ 'events.event.id': emitted[0]!.id });
    expect(grouped!['events'].map((entry: { event: IntegrationEvent }) => entry.event.id)).toEqual(emitted.map((event) => event.id));
    await waitFor(() => received.length === 3, { what: 'all three events' });
    // In write order: the older document first, then the write's events in emit order.
    expect(received.map((event) => event.data)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    await waitFor(async () => (await outbox.countDocuments({ status: 'sent' })) === 2, { what: 'both documents marked sent' });
    expect(await producer.bus.outbox!.countPending()).toBe(0);
  });

  it('counts pending events, not documents, whatever their shape', async () => {
    const fixture = createTestFixture({ label: 'count' });
    const { client, db } = await createBusForTest(fixture, { serviceName: 'payment-service', database: 'payment' });
    const store = new OutboxStore<IntegrationEvent>(db!, { collection: 'outbox_count' });
    const event = (n: number) => createIntegrationEvent({ type: 'transfer.completed', tenantId: fixture.tenantId, userId: 'u', data: { n } });
    const legacy = event(0);
    await store.collection.insertOne({ _id: new ObjectId(), eventId: legacy.id, type: legacy.type, event: legacy, status: 'pending', createdAt: new Date() } as never);
    await withTransaction({ client: client!, fn: (session) => store.addMany([{ event: event(1) }, { event: event(2), dispatchWebhooks: true }], session) });
    expect(await store.countPending()).toBe(3);
    const entries = await store.nextPending(10);
    expect(entries.map((entry) => [entry.event.data, entry.dispatchWebhooks ?? false])).toEqual([
      [{ n: 0 }, false],
      [{ n: 1 }, false],
      [{ n: 2 }, true],
    ]);
    await store.markSent(entries.map((entry) => entry._id));
    expect(await store.countPending()).toBe(0);
    expect(await store.collection.countDocuments({ status: 'sent' })).toBe(2);
  });

  it('never publishes the outbox entry of an aborted transaction', async () => {
    const fixture = createTestFixture({ label: 'abort' });
    const consumer = await createBusForTest(fixture, { serviceName: 'notification-service', database: 'notification' });
    const producer = await createBusForTest(fixture, { serviceName: 'payment-service', database: 'payment' });
    const received: string[] = [];
    consumer.bus.on('transfer.completed', (event) => void received.push(event.id));
    await consumer.bus.startListening();

    let abortedId = '';
    await expect(
      withTransaction({
        client: producer.client!,
        fn: async (session) => {
          const event = await producer.bus.emit('transfer.completed', fixture.tenantId, 'u', { transferId: 'aborted' }, { session });
          abortedId = event.id;
          throw new AbortTransfer('insufficient funds');
        },
      }),
    ).rejects.toBeInstanceOf(AbortTransfer);

    const committed = await withTransaction({
      client: producer.client!,
      fn: (session) => producer.bus.emit('transfer.completed', fixture.tenantId, 'u', { transferId: 'committed' }, { session }),
    });
    await waitFor(() => received.includes(committed.id), { what: 'the committed event' });
    // the relay publishes in outbox order and has drained: the aborted one never existed
    expect(await producer.bus.getRelay().publishPending()).toBe(0);
    expect(received).toEqual([committed.id]);
    expect(await producer.db!.collection('outbox').countDocuments({ 'events.event.id': abortedId })).toBe(0);
    const stream = await fixture.redis().xrange(producer.bus.streamKey, '-', '+');
    expect(stream.some(([, fields]) => fields.join(' ').includes(abortedId))).toBe(false);
  });

  it('publishes the entries of a transaction in the order they were emitted', async () => {
    const fixture = createTestFixture({ label: 'order' });
    const consumer = await createBusForTest(fixture, { serviceName: 'bonus-service', database: 'bonus' });
    const producer = await createBusForTest(fixture, { serviceName: 'payment-service', database: 'payment' });
    const sequence: number[] = [];
    consumer.bus.onPattern<{ step: number }>('ledger.*', (event) => void sequence.push(event.data.step));
    await consumer.bus.startListening();

    await withTransaction({
      client: producer.client!,
      fn: async (session) => {
        for (let step = 1; step <= 6; step++) {
          await producer.bus.emit(step % 2 ? 'ledger.debited' : 'ledger.credited', fixture.tenantId, 'u', { step }, { session });
        }
      },
    });
    await waitFor(() => sequence.length === 6, { what: 'six events' });
    expect(sequence).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('is woken by the commit itself, not by its poll', async () => {
    const fixture = createTestFixture({ label: 'wake' });
    const consumer = await createBusForTest(fixture, { serviceName: 'notification-service', database: 'notification' });
    // a poll this slow would blow the test's wait budget: only the commit hook can deliver in time
    const producer = await createBusForTest(fixture, {
      serviceName: 'payment-service',
      database: 'payment',
      outbox: { pollIntervalMs: 120_000, leaseMs: 120_000 },
    });
    const received: string[] = [];
    consumer.bus.on('deposit.completed', (event) => void received.push(event.id));
    await consumer.bus.startListening();
    await producer.bus.startRelay();

    for (let round = 0; round < 3; round++) {
      const event = await withTransaction({
        client: producer.client!,
        fn: (session) => producer.bus.emit('deposit.completed', fixture.tenantId, 'u', { round }, { session }),
      });
      await waitFor(() => received.includes(event.id), { what: `round ${round}`, timeoutMs: 5_000 });
    }
  });

  it("a commit in an instance that does not hold the lease wakes the leader through Redis, not the leader's poll", async () => {
    const fixture = createTestFixture({ label: 'remotewake' });
    const slow = { pollIntervalMs: 120_000, leaseMs: 120_000 };
    const consumer = await createBusForTest(fixture, { serviceName: 'notification-service', database: 'notification' });
    const leader = await createBusForTest(fixture, { serviceName: 'payment-service', database: 'payment', outbox: slow });
    const follower = await createBusForTest(fixture, { serviceName: 'payment-service', database: 'payment', outbox: slow });
    const received: string[] = [];
    consumer.bus.on('withdrawal.completed', (event) => void received.push(event.id));
    await consumer.bus.startListening();
    await leader.bus.startRelay();
    await waitFor(() => leader.bus.getRelay().isLeader, { what: 'the first relay to lead' });

    const event = await withTransaction({
      client: follower.client!,
      fn: (session) => follower.bus.emit('withdrawal.completed', fixture.tenantId, 'u', { amount: 5 }, { session }),
    });
    await waitFor(() => received.includes(event.id), { what: 'the leader to publish', timeoutMs: 5_000 });
    expect(follower.bus.getRelay().isLeader).toBe(false);
  });

  it('an instance that does not hold the lease asks for it at its poll, not at every commit, and its wake-ups of the leader coalesce', async () => {
    const fixture = createTestFixture({ label: 'leasecalm' });
    const slow = { pollIntervalMs: 120_000, leaseMs: 120_000 };
    const consumer = await createBusForTest(fixture, { serviceName: 'notification-service', database: 'notification' });
    const leader = await createBusForTest(fixture, { serviceName: 'payment-service', database: 'payment', outbox: slow });
    await leader.bus.startRelay();
    await waitFor(() => leader.bus.getRelay().isLeader, { what: 'the first relay to lead' });
    // The follower on a client of its own, so its commands can be told apart.
    const client = await new MongoClient(fixture.mongoUri, { monitorCommands: true }).connect();
    onTestFinished(() => client.close());
    const leaseCommands: string[] = [];
    client.on('commandStarted', (event: CommandStartedEvent) => {
      if (event.command[event.commandName] === 'outbox_relay_leases') leaseCommands.push(event.commandName);
    });
    const redis = fixture.redis();
    const follower = new EventBus({ serviceName: 'payment-service', streamKey: fixture.key('events'), redis, mongo: { client, db: client.db(fixture.dbName('payment')) }, outbox: slow });
    onTestFinished(() => follower.close());
    // The first wake-up is held on its way until all twenty commits are done: they must not
    // wait for it, and what they ask for meanwhile is one more wake-up after it, not nineteen.
    const published: string[] = [];
    const publish = redis.publish.bind(redis);
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    redis.publish = (async (channel: string, message: string) => {
      published.push(channel);
      if (published.length === 1) await gate;
      return publish(channel, message);
    }) as typeof redis.publish;
    const received: string[] = [];
    consumer.bus.on('withdrawal.completed', (event) => void received.push(event.id));
    await consumer.bus.startListening();

    const events = await Promise.all(
      Array.from({ length: 20 }, (_, i) => withTransaction({ client, fn: (session) => follower.emit('withdrawal.completed', fixture.tenantId, 'u', { i }, { session }) })),
    );
    expect(published).toHaveLength(1);
    openGate();
    await waitFor(() => events.every((event) => received.includes(event.id)), { what: 'the leader to publish all 20', timeoutMs: 5_000 });
    expect(published).toHaveLength(2);
    expect(follower.getRelay().isLeader).toBe(false);
    // One try for the lease, at the relay's first pass; the 20 commits' wake-ups reuse its answer.
    expect(leaseCommands).toEqual(['findAndModify']);
  });

  it('with two relay instances only the lease holder publishes, so every entry goes out once', async () => {
    const fixture = createTestFixture({ label: 'lease' });
    const a = await createBusForTest(fixture, { serviceName: 'payment-service', database: 'payment', outbox: { autoStart: false } });
    const b = await createBusForTest(fixture, { serviceName: 'payment-service', database: 'payment', outbox: { autoStart: false } });
    for (let i = 0; i < 5; i++) {
      await withTransaction({
        client: a.client!,
        fn: (session) => a.bus.emit('payout.requested', fixture.tenantId, 'u', { i }, { session }),
      });
    }
    const [first, second] = await Promise.all([a.bus.getRelay().publishPending(), b.bus.getRelay().publishPending()]);
    expect([first, second].sort((a, b) => a - b)).toEqual([0, 5]);
    expect(await fixture.redis().xlen(a.bus.streamKey)).toBe(5);
  });
});
