import { afterEach, describe, expect, it } from 'vitest';
import { createTestFixture } from '../../src/testing/index.js';
import { startGatewayHarness, type GatewayHarness } from './gateway-fixture.js';

const fixture = createTestFixture();
let h: GatewayHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const browserGet = (url: string) => fetch(url, { headers: { accept: 'text/html,application/xhtml+xml' } });

describe('GraphQL IDE', () => {
  it('is served to browsers in development, with its bundle from the gateway itself', async () => {
    h = await startGatewayHarness(fixture.redis(), fixture.brand);
    const page = await browserGet(h.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/graphql-ide/graphiql.js');
    const bundle = await fetch(`${h.base}/graphql-ide/graphiql.js`);
    expect(bundle.status).toBe(200);
    expect(await bundle.text()).toContain('renderYogaGraphiQL');
  });

  it('is not served in production: no page, no bundle', async () => {
    h = await startGatewayHarness(fixture.redis(), fixture.brand, { production: true, graphqlIde: { title: 'asked for anyway' } });
    const page = await browserGet(h.url);
    expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect(await page.text()).not.toContain('graphql-ide');
    expect((await fetch(`${h.base}/graphql-ide/graphiql.js`)).status).toBe(404);
  });

  it('can be turned off in development', async () => {
    h = await startGatewayHarness(fixture.redis(), fixture.brand, { graphqlIde: false });
    expect((await browserGet(h.url)).headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect((await fetch(`${h.base}/graphql-ide/start.js`)).status).toBe(404);
  });
});
