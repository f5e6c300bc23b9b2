import { describe, expect, it } from 'vitest';
import { startPayment } from './helpers.js';

describe('payment-service lifecycle', () => {
  it('/health/ready reports MongoDB, Redis and the event bus with its outbox lag and relay', async () => {
    const payment = await startPayment();
    const response = await fetch(new URL('/health/ready', payment.url));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; checks: Record<string, { healthy: boolean; details?: Record<string, unknown> }> };
    expect(body.status).toBe('ready');
    expect(body.checks['mongo']?.healthy).toBe(true);
    expect(body.checks['redis']?.healthy).toBe(true);
    // The relay runs from boot, not from the first emit (a crashed predecessor's entries go out).
    expect(body.checks['events']?.details).toMatchObject({ relay: { running: true }, outboxPending: 0, oldestOutboxPendingMs: 0 });
  });

  it('stop() closes the server after the lifecycle drained it: no new connection is accepted', async () => {
    const payment = await startPayment();
    const caller = payment.user();
    expect((await payment.graphql(caller, '{ myWallets { id } }')).errors).toBeUndefined();
    await payment.service.stop();
    // The server is closed: a new connection is refused outright, which a gateway treats as down.
    await expect(fetch(new URL('/health/ready', payment.url))).rejects.toThrow();
  });
});
