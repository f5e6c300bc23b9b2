import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Client, TRANSFER } from '../support/client.js';

/**
 * A client's mistakes in variables are answered as the client's mistakes: BAD_USER_INPUT naming
 * the variable and the path, before anything is planned or sent to a subgraph, with the status
 * GraphQL over HTTP gives the response's media type, and nothing moved.
 */
const client = new Client();
const GRAPHQL_RESPONSE = 'application/graphql-response+json';

async function send(query: string, variables: Record<string, unknown>, token: string, accept: string) {
  const response = await fetch(client.platform.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${token}`, 'x-forwarded-for': client.address },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, any> }> },
  };
}

describe('variables that fail coercion', () => {
  it.each([
    ['a fractional amount', 1.5, /Amount must be a safe integer/],
    ['an unsafe integer amount', 2 ** 53, /Amount must be a safe integer/],
    ['an amount sent as a string', '10', /Amount must be a safe integer/],
  ])('%s: BAD_USER_INPUT naming $input at input.amount, 400 for graphql-response+json, 200 for json, nothing moved', async (_label, amount, reason) => {
    const alice = await client.newUser('alice');
    const bob = await client.newUser('bob');
    await client.deposit(alice.id, 5_000);
    const input = { toUserId: bob.id, amount, currency: 'EUR', idempotencyKey: `e2e-${randomUUID()}` };
    for (const [accept, status] of [
      [GRAPHQL_RESPONSE, 400],
      ['application/json', 200],
    ] as const) {
      const answer = await send(TRANSFER, { input }, alice.token, accept);
      expect(answer.status).toBe(status);
      expect(answer.contentType).toContain(accept);
      expect(answer.body.data).toBeUndefined();
      const [error] = answer.body.errors ?? [];
      expect(error?.extensions?.['code']).toBe('BAD_USER_INPUT');
      expect(error?.message).toMatch(reason);
      expect(error?.extensions?.['variables']).toEqual([expect.objectContaining({ variable: 'input', path: 'input.amount' })]);
    }
    const wallets = await client.ok('{ myWallets { balance } }', {}, alice.token);
    expect(wallets.myWallets).toEqual([{ balance: 5_000 }]);
    const bobWallets = await client.ok('{ myWallets { balance } }', {}, bob.token);
    expect(bobWallets.myWallets).toEqual([]);
  });

  it('a missing required field and an object where a string belongs are named too, never as a server error', async () => {
    const carol = await client.newUser('carol');
    const missing = await send(TRANSFER, { input: { amount: 100, currency: 'EUR', idempotencyKey: `e2e-${randomUUID()}` } }, carol.token, GRAPHQL_RESPONSE);
    expect(missing.status).toBe(400);
    expect(missing.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', variables: [expect.objectContaining({ variable: 'input' })] });
    expect(missing.body.errors?.[0]?.message).toMatch(/toUserId/);

    const injected = await send('query W($c: String!) { wallet(currency: $c) { id } }', { c: { $gt: '' } }, carol.token, GRAPHQL_RESPONSE);
    expect(injected.status).toBe(400);
    expect(injected.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', variables: [expect.objectContaining({ variable: 'c', path: 'c' })] });

    const absent = await send('query W($c: String!) { wallet(currency: $c) { id } }', {}, carol.token, 'application/json');
    expect(absent.status).toBe(200);
    expect(absent.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });
});
