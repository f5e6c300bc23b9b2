import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionCache, sessionCacheKey } from '../../src/auth/index.js';
import { getCorrelationId } from '../../src/logger/correlation.js';
import { createTestFixture } from '../../src/testing/index.js';
import { startGatewayHarness, type GatewayHarness } from './gateway-fixture.js';

const fixture = createTestFixture();
let h: GatewayHarness;

beforeAll(async () => {
  h = await startGatewayHarness(fixture.redis(), fixture.brand);
});
afterAll(async () => {
  await h.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('federation through the gateway', () => {
  it('resolves me { wallets } across two subgraphs, each call signed with the caller', async () => {
    h.calls.length = 0;
    const { status, body } = await h.post({ query: '{ me { id displayName wallets { currency balance } } }' }, bearer(h.token('u1', fixture.tenantId)));
    expect(status).toBe(200);
    expect(body).toEqual({ data: { me: { id: 'u1', displayName: 'user u1', wallets: [{ currency: 'EUR', balance: 100 }] } } });
    expect(h.calls).toMatchObject([
      { subgraph: 'users', userId: 'u1', tenantId: fixture.tenantId },
      { subgraph: 'wallets', userId: 'u1', tenantId: fixture.tenantId },
    ]);
  });

  it('gives a request one correlation id: its response header, its log lines and every subgraph call', async () => {
    const seen: Array<{ context: string; logs: string | undefined }> = [];
    const own = await startGatewayHarness(fixture.redis(), fixture.brand, {
      plugins: [{ name: 'probe', onOperation: ({ context }) => void seen.push({ context: context.correlationId, logs: getCorrelationId() }) }],
    });
    try {
      const { headers } = await own.post({ query: '{ me { id wallets { currency } } }' }, bearer(own.token('u1', fixture.tenantId)));
      const id = headers.get('x-correlation-id');
      expect(id).toMatch(/\S{8,}/);
      expect(seen).toEqual([{ context: id, logs: id }]);
      expect(own.calls.map((call) => call.correlationId)).toEqual([id, id]);
      const next = await own.post({ query: '{ me { id } }' }, bearer(own.token('u1', fixture.tenantId)));
      expect(next.headers.get('x-correlation-id')).not.toBe(id);
    } finally {
      await own.close();
    }
  });

  it('signs anonymous requests too: the subgraph sees a verified anonymous caller', async () => {
    h.calls.length = 0;
    const { body } = await h.post({ query: '{ me { id } }' });
    expect(body).toEqual({ data: { me: null } });
    expect(h.calls).toMatchObject([{ subgraph: 'users', userId: null, tenantId: null }]);
  });

  it('treats an invalid token as anonymous and an expired one as UNAUTHENTICATED', async () => {
    const invalid = await h.post({ query: '{ me { id } }' }, bearer('not-a-jwt'));
    expect(invalid.body).toEqual({ data: { me: null } });
    const expired = await h.post({ query: '{ me { id } }' }, bearer(h.token('u1', fixture.tenantId, { now: Date.now() - 3_600_000, ttlSeconds: 60 })));
    expect(expired.status).toBe(401);
    expect(expired.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' });
  });

  it('refuses a token whose session the auth-service revoked', async () => {
    const sessions = createSessionCache({ redis: fixture.redis(), brand: fixture.brand });
    await sessions.markRevoked(['s-revoked'], 900);
    const { status, body } = await h.post({ query: '{ me { id } }' }, bearer(h.token('u9', fixture.tenantId, { sid: 's-revoked' })));
    expect(status).toBe(401);
    expect(body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
  });

  it("passes the subgraph's FORBIDDEN through for another user's data", async () => {
    const { body } = await h.post({ query: '{ user(id: "someone-else") { id } }' }, bearer(h.token('u1', fixture.tenantId)));
    expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});

describe('revocation while a session is believed (the short cache of the per-request check)', () => {
  const TTL_MS = 400;
  let own: GatewayHarness;
  beforeAll(async () => {
    own = await startGatewayHarness(fixture.redis(), fixture.brand, { revocationCheckCacheMs: TTL_MS });
  });
  afterAll(async () => {
    await own.close();
  });
  const me = (sid: string) => own.post({ query: '{ me { id } }' }, { authorization: `Bearer ${own.token('u1', fixture.tenantId, { sid })}` });

  it('refuses the next request of a session revoked right after it was believed, once the revocation is announced', async () => {
    expect((await me('s-announced')).status).toBe(200);
    const revokedAt = Date.now();
    await createSessionCache({ redis: fixture.redis(), brand: fixture.brand }).markRevoked(['s-announced'], 900);
    let response = await me('s-announced');
    // Pub/sub arrives within milliseconds; well before the cache's own expiry.
    while (response.status === 200 && Date.now() - revokedAt < TTL_MS / 2) response = await me('s-announced');
    expect(response.status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(TTL_MS);
    expect(response.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
  });

  it('refuses a session whose revocation was never announced once the cache entry expires', async () => {
    expect((await me('s-silent')).status).toBe(200);
    // Written as a lost announcement would leave it: the key, no message.
    await fixture.redis().set(sessionCacheKey('s-silent', fixture.brand), 'revoked', 'EX', 900);
    await new Promise((resolve) => setTimeout(resolve, TTL_MS + 50));
    const { status, body } = await me('s-silent');
    expect(status).toBe(401);
    expect(body.errors[0].extensions).toMatchObject({ reason: 'SESSION_REVOKED' });
  });
});

describe('cost limits', () => {
  it('rejects a too costly page with QUERY_TOO_COMPLEX carrying cost and limit, before any subgraph call', async () => {
    h.calls.length = 0;
    const query = 'query Page($n: Int) { transactions(first: $n) { nodes { id amount } edges { cursor node { id } } } }';
    const { body } = await h.post({ query, variables: { n: 500 } }, bearer(h.token('u1', fixture.tenantId)));
    expect(body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'cost', limit: 1000 });
    expect(body.errors[0].extensions.value).toBeGreaterThan(1000);
    expect(h.calls).toEqual([]);
    // The same document with a small page goes through: variables count.
    const small = await h.post({ query, variables: { n: 2 } }, bearer(h.token('u1', fixture.tenantId)));
    expect(small.body.data.transactions.nodes).toHaveLength(2);
  });

  it('holds anonymous callers to the STRICT preset and admins to RELAXED', async () => {
    const query = '{ transactions(first: 600) { nodes { id } } }';
    const anonymous = await h.post({ query });
    expect(anonymous.body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 500 });
    const admin = await h.post({ query: '{ transactions(first: 1000) { nodes { id } } }' }, bearer(h.token('a1', fixture.tenantId, { roles: ['admin'] })));
    expect(admin.body.data.transactions.nodes).toHaveLength(3);
  });

  it('rejects too deep and too aliased operations', async () => {
    const token = bearer(h.token('u1', fixture.tenantId));
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: me { id }`).join(' ');
    const aliased = await h.post({ query: `{ ${aliases} }` }, token);
    expect(aliased.body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'aliases', value: 40 });
    const deep = await h.post({ query: '{ transactions { edges { node { id } } pageInfo { endCursor } } me { wallets { id } } }' }, token);
    expect(deep.body.data).toBeDefined();
    const anonymousDeep = await h.post({ query: '{ me { wallets { id } } transactions { edges { node { id } } } }' });
    expect(anonymousDeep.body.data ?? null).not.toBeNull();
  });

  it('counts a batched request as the sum of its operations', async () => {
    const query = '{ transactions(first: 400) { nodes { id } } }';
    const batch = await h.post([{ query }, { query }, { query }], bearer(h.token('u1', fixture.tenantId)));
    expect(Array.isArray(batch.body)).toBe(true);
    const codes = (batch.body as Array<{ data?: unknown; errors?: Array<{ extensions: { code: string } }> }>).map((r) => r.errors?.[0]?.extensions.code ?? 'ok');
    // Each operation alone fits the user preset; their running total passes the limit on the third.
    expect(codes.slice(0, 2)).toEqual(['ok', 'ok']);
    expect(codes[2]).toBe('QUERY_TOO_COMPLEX');
  });
});

describe('security defaults', () => {
  it('sets helmet-style headers and a rate-limit budget on responses', async () => {
    const { headers } = await h.post({ query: '{ me { id } }' });
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('x-frame-options')).toBe('DENY');
    expect(headers.get('x-ratelimit-limit')).toBe('10000');
    expect(Number(headers.get('x-ratelimit-remaining'))).toBeLessThan(10000);
  });

  it('refuses a body over the size limit with 413', async () => {
    const { status } = await h.post({ query: `{ me { id } } # ${'x'.repeat(200 * 1024)}` });
    expect(status).toBe(413);
  });

  it('refuses a simple (non-preflighted) request that carries cookies (CSRF prevention)', async () => {
    const url = `${h.url}?query=${encodeURIComponent('{ me { id } }')}`;
    const withCookie = await fetch(url, { headers: { cookie: 'session=abc' } });
    expect(withCookie.status).toBe(400);
    // Without cookies a simple request carries no ambient authority (tokens travel in a header
    // a cross-site page cannot set), so plain GETs work, as GraphQL over HTTP expects.
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url, { headers: { cookie: 'session=abc', 'apollo-require-preflight': 'true' } })).status).toBe(200);
  });

  it('answers CORS preflights only for allowed origins', async () => {
    const response = await fetch(h.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('health and metrics', () => {
  it('is ready when subgraphs and Redis are, and exports request counts and costs', async () => {
    const ready = await fetch(`${h.base}/health/ready`);
    const report = (await ready.json()) as { status: string; checks: Record<string, unknown> };
    expect(ready.status).toBe(200);
    expect(report.status).toBe('ready');
    expect(report.checks).toMatchObject({
      redis: { healthy: true, critical: false },
      supergraph: { healthy: true, critical: true },
      live: { healthy: true },
      users: { healthy: true, critical: true, details: { breaker: 'closed' } },
    });
    const metrics = await (await fetch(`${h.base}/metrics`)).text();
    expect(metrics).toMatch(/gateway_graphql_requests_total\{operation="query",outcome="ok"\} \d+/);
    expect(metrics).toMatch(/gateway_operation_cost_count\{caller="user"\} \d+/);
    expect(metrics).toMatch(/gateway_rejected_operations_total\{reason="cost"\} \d+/);
  });
});
