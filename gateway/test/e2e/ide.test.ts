import { describe, expect, it } from 'vitest';
import { newClientAddress } from '../support/client.js';
import { sharedPlatform } from '../support/shared-platform.js';

/**
 * A developer opening the gateway in a browser gets GraphiQL, entirely from the gateway: the
 * shared platform runs in development, as `npm start` does. (Production serving nothing is
 * tested in-process: core-service/test/gateway/graphql-ide.test.ts.)
 */
const platform = sharedPlatform();

describe('GraphQL IDE in development', () => {
  it('GET /graphql from a browser returns GraphiQL whose every script and stylesheet the gateway serves', async () => {
    const response = await fetch(platform.gatewayUrl, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    // The policy is what keeps the browser from loading anything from elsewhere.
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    const html = await response.text();

    const references = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(references.length).toBeGreaterThanOrEqual(3);
    for (const reference of references) {
      // Relative to the gateway, never another host.
      expect(reference).toMatch(/^\/[^/]/);
      const asset = await fetch(new URL(reference, platform.gatewayBase));
      expect(asset.status, reference).toBe(200);
      expect(asset.headers.get('content-type'), reference).toMatch(/^text\/(javascript|css)/);
      expect((await asset.text()).length, reference).toBeGreaterThan(100);
    }
    // Monaco's workers come from here too.
    for (const worker of ['editor.worker.js', 'json.worker.js', 'graphql.worker.js']) {
      expect((await fetch(`${platform.gatewayBase}/graphql-ide/${worker}`)).status, worker).toBe(200);
    }
  });

  it('opens with the demo login as the example operation', async () => {
    const html = await (await fetch(platform.gatewayUrl, { headers: { accept: 'text/html' } })).text();
    const options = JSON.parse(/<script type="application\/json" id="graphql-ide-options">([^<]*)<\/script>/.exec(html)![1]!);
    expect(options.endpoint).toBe('/graphql');
    expect(options.defaultQuery).toContain('login(input: { tenantId: "demo", email: "alice@demo.local"');
    // The example works against this platform as written.
    const login = /login\(input: (\{[^}]*\})/.exec(options.defaultQuery)![1]!;
    const answer = await fetch(platform.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': newClientAddress() },
      body: JSON.stringify({ query: `mutation { login(input: ${login}) { user { email } } }` }),
    });
    expect(((await answer.json()) as any).data.login.user.email).toBe('alice@demo.local');
  });

  it('GraphQL clients asking for JSON still get GraphQL over GET', async () => {
    const response = await fetch(`${platform.gatewayUrl}?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json' } });
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
