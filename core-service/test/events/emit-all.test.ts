import { describe, expect, it } from 'vitest';
import type { IntegrationEvent } from '../../src/events/index.js';
import { withTransaction } from '../../src/database/transaction.js';
import { createTestFixture } from '../../src/testing/index.js';
import { createBusForTest } from './support/bus-fixture.js';
import { waitFor } from './support/conditions.js';

class Refused extends Error {}

describe('EventBus.emitAll', () => {
  it('inside a transaction writes the events to the outbox together, published after commit in the given order; an abort publishes none', async () => {
    const fixture = createTestFixture({ label: 'emit-all' });
    const consumer = await createBusForTest(fixture, { serviceName: 'notification-service', database: 'notification' });
    const producer = await createBusForTest(fixture, { serviceName: 'payment-service', database: 'payment' });
    const received: IntegrationEvent[] = [];
    consumer.bus.onPattern('*', (event) => void received.push(event));
    await consumer.bus.startListening();
    const batch = [
      { type: 'transfer.completed', tenantId: fixture.tenantId, userId: 'a', data: { n: 1 } },
      { type: 'wallet.updated', tenantId: fixture.tenantId, userId: 'a', data: { n: 2 } },
      { type: 'wallet.updated', tenantId: fixture.tenantId, userId: 'b', data: { n: 3 } },
    ];

    await expect(
      withTransaction({
        client: producer.client!,
        fn: async (session) => {
          await producer.bus.emitAll(
            batch.map((event) => ({ ...event, data: { n: -event.data.n } })),
            { session },
          );
          throw new Refused('insufficient funds');
        },
      }),
    ).rejects.toBeInstanceOf(Refused);

    const emitted = await withTransaction({ client: producer.client!, fn: (session) => producer.bus.emitAll(batch, { session }) });
    // One document for the write, its events in emit order; nothing of the aborted batch.
    const documents = await producer.db!.collection('outbox').find({}).toArray();
    expect(documents).toHaveLength(1);
    expect(documents[0]!['events'].map((entry: { event: { id: string } }) => entry.event.id)).toEqual(emitted.map((event) => event.id));

    await waitFor(() => received.length >= 3, { what: 'the three committed events' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received.map((event) => event.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(received.map((event) => event.id)).toEqual(emitted.map((event) => event.id));
  });
});
