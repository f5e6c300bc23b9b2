import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolverBuilder, createSubgraphServer, createValidationChain, signUserContext, type SubgraphContext, type SubgraphServer } from '../../src/graphql/index.js';

const SECRET = 'resolver-builder-secret-0123456789abcdef';

const typeDefs = /* GraphQL */ `
  type Query { health: Health! wallet(id: ID!): Wallet ping: String! }
  type Mutation { assignRole(input: AssignRoleInput!): [String!]! }
  input AssignRoleInput { userId: ID! roles: [String!] }
  type Health { status: String! }
  type Wallet { id: ID! label: String! }
`;

const adminOnly = createValidationChain({ can: (user) => user.roles.includes('admin') })
  .requireAuth()
  .extractInput()
  .requirePermission('user', 'update', '*')
  .requireFields(['userId', 'roles'], 'input')
  .build();

const authService = {
  name: 'auth',
  resolvers: { Query: { ping: () => 'pong' } },
};

const resolvers = createResolverBuilder<SubgraphContext>()
  .addQuery('health', () => ({ status: 'ok' }))
  .addQuery('wallet', (args: { id: string }) => ({ id: args.id }))
  .addType('Wallet', { label: (wallet: { id: string }) => `wallet ${wallet.id}` })
  .addMutation('assignRole', (args: { input: { roles: string[] } }) => args.input.roles, { validation: adminOnly })
  .addService(authService)
  .build();

let server: SubgraphServer;
let url: string;

beforeAll(async () => {
  server = createSubgraphServer({ name: 'builder-test', typeDefs, resolvers, contextSecret: SECRET });
  ({ url } = await server.start());
});
afterAll(() => server.stop());

async function call(query: string, roles: string[] | null, variables: Record<string, unknown> = {}) {
  const headers = signUserContext({ ...(roles ? { sub: 'u-1', tid: 't-1' } : {}), roles: roles ?? [], correlationId: 'corr-builder' }, SECRET);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

describe('createResolverBuilder', () => {
  it('serves queries, type fields and a merged service module', async () => {
    const { data } = await call('{ health { status } wallet(id: "w-1") { id label } ping }', ['user']);
    expect(data).toEqual({ health: { status: 'ok' }, wallet: { id: 'w-1', label: 'wallet w-1' }, ping: 'pong' });
  });

  it('runs the validation chain before a mutation', async () => {
    const mutation = 'mutation($i: AssignRoleInput!) { assignRole(input: $i) }';
    const forbidden = await call(mutation, ['user'], { i: { userId: 'u-2', roles: ['support'] } });
    expect(forbidden.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', correlationId: 'corr-builder' });

    const anonymous = await call(mutation, null, { i: { userId: 'u-2', roles: ['support'] } });
    expect(anonymous.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');

    const missing = await call(mutation, ['admin'], { i: { userId: 'u-2' } });
    expect(missing.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ path: 'roles', code: 'required' }] });

    const done = await call(mutation, ['admin'], { i: { userId: 'u-2', roles: ['support'] } });
    expect(done).toEqual({ data: { assignRole: ['support'] } });
  });

  it('refuses a field defined twice instead of letting the later one win', () => {
    const builder = createResolverBuilder().addQuery('health', () => 'a');
    expect(() => builder.addService({ Query: { health: () => 'b' } })).toThrow(/Query\.health is defined twice/);
  });
});
