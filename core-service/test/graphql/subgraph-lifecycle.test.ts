import { describe, expect, it } from 'vitest';
import { createServiceLifecycle } from '../../src/lifecycle/index.js';
import { createSubgraphServer, signUserContext } from '../../src/graphql/index.js';
import { deferred } from '../../src/testing/async.js';

const SECRET = 'lifecycle-test-secret-0123456789abcdef';

async function post(url: string, query: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signUserContext({ correlationId: 'corr-life' }, SECRET) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}

describe('subgraph server under the service lifecycle', () => {
  it('reports lifecycle health, refuses new work once shutdown begins and drains what is running', async () => {
    const entered = deferred<void>();
    const release = deferred<void>();
    let mongoHealthy = true;
    const lifecycle = createServiceLifecycle({ serviceName: 'ledger', shutdownTimeoutMs: 10_000 });
    const server = createSubgraphServer({
      name: 'ledger',
      typeDefs: 'type Query { slow: String fast: String }',
      contextSecret: SECRET,
      lifecycle,
      resolvers: {
        Query: {
          fast: () => 'fast',
          slow: async () => {
            entered.resolve();
            await release.promise;
            return 'slow';
          },
        },
      },
    });
    let url = '';
    lifecycle
      .onStart(
        'graphql',
        async () => {
          ({ url } = await server.start());
        },
        () => server.stop(),
      )
      .addHealthCheck('mongo', async () => mongoHealthy);
    await lifecycle.start();
    const origin = new URL(url).origin;

    const ready = await fetch(`${origin}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { mongo: { healthy: true } } });
    mongoHealthy = false;
    expect((await fetch(`${origin}/health/ready`)).status).toBe(503);
    const live = await fetch(`${origin}/health/live`);
    expect(await live.json()).toMatchObject({ status: 'ok', service: 'ledger', state: 'running' });

    const inFlight = post(url, '{ slow }');
    await entered.promise;
    expect(lifecycle.inFlightRequests).toBe(1);
    const shutdown = lifecycle.shutdown('test');

    const refused = await post(url, '{ fast }');
    expect(refused.status).toBe(503);
    expect(refused.body.errors[0].extensions).toMatchObject({ code: 'MSCoreServiceUnavailable', correlationId: 'corr-life' });

    release.resolve();
    expect(await inFlight).toEqual({ status: 200, body: { data: { slow: 'slow' } } });
    const report = await shutdown;
    expect(report).toMatchObject({ drained: true, abandonedRequests: 0, failed: [], timedOut: [] });
    await expect(fetch(url, { method: 'POST' })).rejects.toThrow();
  });
});
