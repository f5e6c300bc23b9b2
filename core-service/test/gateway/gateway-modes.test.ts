import { auditServer } from 'graphql-http';
import { describe, expect, it } from 'vitest';
import { STANDARD_COMPLEXITY_CONFIG } from '../../src/complexity/index.js';
import { randomBytes } from 'node:crypto';
import { createGateway, sha256Hex } from '../../src/gateway/index.js';
import { createTestFixture, getFreePort } from '../../src/testing/index.js';
import { startGatewayHarness, startSubgraphs, type SubgraphCall } from './gateway-fixture.js';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('rate limit', () => {
  it('spends each operation its cost and answers RATE_LIMITED with X-RateLimit-* headers', async () => {
    const fixture = createTestFixture();
    const h = await startGatewayHarness(fixture.redis(), fixture.brand, { rateLimit: { userLimit: 250, ipLimit: 100_000 } });
    try {
      const token = bearer(h.token('u1', fixture.tenantId));
      const query = '{ transactions(first: 100) { nodes { id } } }';
      const first = await h.post({ query }, token);
      expect(first.body.data).toBeDefined();
      expect(first.headers.get('x-ratelimit-limit')).toBe('250');
      const remaining = Number(first.headers.get('x-ratelimit-remaining'));
      expect(remaining).toBeLessThan(250 - 100);
      await h.post({ query }, token);
      const third = await h.post({ query }, token);
      expect(third.status).toBe(429);
      expect(third.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'user', limit: 250 });
      expect(third.headers.get('x-ratelimit-remaining')).not.toBeNull();
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      // A cheap operation still fits what is left; another user has a budget of their own.
      expect((await h.post({ query: '{ me { id } }' }, token)).body.data).toEqual({ me: { id: 'u1' } });
      expect((await h.post({ query }, bearer(h.token('u2', fixture.tenantId)))).body.data).toBeDefined();
    } finally {
      await h.close();
    }
  });
});

describe('rate limit windows', () => {
  it("a request the address limit refuses spends nothing of the user's budget; the script is loaded once, not sent per request", async () => {
    const fixture = createTestFixture();
    const h = await startGatewayHarness(fixture.redis(), fixture.brand, { rateLimit: { userLimit: 10_000, ipLimit: 150 } });
    try {
      const token = bearer(h.token('u1', fixture.tenantId));
      const query = '{ transactions(first: 100) { nodes { id } } }';
      const first = await h.post({ query }, token);
      expect(first.body.data).toBeDefined();
      const userKeys = async () => fixture.redis().keys(`${fixture.brand}*ratelimit:user:*`);
      const spentByUser = async () => {
        let total = 0;
        for (const key of await userKeys()) total += Number(await fixture.redis().get(key));
        return total;
      };
      const afterFirst = await spentByUser();
      expect(afterFirst).toBeGreaterThan(100);
      const refused = await h.post({ query }, token);
      expect(refused.status).toBe(429);
      expect(refused.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'ip', limit: 150 });
      expect(await spentByUser()).toBe(afterFirst);
      // EVALSHA from the second request on: the script cache holds it, and no EVAL carried it again.
      const stats = String(await fixture.redis().info('commandstats'));
      const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
      expect(calls('evalsha')).toBeGreaterThanOrEqual(1);
    } finally {
      await h.close();
    }
  });
});

describe('client address', () => {
  it('X-Forwarded-For is believed only from a proxy TRUST_PROXY names; the address reaches subgraphs signed', async () => {
    const query = '{ me { id } }';
    const untrusting = await startGatewayHarness(createTestFixture().redis(), `ip${randomBytes(3).toString('hex')}`);
    try {
      const token = bearer(untrusting.token('u1', 't1'));
      await untrusting.post({ query }, { ...token, 'x-forwarded-for': '203.0.113.9' });
      // No proxy trusted: the header is the client's own claim, and the address is the peer's.
      expect(untrusting.calls.at(-1)?.clientAddress).toBe('127.0.0.1');
    } finally {
      await untrusting.close();
    }
    const behindProxy = await startGatewayHarness(createTestFixture().redis(), `ip${randomBytes(3).toString('hex')}`, { trustProxy: 'loopback' });
    try {
      const token = bearer(behindProxy.token('u1', 't1'));
      await behindProxy.post({ query }, { ...token, 'x-forwarded-for': '198.51.100.4, 203.0.113.9' });
      // The nearest hop no trusted proxy vouches for: 203.0.113.9 (the first value is the client's own claim).
      expect(behindProxy.calls.at(-1)?.clientAddress).toBe('203.0.113.9');
    } finally {
      await behindProxy.close();
    }
  });
});

describe('resilience', () => {
  it('answers with partial data and MSCoreServiceUnavailable when a non-critical subgraph is down, then opens its breaker', async () => {
    const fixture = createTestFixture();
    const h = await startGatewayHarness(fixture.redis(), fixture.brand, { resilience: { breaker: { failureThreshold: 2, resetTimeout: 60_000 } } });
    try {
      await h.wallets.stop();
      const token = bearer(h.token('u1', fixture.tenantId));
      const query = '{ me { id displayName } wallet(currency: "EUR") { id } }';
      const first = await h.post({ query }, token);
      expect(first.body.data.me).toEqual({ id: 'u1', displayName: 'user u1' });
      expect(first.body.errors[0].extensions).toMatchObject({ code: 'MSCoreServiceUnavailable', subgraph: 'wallets', reason: 'unreachable' });
      await h.post({ query }, token);
      const third = await h.post({ query }, token);
      expect(third.body.data.me.id).toBe('u1');
      expect(third.body.errors[0].extensions).toMatchObject({ code: 'MSCoreServiceUnavailable', reason: 'circuit-open' });
      expect(h.gateway.dataSources.get('wallets')?.breaker.state).toBe('open');
      const ready = (await (await fetch(`${h.base}/health/ready`)).json()) as { checks: Record<string, unknown> };
      expect(ready.checks['wallets']).toMatchObject({ healthy: false, critical: false, details: { breaker: 'open' }, error: expect.any(String) });
    } finally {
      await h.close();
    }
  });
});

describe('what opens a subgraph breaker', () => {
  it('GraphQL errors a subgraph answers (refusals, conflicts) never open it; schema loading reaches a subgraph whose breaker is open', async () => {
    const fixture = createTestFixture();
    const h = await startGatewayHarness(fixture.redis(), fixture.brand, { resilience: { breaker: { failureThreshold: 2, resetTimeout: 60_000 } } });
    try {
      const token = bearer(h.token('u1', fixture.tenantId));
      for (let n = 0; n < 5; n += 1) {
        const refused = await h.post({ query: '{ user(id: "someone-else") { id } }' }, token);
        expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
      }
      const users = h.gateway.dataSources.get('users')!;
      expect(users.breaker.state).toBe('closed');

      // Opened by unreachability; recomposition still fetches the SDL past it.
      for (let n = 0; n < 2; n += 1) users.breaker.recordFailure(new Error('connect ECONNREFUSED'));
      expect(users.breaker.state).toBe('open');
      const answer = await users.process({ kind: 'loading schema', request: { query: '{ _service { sdl } }' }, context: {} } as never);
      expect((answer.data as { _service: { sdl: string } })._service.sdl).toContain('type Query');
      expect(users.breaker.state).toBe('open');
    } finally {
      await h.close();
    }
  });
});

describe('persisted operations', () => {
  it('warms query plans from the persisted operations, serves automatic persisted queries from Redis and, in persisted-only mode, refuses unknown documents', async () => {
    const fixture = createTestFixture();
    const known = '{ me { id } }';
    const h = await startGatewayHarness(fixture.redis(), fixture.brand, {
      persistedOperations: { operations: new Map([[sha256Hex(known), known]]), only: true },
    });
    try {
      // Warmed at start-up: the persisted query ran once (anonymously) before any client came.
      expect(h.calls).toMatchObject([{ subgraph: 'users', userId: null, tenantId: null }]);
      const token = bearer(h.token('u1', fixture.tenantId));
      const byHash = await h.post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(known) } } }, token);
      expect(byHash.body).toEqual({ data: { me: { id: 'u1' } } });
      const unknown = await h.post({ query: '{ myWallets { id } }' }, token);
      expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_ALLOWED');
      const unknownHash = await h.post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex('{ nope }') } } }, token);
      expect(unknownHash.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    } finally {
      await h.close();
    }
  });
});

describe('production defaults', () => {
  it('turns introspection and field suggestions off', async () => {
    const fixture = createTestFixture();
    const h = await startGatewayHarness(fixture.redis(), fixture.brand, { production: true });
    try {
      const introspection = await h.post({ query: '{ __schema { types { name } } }' });
      expect(introspection.body.errors[0].message).toMatch(/introspection is not allowed/i);
      const typo = await h.post({ query: '{ mee { id } }' });
      expect(typo.body.errors[0].message).not.toMatch(/Did you mean/);
    } finally {
      await h.close();
    }
  });
});

describe('cost measure-only mode', () => {
  it('lets an over-limit operation through and still exports its cost', async () => {
    const fixture = createTestFixture();
    const h = await startGatewayHarness(fixture.redis(), fixture.brand, { cost: { measureOnly: true } });
    try {
      const { body } = await h.post({ query: '{ transactions(first: 5000) { nodes { id } } }' }, bearer(h.token('u1', fixture.tenantId)));
      expect(body.data.transactions.nodes).toHaveLength(3);
      const metrics = await h.gateway.metrics.registry.getSingleMetricAsString('gateway_operation_cost');
      expect(metrics).toMatch(/gateway_operation_cost_bucket\{le="\+Inf",caller="user"\} 1/);
      expect(await h.gateway.metrics.registry.getSingleMetricAsString('gateway_rejected_operations_total')).not.toMatch(/reason="cost"/);
    } finally {
      await h.close();
    }
  });
});

describe('cost presets', () => {
  it('rejects an operation nested deeper than the caller preset allows', async () => {
    const fixture = createTestFixture();
    const h = await startGatewayHarness(fixture.redis(), fixture.brand, {
      cost: { presets: { user: { ...STANDARD_COMPLEXITY_CONFIG, maxDepth: 2 } } },
    });
    try {
      const token = bearer(h.token('u1', fixture.tenantId));
      h.calls.length = 0;
      const deep = await h.post({ query: '{ me { wallets { id } } }' }, token);
      expect(deep.body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'depth', value: 3, limit: 2 });
      expect(h.calls).toEqual([]);
      expect((await h.post({ query: '{ me { id } }' }, token)).body.data).toEqual({ me: { id: 'u1' } });
    } finally {
      await h.close();
    }
  });
});

describe('development composition', () => {
  it('composes from the running subgraphs by introspection', async () => {
    const fixture = createTestFixture();
    const h = await startGatewayHarness(fixture.redis(), fixture.brand, { introspect: true });
    try {
      const { body } = await h.post({ query: '{ me { id wallets { balance } } }' }, bearer(h.token('u1', fixture.tenantId)));
      expect(body).toEqual({ data: { me: { id: 'u1', wallets: [{ balance: 100 }] } } });
      expect(h.gateway.supergraphSchema()?.getType('Wallet')).toBeDefined();
    } finally {
      await h.close();
    }
  });
});

describe('start-up order', () => {
  it('starts before the subgraphs, is not ready meanwhile, and composes once they answer', async () => {
    const fixture = createTestFixture();
    const secret = randomBytes(32).toString('hex');
    const keys = { algorithm: 'HS256' as const, secret: randomBytes(32).toString('hex'), issuer: 'auth-service', audience: 'payment-platform' };
    const ports = { users: await getFreePort(), wallets: await getFreePort() };
    const gateway = createGateway({
      subgraphs: [
        { name: 'users', url: `http://127.0.0.1:${ports.users}/graphql` },
        { name: 'wallets', url: `http://127.0.0.1:${ports.wallets}/graphql` },
      ],
      redis: fixture.redis(),
      brand: fixture.brand,
      contextSecret: secret,
      tokenKeys: keys,
    });
    const starting = gateway.start();
    const calls: SubgraphCall[] = [];
    let subgraphs: Awaited<ReturnType<typeof startSubgraphs>> | undefined;
    try {
      expect((await gateway.readiness()).ready).toBe(false);
      subgraphs = await startSubgraphs(secret, calls, ports);
      const { url } = await starting;
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ me { id } }' }) });
      expect(await response.json()).toEqual({ data: { me: null } });
      expect((await gateway.readiness()).ready).toBe(true);
    } finally {
      await starting.catch(() => undefined);
      await gateway.stop();
      await subgraphs?.users.stop();
      await subgraphs?.wallets.stop();
    }
  });
});

describe('GraphQL over HTTP', () => {
  it('passes every graphql-http server audit, warnings included', async () => {
    const fixture = createTestFixture();
    const h = await startGatewayHarness(fixture.redis(), fixture.brand);
    try {
      const results = await auditServer({ url: h.url });
      const failures = results.filter((r) => r.status !== 'ok').map((r) => `${r.status} ${r.id}: ${r.name} — ${'reason' in r ? r.reason : ''}`);
      expect(failures).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
