import { describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/database/transaction.js';
import { eventBusHealthCheck } from '../../src/events/index.js';
import type { HealthCheckResult } from '../../src/lifecycle/health-checks.js';
import { createTestFixture } from '../../src/testing/index.js';
import { createBusForTest } from './support/bus-fixture.js';
import { waitFor } from './support/conditions.js';

describe('event bus health', () => {
  it('turns unhealthy while committed outbox entries are not going out, and healthy again once a relay publishes them', async () => {
    const fixture = createTestFixture({ label: 'health' });
    const { bus, client } = await createBusForTest(fixture, { serviceName: 'payment-service', outbox: { autoStart: false } });
    const check = eventBusHealthCheck(bus, { maxOutboxPendingMs: 50 });
    expect(((await check()) as HealthCheckResult).healthy).toBe(true);

    await withTransaction({ client: client!, fn: (session) => bus.emit('payout.requested', fixture.tenantId, 'u', {}, { session }) });
    const unhealthy = await waitFor(
      async () => {
        const result = (await check()) as HealthCheckResult;
        return result.healthy ? undefined : result;
      },
      { what: 'the backlog to be reported' },
    );
    expect(unhealthy.error).toMatch(/outbox entry pending/);
    expect(unhealthy.details).toMatchObject({ outboxPending: 1, relay: { running: false } });

    await bus.startRelay();
    await waitFor(async () => ((await check()) as HealthCheckResult).healthy, { what: 'the relay to drain the outbox' });
    expect(await bus.getStats()).toMatchObject({ outboxPending: 0, relay: { running: true, leader: true } });
  });

  it('reports handlers registered without listening, and the group lag', async () => {
    const fixture = createTestFixture({ label: 'healthlag' });
    const { bus } = await createBusForTest(fixture, { withMongo: false });
    bus.on('x.happened', () => undefined);
    const result = (await eventBusHealthCheck(bus)()) as HealthCheckResult;
    expect(result).toMatchObject({ healthy: false, error: 'handlers registered but not listening' });

    await bus.startListening();
    await bus.stopListening();
    await bus.emit('x.happened', fixture.tenantId, null, {});
    await bus.emit('x.happened', fixture.tenantId, null, {});
    expect(await bus.getStats()).toMatchObject({ listening: false, lag: 2, pending: 0, deadLetters: 0 });
  });
});
