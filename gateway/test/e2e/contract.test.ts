import { describe, expect, it } from 'vitest';
import { Client } from '../support/client.js';

/** The public contract as a client reads it through the gateway (shared/API.md). */
const client = new Client();

describe('the public contract through the gateway', () => {
  it("errorCodes is the union of every service's codes and the gateway's own", async () => {
    const { errorCodes } = await client.ok('{ errorCodes }');
    expect(errorCodes).toEqual(
      expect.arrayContaining([
        'MSAuthInvalidCredentials',
        'MSAuthAccountLocked', // auth-service
        'MSPaymentInsufficientBalance',
        'MSPaymentIdempotencyKeyReused',
        'MSPaymentRecipientNotFound', // payment-service
        'MSBonusTemplateNotFound', // bonus-service
        'GRAPHQL_VALIDATION_FAILED',
        'GRAPHQL_PARSE_FAILED',
        'BAD_REQUEST',
        'PERSISTED_QUERY_NOT_FOUND', // the gateway's
        'RATE_LIMITED',
        'QUERY_TOO_COMPLEX',
        'BAD_USER_INPUT',
        'UNAUTHENTICATED',
        'FORBIDDEN',
        'MSCoreServiceUnavailable',
      ]),
    );
    expect(new Set(errorCodes).size).toBe(errorCodes.length);
    // Aliased, it is the same list.
    const { codes } = await client.ok('{ codes: errorCodes }');
    expect(codes).toEqual(errorCodes);
  });

  it('introspection shows Subscription with the live fields; a subscription over plain HTTP points to the live transports', async () => {
    const { __schema } = await client.ok('{ __schema { subscriptionType { name fields { name type { kind ofType { name } } } } } }');
    const fields = Object.fromEntries(__schema.subscriptionType.fields.map((f: { name: string; type: { ofType: { name: string } } }) => [f.name, f.type.ofType.name]));
    expect(fields).toMatchObject({ walletUpdated: 'Wallet', transferStatusChanged: 'Transfer', bonusUpdated: 'UserBonus' });

    const user = await client.newUser('sub');
    const overHttp = await client.gql('subscription { walletUpdated { balance } }', {}, user.token);
    expect(overHttp.status).toBeLessThan(500);
    expect(overHttp.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_REQUEST', transports: ['/socket.io', '/graphql/stream'] });
  });

  it('introspection has depth limits too: a depth-19 __schema query is refused for a user, the standard depth passes', async () => {
    const user = await client.newUser('intro');
    let typeRef = 'name';
    for (let level = 0; level < 15; level++) typeRef = `ofType { ${typeRef} }`;
    const deep = await client.gql(`{ __schema { types { fields { type { ${typeRef} } } } } }`, {}, user.token);
    expect(deep.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'depth', limit: 15 });
    const shallow = await client.gql('{ __schema { types { name fields { name type { name ofType { name } } } } } }', {}, user.token);
    expect(shallow.errors).toBeUndefined();
  });

  it('directive overloading is refused: past the per-operation directive limit with QUERY_TOO_COMPLEX, repeated ones by validation', async () => {
    const user = await client.newUser('dir');
    const fields = Array.from({ length: 26 }, (_, i) => `f${i}: me @include(if: true) @skip(if: false) { id }`).join(' ');
    const overloaded = await client.gql(`{ ${fields} }`, {}, user.token);
    expect(overloaded.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'directives', value: 52, limit: 50 });
    const repeated = await client.gql(`{ me ${'@include(if: true) '.repeat(6)}{ id } }`, {}, user.token);
    expect(repeated.status).toBeLessThan(500);
    expect(repeated.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('policy refusals are 4xx: QUERY_TOO_COMPLEX is 400, and a batch longer than the cap is refused whole with BATCH_TOO_LARGE', async () => {
    const user = await client.newUser('policy');
    const costly = await client.gql('{ transactions(first: 5000) { nodes { id amount } } }', {}, user.token);
    expect(costly.status).toBe(400);
    expect(costly.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', measure: 'cost' });
    expect(costly.errors?.[0]?.extensions).not.toHaveProperty('http');

    const post = (operations: number) =>
      fetch(client.platform.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': client.address, authorization: `Bearer ${user.token}` },
        body: JSON.stringify(Array.from({ length: operations }, () => ({ query: '{ __typename }' }))),
      });
    const allowed = await post(10);
    expect(allowed.status).toBe(200);
    expect(((await allowed.json()) as unknown[]).length).toBe(10);
    const refused = await post(200);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { errors: Array<{ extensions: Record<string, unknown> }> }).errors[0]?.extensions).toEqual({ code: 'BATCH_TOO_LARGE', limit: 10, value: 200 });
  });
});
