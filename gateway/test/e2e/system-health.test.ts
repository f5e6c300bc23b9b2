import { describe, expect, it } from 'vitest';
import { waitFor } from 'core-service/testing';
import { Client } from '../support/client.js';

/**
 * `systemHealth` through the gateway, against the platform as `npm start` runs it: every process
 * (the gateway and each subgraph) reports itself through Redis, and auth-service answers with all
 * of them.
 */
const client = new Client();

const HEALTH = `query Health { systemHealth {
  status problems checkedAt
  services {
    name status readyInstances
    instances { id ready stale state startedAt reportedAt checks { name ok critical latencyMs error } breakers { name state } }
    outbox { pending oldestPendingAgeSeconds }
    events { lag pending deadLetters }
    queues { name waiting active delayed prioritized failed }
  }
} }`;

const SERVICES = ['gateway', 'auth-service', 'payment-service', 'bonus-service', 'notification-service'];

describe('systemHealth through the gateway', () => {
  it('shows every service of the platform, ready, with its checks, breakers, queues and outbox', async () => {
    const admin = await client.admin();
    // Each process reports at start and every 5 s: all five are there once the platform is up.
    // The wait asks only for the names (a cheap query: rate limits count cost), then the whole
    // answer is read once.
    await waitFor(
      async () => {
        const names = (await client.ok('{ systemHealth { services { name } } }', {}, admin)).systemHealth.services.map((service: { name: string }) => service.name);
        return SERVICES.every((name) => names.includes(name)) || undefined;
      },
      { what: 'every service to report', timeoutMs: 20_000, intervalMs: 500 },
    );
    const health = (await client.ok(HEALTH, {}, admin)).systemHealth;
    expect(health.status).toMatch(/^(OK|DEGRADED)$/);
    expect(Date.parse(health.checkedAt)).toBeGreaterThan(Date.now() - 60_000);
    const byName = new Map(health.services.map((service: any) => [service.name, service]));

    for (const name of SERVICES) {
      const service = byName.get(name) as any;
      expect(service.status, `${name}: ${health.problems.join('; ')}`).not.toBe('DOWN');
      expect(service.readyInstances).toBeGreaterThanOrEqual(1);
      const live = service.instances.find((instance: any) => !instance.stale && instance.ready);
      expect(live).toMatchObject({ state: 'running', id: expect.stringMatching(/:\d+$/) });
      expect(Date.parse(live.reportedAt)).toBeGreaterThanOrEqual(Date.parse(live.startedAt));
    }

    // Subgraphs: MongoDB is the critical check; Redis and the event bus are reported.
    const payment = byName.get('payment-service') as any;
    const checks = Object.fromEntries(payment.instances[0].checks.map((check: any) => [check.name, check]));
    expect(checks).toMatchObject({ mongo: { ok: true, critical: true }, redis: { ok: true, critical: false }, events: { critical: false } });
    expect(payment.outbox).toMatchObject({ pending: expect.any(Number), oldestPendingAgeSeconds: expect.any(Number) });
    expect(payment.events).toMatchObject({ deadLetters: expect.any(Number) });
    expect(payment.queues.map((queue: any) => queue.name).length).toBeGreaterThan(0);
    expect(payment.instances[0].breakers).toContainEqual({ name: 'cache:balances', state: 'CLOSED' });

    // The gateway: a probe and a breaker per subgraph.
    const gateway = byName.get('gateway') as any;
    const gatewayChecks = gateway.instances[0].checks.map((check: any) => check.name);
    expect(gatewayChecks).toEqual(expect.arrayContaining(['supergraph', 'live', 'redis', 'auth', 'payment', 'bonus', 'notification']));
    expect(gateway.instances[0].breakers.map((breaker: any) => breaker.name)).toEqual(expect.arrayContaining(['auth', 'payment']));
    expect(gateway.outbox).toBeNull();
  });

  it('is for admins only', async () => {
    const user = await client.newUser('health');
    const status = '{ systemHealth { status problems } }';
    expect((await client.gql(status, {}, user.token)).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect((await client.gql(status, {})).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});
