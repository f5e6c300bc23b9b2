import { afterEach, describe, expect, it } from 'vitest';
import { emit, initializeEvents, on, onPattern, shutdownEvents, startListening, type IntegrationEvent } from '../../src/events/index.js';
import { createTestFixture } from '../../src/testing/index.js';
import { FAST_BUS_TIMINGS } from './support/bus-fixture.js';
import { waitFor } from './support/conditions.js';

afterEach(() => shutdownEvents());

describe("the brief's free functions (emit, on, onPattern, startListening)", () => {
  it('work on the process bus set up by initializeEvents', async () => {
    const fixture = createTestFixture({ label: 'freefns' });
    const client = await fixture.mongoClient();
    initializeEvents({
      serviceName: 'notification-service',
      streamKey: fixture.key('events'),
      redis: fixture.redis(),
      mongo: { client, db: client.db(fixture.dbName('notification')) },
      ...FAST_BUS_TIMINGS,
    });
    const exact: IntegrationEvent[] = [];
    const pattern: string[] = [];
    on<{ paymentId: string }>('payment.completed', (event) => void exact.push(event));
    onPattern('payment.*', (event) => void pattern.push(event.type));
    await startListening();

    const event = await emit('payment.completed', fixture.tenantId, 'user-1', { paymentId: 'p-1' });
    await emit('payment.failed', fixture.tenantId, 'user-1', { paymentId: 'p-2' });
    await waitFor(() => exact.length === 1 && pattern.length === 2, { what: 'both handlers' });
    expect(exact[0]).toMatchObject({ id: event.id, data: { paymentId: 'p-1' } });
    expect(pattern).toEqual(['payment.completed', 'payment.failed']);
  });

  it('refuse to run before initializeEvents, and refuse a second initialisation', async () => {
    expect(() => on('x.y', () => undefined)).toThrow(/initializeEvents/);
    const fixture = createTestFixture({ label: 'twice' });
    initializeEvents({ serviceName: 'a', redis: fixture.redis(), streamKey: fixture.key('events') });
    expect(() => initializeEvents({ serviceName: 'b', redis: fixture.redis() })).toThrow(/already initialised/);
  });
});
