import { describe, expect, it } from 'vitest';
import type { IntegrationEvent } from '../../src/events/index.js';
import { runWithCorrelationId } from '../../src/logger/index.js';
import { createTestFixture } from '../../src/testing/index.js';
import { createBusForTest, isGroupCaughtUp } from './support/bus-fixture.js';
import { waitFor } from './support/conditions.js';

async function pendingCount(redis: ReturnType<ReturnType<typeof createTestFixture>['redis']>, stream: string, group: string): Promise<number> {
  const summary = (await redis.xpending(stream, group)) as [number, ...unknown[]];
  return summary[0];
}

describe('integration events over Redis Streams', () => {
  it('delivers the full envelope to the handler and acks only after the handler succeeded', async () => {
    const fixture = createTestFixture({ label: 'deliver' });
    // transport only: no MongoDB, so this checks the stream mechanics on their own
    const { bus } = await createBusForTest(fixture, { withMongo: false });
    const redis = fixture.redis();
    const received: IntegrationEvent[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    bus.on('payment.completed', async (event) => {
      received.push(event);
      await gate;
    });
    await bus.startListening();

    const emitted = await runWithCorrelationId('corr-deliver', () => bus.emit('payment.completed', fixture.tenantId, 'user-1', { paymentId: 'p1', amount: 1250 }));

    await waitFor(() => received.length === 1, { what: 'the handler to run' });
    // the handler has not returned yet: the entry must still be pending
    expect(await pendingCount(redis, bus.streamKey, bus.serviceName)).toBe(1);
    release();
    await waitFor(async () => (await pendingCount(redis, bus.streamKey, bus.serviceName)) === 0, { what: 'the ack' });

    expect(received[0]).toEqual({
      id: emitted.id,
      type: 'payment.completed',
      tenantId: fixture.tenantId,
      userId: 'user-1',
      occurredAt: emitted.occurredAt,
      correlationId: 'corr-deliver',
      data: { paymentId: 'p1', amount: 1250 },
    });
  });

  it('retries a failing handler (the entry stays pending) until it succeeds, without a dead letter', async () => {
    const fixture = createTestFixture({ label: 'retry' });
    const { bus } = await createBusForTest(fixture, { withMongo: false, maxAttempts: 5 });
    const attempts: number[] = [];
    bus.on('wallet.credited', (_event, context) => {
      attempts.push(context.attempt);
      if (attempts.length < 3) throw new Error(`transient failure ${attempts.length}`);
    });
    await bus.startListening();
    await bus.emit('wallet.credited', fixture.tenantId, 'u', { amount: 1 });

    await waitFor(() => attempts.length === 3, { what: 'three attempts' });
    await waitFor(async () => (await pendingCount(fixture.redis(), bus.streamKey, bus.serviceName)) === 0, { what: 'the ack' });
    expect(attempts).toEqual([1, 2, 3]);
    expect(await bus.readDeadLetters()).toEqual([]);
    // The failures on record went with the ack.
    expect(await fixture.redis().hlen(`${bus.streamKey}:errors:${bus.serviceName}`)).toBe(0);
  });

  it('sends an event whose handler keeps failing to the dead-letter stream with its error and attempt count', async () => {
    const fixture = createTestFixture({ label: 'deadletter' });
    const { bus } = await createBusForTest(fixture, { withMongo: false, maxAttempts: 3 });
    let calls = 0;
    bus.on('bonus.awarded', () => {
      calls += 1;
      throw new Error(`bonus template missing (call ${calls})`);
    });
    await bus.startListening();
    const event = await bus.emit('bonus.awarded', fixture.tenantId, 'u', { bonusId: 'b1' });

    const [deadLetter] = await waitFor(
      async () => {
        const letters = await bus.readDeadLetters();
        return letters.length > 0 ? letters : undefined;
      },
      { what: 'a dead letter' },
    );
    expect(deadLetter).toMatchObject({ group: bus.serviceName, attempts: 3, error: 'Error: bonus template missing (call 3)' });
    expect(JSON.parse(deadLetter!.fields['event']!)).toMatchObject({ id: event.id, type: 'bonus.awarded' });
    expect(calls).toBe(3);
    // dead-lettered means acknowledged: nothing left pending, nothing retried again
    expect(await pendingCount(fixture.redis(), bus.streamKey, bus.serviceName)).toBe(0);
  });

  it('retries dead letters on demand once the cause is fixed, and removes those that succeed', async () => {
    const fixture = createTestFixture({ label: 'redrive' });
    const { bus, db } = await createBusForTest(fixture, { maxAttempts: 1 });
    let templateExists = false;
    const awarded: string[] = [];
    bus.on(
      'bonus.awarded',
      (event) => {
        if (!templateExists) throw new Error('bonus template missing');
        awarded.push(event.id);
      },
      { name: 'award' },
    );
    await bus.startListening();
    const event = await bus.emit('bonus.awarded', fixture.tenantId, 'u', {});
    await waitFor(async () => (await bus.readDeadLetters()).length === 1, { what: 'the dead letter' });

    expect(await bus.retryDeadLetters()).toEqual({ retried: 0, failed: 1 });
    templateExists = true;
    expect(await bus.retryDeadLetters()).toEqual({ retried: 1, failed: 0 });
    expect(awarded).toEqual([event.id]);
    expect(await bus.readDeadLetters()).toEqual([]);
    expect(await db!.collection('processed_events').countDocuments({ eventId: event.id, consumer: 'test-service:award' })).toBe(1);
  });

  it('a handler slower than the claim idle time is neither run twice nor dead-lettered by its own instance', async () => {
    const fixture = createTestFixture({ label: 'slow' });
    const { bus } = await createBusForTest(fixture, { withMongo: false, maxAttempts: 1 });
    const redis = fixture.redis();
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    bus.on('report.generated', async () => {
      runs += 1;
      await gate;
    });
    await bus.startListening();
    await bus.emit('report.generated', fixture.tenantId, null, {});

    // our own claim pass takes the idle entry back (its delivery counter rises past maxAttempts)
    await waitFor(
      async () => {
        const [row] = (await redis.xpending(bus.streamKey, bus.serviceName, '-', '+', 1)) as Array<[string, string, number, number]>;
        return (row?.[3] ?? 0) >= 3;
      },
      { what: 'the entry to be re-claimed twice while its handler runs' },
    );
    release();
    await waitFor(() => isGroupCaughtUp(redis, bus.streamKey, bus.serviceName), { what: 'the ack' });
    expect(runs).toBe(1);
    expect(await bus.readDeadLetters()).toEqual([]);
  });

  it('onPattern("payment.*") receives every payment event and nothing else', async () => {
    const fixture = createTestFixture({ label: 'pattern' });
    const { bus } = await createBusForTest(fixture, { withMongo: false });
    const seen: string[] = [];
    const exact: string[] = [];
    bus.onPattern('payment.*', (event) => void seen.push(event.type));
    bus.on('payment.failed', (event) => void exact.push(event.type));
    const markers: string[] = [];
    bus.on('marker.done', (event) => void markers.push(event.id));
    await bus.startListening();

    for (const type of ['payment.completed', 'wallet.created', 'payment.refund.completed', 'payment.failed', 'marker.done']) {
      await bus.emit(type, fixture.tenantId, null, {});
    }
    // one tenant = one partition, handled in stream order: once the marker is handled,
    // every event before it has been offered to the handlers
    await waitFor(() => markers.length === 1, { what: 'the marker event' });
    expect(seen).toEqual(['payment.completed', 'payment.failed']);
    expect(exact).toEqual(['payment.failed']);
  });

  it('acks a duplicate delivery without running the handler again (processed-event record)', async () => {
    const fixture = createTestFixture({ label: 'dedupe' });
    const { bus, db } = await createBusForTest(fixture);
    const handled: string[] = [];
    bus.on('transfer.completed', (event) => void handled.push(event.id), { name: 'count-transfers' });
    await bus.startListening();

    const event = await bus.emit('transfer.completed', fixture.tenantId, 'u', { transferId: 't1' });
    // the same event published again, as an outbox relay that crashed after publishing would
    await bus.publish([event, event]);
    const sentinel = await bus.emit('transfer.completed', fixture.tenantId, 'u', { transferId: 't2' });

    await waitFor(() => handled.includes(sentinel.id), { what: 'the sentinel' });
    await waitFor(() => isGroupCaughtUp(fixture.redis(), bus.streamKey, bus.serviceName), { what: 'all acks' });
    expect(handled.filter((id) => id === event.id)).toHaveLength(1);
    const records = await db!.collection('processed_events').find({ eventId: event.id }).toArray();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ consumer: 'test-service:count-transfers' });
    const indexes = await db!.collection('processed_events').indexes();
    expect(indexes.find((index) => index.name === 'event_consumer_unique')).toMatchObject({ unique: true });
    expect(indexes.find((index) => index.name === 'processed_ttl')?.expireAfterSeconds).toBeGreaterThan(0);
  });

  it("commits the handler's writes together with its processed-event record: a failed attempt leaves nothing behind", async () => {
    const fixture = createTestFixture({ label: 'txhandler' });
    const { bus, db } = await createBusForTest(fixture, { maxAttempts: 4 });
    const credits = db!.collection<{ eventId: string; userId: string; amount: number }>('credits');
    let attempts = 0;
    bus.on<{ amount: number }>('deposit.completed', async (event, { session }) => {
      attempts += 1;
      await credits.insertOne({ eventId: event.id, userId: event.userId!, amount: event.data.amount }, { session });
      if (attempts === 1) throw new Error('crash after the write, before commit');
    });
    await bus.startListening();
    const event = await bus.emit('deposit.completed', fixture.tenantId, 'user-7', { amount: 700 });

    await waitFor(async () => (await db!.collection('processed_events').countDocuments({ eventId: event.id })) === 1, { what: 'the record' });
    expect(attempts).toBe(2);
    expect(await credits.find({ eventId: event.id }).toArray()).toHaveLength(1);
  });

  it('every service group receives every event; a handler-less type is acked without work', async () => {
    const fixture = createTestFixture({ label: 'groups' });
    const payments = await createBusForTest(fixture, { serviceName: 'payment-service', database: 'payment' });
    const bonus = await createBusForTest(fixture, { serviceName: 'bonus-service', database: 'bonus' });
    const paymentSeen: string[] = [];
    const bonusSeen: string[] = [];
    payments.bus.on('user.created', (event) => void paymentSeen.push(event.id));
    bonus.bus.on('user.created', (event) => void bonusSeen.push(event.id));
    await payments.bus.startListening();
    await bonus.bus.startListening();

    await payments.bus.emit('audit.noise', fixture.tenantId, null, {});
    const created = await payments.bus.emit('user.created', fixture.tenantId, 'u1', {});
    await waitFor(() => paymentSeen.length === 1 && bonusSeen.length === 1, { what: 'both groups' });
    expect(paymentSeen).toEqual([created.id]);
    expect(bonusSeen).toEqual([created.id]);
    const redis = fixture.redis();
    await waitFor(() => isGroupCaughtUp(redis, payments.bus.streamKey, 'payment-service'), { what: 'payment acks' });
    await waitFor(() => isGroupCaughtUp(redis, payments.bus.streamKey, 'bonus-service'), { what: 'bonus acks' });
  });

  it('two instances handling copies of the same event at the same moment apply it once (the losing transaction rolls back)', async () => {
    const fixture = createTestFixture({ label: 'race' });
    const a = await createBusForTest(fixture, { serviceName: 'bonus-service', database: 'bonus', consumerName: 'instance-a' });
    const b = await createBusForTest(fixture, { serviceName: 'bonus-service', database: 'bonus', consumerName: 'instance-b' });
    const awards = a.db!.collection<{ eventId: string; by: string }>('awards');
    const entered: string[] = [];
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    for (const [name, handle] of [
      ['instance-a', a],
      ['instance-b', b],
    ] as const) {
      handle.bus.on(
        'bonus.granted',
        async (event, { session }) => {
          entered.push(name);
          await awards.insertOne({ eventId: event.id, by: name }, { session });
          await gate;
        },
        { name: 'award' },
      );
    }
    await a.bus.startListening();
    await b.bus.startListening();

    const event = await a.bus.emit('bonus.granted', fixture.tenantId, 'u', { amount: 10 });
    await waitFor(() => entered.length === 1, { what: 'the first instance to start the handler' });
    // the first instance is busy inside its handler, so the second copy goes to the other one
    await a.bus.publish([event]);
    await waitFor(() => entered.length === 2, { what: 'both instances inside the handler at once' });
    expect(new Set(entered)).toEqual(new Set(['instance-a', 'instance-b']));
    openGate();

    await waitFor(() => isGroupCaughtUp(fixture.redis(), a.bus.streamKey, 'bonus-service'), { what: 'both copies acked' });
    expect(await awards.countDocuments({ eventId: event.id })).toBe(1);
    expect(await a.db!.collection('processed_events').countDocuments({ eventId: event.id })).toBe(1);
  });

  it('events read together share one transaction; one failing event rolls the batch back and only it is retried', async () => {
    const fixture = createTestFixture({ label: 'batch' });
    // Re-claims wait long enough that none overlaps the batch or the one-by-one pass, however
    // slow the machine: only event 3's retry goes through the claim.
    const { bus, db } = await createBusForTest(fixture, { maxAttempts: 5, claimIdleMs: 2_000 });
    const credits = db!.collection<{ eventId: string; n: number }>('credits');
    const runs: number[] = [];
    bus.on<{ n: number }>('wallet.credited', async (event, { session }) => {
      runs.push(event.data.n);
      await credits.insertOne({ eventId: event.id, n: event.data.n }, { session });
      // Fails in the batch and in the one-by-one pass (counted by runs, not by delivery counter,
      // which a re-claim also raises), then succeeds on its retry.
      if (event.data.n === 3 && runs.filter((n) => n === 3).length <= 2) throw new Error('event 3 fails until its retry');
    });
    // join the group, then leave so the five events queue up and are read in one batch
    await bus.startListening();
    await bus.stopListening();
    const events = [];
    for (let n = 1; n <= 5; n++) events.push(await bus.emit('wallet.credited', fixture.tenantId, 'u', { n }));
    await bus.startListening();

    await waitFor(() => isGroupCaughtUp(fixture.redis(), bus.streamKey, bus.serviceName), { what: 'all five acked', timeoutMs: 15_000 });
    // batch attempt (1..3, rolled back), then one by one (1..5), then event 3's retry
    expect(runs).toEqual([1, 2, 3, 1, 2, 3, 4, 5, 3]);
    expect((await credits.find({}).sort({ n: 1 }).toArray()).map((credit) => credit.n)).toEqual([1, 2, 3, 4, 5]);
    expect(await db!.collection('processed_events').countDocuments({ eventId: { $in: events.map((e) => e.id) } })).toBe(5);
  });

  it('a handler registered without a transaction still runs once per event: its record is written before the ack', async () => {
    const fixture = createTestFixture({ label: 'notx' });
    const { bus, db } = await createBusForTest(fixture);
    const sent: string[] = [];
    bus.on('user.registered', (event) => void sent.push(event.id), { name: 'welcome-email', transaction: false });
    await bus.startListening();

    const event = await bus.emit('user.registered', fixture.tenantId, 'u', { email: 'a@example.com' });
    await waitFor(() => sent.length === 1, { what: 'the first delivery' });
    await bus.publish([event]);
    const sentinel = await bus.emit('user.registered', fixture.tenantId, 'u2', {});
    await waitFor(() => sent.includes(sentinel.id), { what: 'the sentinel' });
    expect(sent).toEqual([event.id, sentinel.id]);
    expect(await db!.collection('processed_events').countDocuments({ eventId: event.id, consumer: 'test-service:welcome-email' })).toBe(1);
  });

  it('dead-letters an unparseable entry at once instead of retrying it', async () => {
    const fixture = createTestFixture({ label: 'poison' });
    const { bus } = await createBusForTest(fixture, { withMongo: false, maxAttempts: 5 });
    const handled: string[] = [];
    bus.on('payment.completed', (event) => void handled.push(event.id));
    await bus.startListening();
    const redis = fixture.redis();
    await redis.xadd(bus.streamKey, '*', 'type', 'payment.completed', 'tenantId', fixture.tenantId, 'event', '{not json');
    const good = await bus.emit('payment.completed', fixture.tenantId, 'u', {});

    await waitFor(() => handled.includes(good.id), { what: 'the good event' });
    const [letter] = await waitFor(
      async () => {
        const letters = await bus.readDeadLetters();
        return letters.length === 1 ? letters : undefined;
      },
      { what: 'the dead letter' },
    );
    expect(letter).toMatchObject({ attempts: 1, fields: { event: '{not json' } });
    expect(letter!.error).toMatch(/^PoisonMessageError: unparseable event/);
    await waitFor(() => isGroupCaughtUp(redis, bus.streamKey, bus.serviceName), { what: 'acks' });
  });

  it('trims entries older than maxAgeMs (MINID) on its periodic pass', async () => {
    const fixture = createTestFixture({ label: 'minid' });
    const { bus } = await createBusForTest(fixture, { withMongo: false, maxAgeMs: 300 });
    await bus.startListening();
    const old = Array.from({ length: 1_000 }, () => ({
      id: 'x',
      type: 'noise.made',
      tenantId: fixture.tenantId,
      userId: null,
      occurredAt: '',
      correlationId: null,
      data: {},
    }));
    await bus.publish(old);
    const redis = fixture.redis();
    // All 1,000 went in (XINFO's entries-added: the periodic pass may already have trimmed some
    // by the time xlen is asked on a loaded machine, 300 ms being the age limit).
    const info = (await redis.xinfo('STREAM', bus.streamKey)) as unknown[];
    expect(Number(info[info.indexOf('entries-added') + 1])).toBe(1_000);
    // approximate trimming drops whole macro-nodes: most of the 1,000, once they are old enough
    await waitFor(async () => (await redis.xlen(bus.streamKey)) < 200, { what: 'the age trim', timeoutMs: 5_000 });
  });

  it('caps the stream length with MAXLEN ~ on every publish', async () => {
    const fixture = createTestFixture({ label: 'maxlen' });
    const { bus } = await createBusForTest(fixture, { withMongo: false, maxLength: 100 });
    for (let batch = 0; batch < 10; batch++) {
      await bus.publish(Array.from({ length: 100 }, () => ({ id: 'x', type: 'noise.made', tenantId: fixture.tenantId, userId: null, occurredAt: '', correlationId: null, data: {} })));
    }
    const length = await fixture.redis().xlen(bus.streamKey);
    // approximate trimming keeps whole macro-nodes (100 entries by default), never the full 1000
    expect(length).toBeLessThan(300);
    expect(length).toBeGreaterThanOrEqual(100);
  });
});
