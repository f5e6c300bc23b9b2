import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE_ERRORS } from '../../src/errors/core-errors.js';
import { GraphQLError } from '../../src/errors/graphql-error.js';
import { registerServiceErrorCodes } from '../../src/errors/registry.js';
import { getCorrelationId } from '../../src/logger/correlation.js';
import { configureLogger } from '../../src/logger/logger.js';
import { deferred } from '../../src/testing/async.js';
import { createSubgraphServer, FEDERATION_SPEC_URL, signUserContext, type SubgraphContext, type SubgraphServer } from '../../src/graphql/index.js';

const SECRET = 'subgraph-test-secret-0123456789abcdef';
const logLines: Record<string, unknown>[] = [];
configureLogger({ level: 'debug', destination: { write: (line: string) => void logLines.push(JSON.parse(line)) } });

const TEST_ERRORS = { WidgetJammed: 'MSTestWidgetJammed' } as const;
registerServiceErrorCodes(TEST_ERRORS);

const typeDefs = /* GraphQL */ `
  extend schema @link(url: "${FEDERATION_SPEC_URL}", import: ["@key"])
  type Query {
    me: Me
    echoAmount(amount: Amount!): Amount!
    badAmount: Amount!
    epoch: DateTime!
    meta: JSON
    boom: String
    jammed: String
    slow: String
    traced: String!
    errorCodes: [String!]!
  }
  type Me { id: ID! tenantId: ID roles: [String!]! permissions: [String!]! correlationId: String! region: String! }
  type Wallet @key(fields: "id") { id: ID! balance: Amount! }
`;

interface Extra {
  region: string;
}

let slowEntered = deferred<void>();
let releaseSlow = deferred<void>();
let ready = true;

function createServer(): SubgraphServer {
  return createSubgraphServer<Extra>({
    name: 'test-subgraph',
    typeDefs,
    contextSecret: SECRET,
    context: () => ({ region: 'eu-west' }),
    readiness: () => (ready ? { ready: true, checks: { mongo: 'ok' } } : { ready: false, checks: { mongo: 'down' } }),
    resolvers: {
      Query: {
        me: (_: unknown, __: unknown, ctx: SubgraphContext & Extra) => ctx.user && { ...ctx.user, correlationId: ctx.correlationId, region: ctx.region },
        echoAmount: (_: unknown, args: { amount: number }) => args.amount,
        badAmount: () => 1.5,
        epoch: () => new Date(0),
        meta: () => ({ nested: [1, 'two', null] }),
        boom: () => {
          throw new Error('connection string mongodb://admin:hunter2@db leaked');
        },
        jammed: () => {
          throw new GraphQLError(TEST_ERRORS.WidgetJammed, { widgetId: 'w-7' });
        },
        traced: async (_: unknown, __: unknown, ctx: SubgraphContext) => {
          // Read after an await, from AsyncLocalStorage rather than the context object.
          await new Promise<void>((resolve) => setImmediate(resolve));
          ctx.logger.info('traced resolver ran');
          return getCorrelationId() ?? 'none';
        },
        slow: async () => {
          slowEntered.resolve();
          await releaseSlow.promise;
          return 'done';
        },
      },
      Wallet: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id, balance: 4200 }),
      },
    },
  });
}

let server: SubgraphServer;
let url: string;
let origin: string;

beforeAll(async () => {
  server = createServer();
  ({ url } = await server.start());
  origin = new URL(url).origin;
});

afterAll(async () => {
  await server.stop();
});

function signedHeaders(claims: Partial<Parameters<typeof signUserContext>[0]> = {}, secret = SECRET, now?: number) {
  return signUserContext(
    {
      sub: 'user-1',
      tid: 'tenant-1',
      roles: ['user'],
      permissions: ['wallet:read:own'],
      sid: 'session-1',
      correlationId: 'corr-test-1',
      ...claims,
    },
    secret,
    now,
  );
}

async function graphql(
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = signedHeaders(),
): Promise<{ status: number; headers: Headers; body: { data?: any; errors?: any[] } }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as never };
}

describe('gateway context', () => {
  it('rejects a request without the signed context with 401 UNAUTHENTICATED', async () => {
    const { status, body } = await graphql('{ me { id } }', {}, {});
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.data).toBeUndefined();
  });

  it('rejects a context signed with another secret', async () => {
    const headers = signedHeaders({}, 'another-secret-of-sufficient-length-000');
    const { status, body } = await graphql('{ me { id } }', {}, headers);
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('rejects claims edited after signing', async () => {
    const genuine = signedHeaders({ roles: ['user'] });
    const forged = signedHeaders({ roles: ['admin'] });
    const { status } = await graphql(
      '{ me { id } }',
      {},
      {
        'x-user-context': forged['x-user-context'],
        'x-user-context-signature': genuine['x-user-context-signature'],
      },
    );
    expect(status).toBe(401);
  });

  it('rejects a signature older than the replay window', async () => {
    const headers = signedHeaders({}, SECRET, Date.now() - 5 * 60_000);
    const { status, body } = await graphql('{ me { id } }', {}, headers);
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    const warning = logLines.find((line) => line['reason'] === 'expired');
    expect(warning).toBeDefined();
    expect(JSON.stringify(logLines)).not.toContain(SECRET);
  });

  it('passes a signed request and hands the resolver the user, tenant and correlation id', async () => {
    const { status, headers, body } = await graphql('{ me { id tenantId roles permissions correlationId region } }');
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.me).toEqual({
      id: 'user-1',
      tenantId: 'tenant-1',
      roles: ['user'],
      permissions: ['wallet:read:own'],
      correlationId: 'corr-test-1',
      region: 'eu-west',
    });
    expect(headers.get('x-correlation-id')).toBe('corr-test-1');
  });

  it('runs the resolver inside the correlation id, so logs and async code see it', async () => {
    const { body } = await graphql('{ traced }', {}, signedHeaders({ correlationId: 'corr-als' }));
    expect(body.data.traced).toBe('corr-als');
    const line = logLines.find((entry) => entry['msg'] === 'traced resolver ran');
    expect(line).toMatchObject({ correlationId: 'corr-als', service: 'test-subgraph', tenantId: 'tenant-1', userId: 'user-1' });
  });

  it('represents an anonymous caller as a signed context without sub', async () => {
    const { status, body } = await graphql('{ me { id } }', {}, signedHeaders({ sub: undefined }));
    expect(status).toBe(200);
    expect(body.data.me).toBeNull();
  });
});

describe('Amount scalar', () => {
  it('round-trips a safe integer', async () => {
    const { body } = await graphql('query($a: Amount!) { echoAmount(amount: $a) }', { a: 150_000 });
    expect(body.data.echoAmount).toBe(150_000);
  });

  it.each([
    ['a float literal', '{ echoAmount(amount: 1.5) }', {}],
    ['an unsafe integer literal', `{ echoAmount(amount: ${2 ** 53}) }`, {}],
    ['a string literal', '{ echoAmount(amount: "10") }', {}],
    ['a float variable', 'query($a: Amount!) { echoAmount(amount: $a) }', { a: 1.5 }],
    ['an unsafe integer variable', 'query($a: Amount!) { echoAmount(amount: $a) }', { a: 2 ** 53 }],
    ['a string variable', 'query($a: Amount!) { echoAmount(amount: $a) }', { a: '10' }],
  ])('rejects %s with BAD_USER_INPUT', async (_label, query, variables) => {
    const { status, body } = await graphql(query, variables);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', correlationId: 'corr-test-1' });
    expect(body.errors?.[0].message).toMatch(/Amount/);
  });

  it('refuses to send a float from a resolver, as a masked internal error', async () => {
    const { body } = await graphql('{ badAmount }');
    expect(body.errors?.[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('serialises DateTime as ISO-8601 and JSON as is', async () => {
    const { body } = await graphql('{ epoch meta }');
    expect(body.data).toEqual({ epoch: '1970-01-01T00:00:00.000Z', meta: { nested: [1, 'two', null] } });
  });
});

describe('errors', () => {
  it('keeps a registered code and its extensions, adding the correlation id', async () => {
    const { body } = await graphql('{ jammed }');
    expect(body.errors?.[0].extensions).toEqual({ code: 'MSTestWidgetJammed', widgetId: 'w-7', correlationId: 'corr-test-1' });
  });

  it('masks an internal error for the client and logs it whole with the correlation id', async () => {
    const { body } = await graphql('{ boom }', {}, signedHeaders({ correlationId: 'corr-boom' }));
    const [error] = body.errors ?? [];
    expect(error.message).toBe('Internal server error');
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', correlationId: 'corr-boom' });
    expect(JSON.stringify(body)).not.toContain('hunter2');
    const logged = logLines.find((line) => line['correlationId'] === 'corr-boom' && line['level'] === 50);
    expect(JSON.stringify(logged)).toContain('hunter2');
  });

  it('reports query mistakes as they are, not masked', async () => {
    const { status, body } = await graphql('{ nope }');
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors?.[0].message).toMatch(/nope/);
    const syntax = await graphql('{ me { ');
    expect(syntax.body.errors?.[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('lists registered error codes through errorCodes', async () => {
    const { body } = await graphql('{ errorCodes }');
    expect(body.data.errorCodes).toEqual(expect.arrayContaining(['MSTestWidgetJammed', ...Object.values(CORE_ERRORS)]));
  });
});

describe('federation', () => {
  it('serves its SDL through _service', async () => {
    const { body } = await graphql('{ _service { sdl } }');
    expect(body.data._service.sdl).toContain('type Wallet');
    expect(body.data._service.sdl).toMatch(/@key\(fields: "id"\)/);
    expect(body.data._service.sdl).toContain('scalar Amount');
  });

  it('resolves entities through _entities', async () => {
    const { body } = await graphql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Wallet { id balance } } }', {
      r: [
        { __typename: 'Wallet', id: 'w-1' },
        { __typename: 'Wallet', id: 'w-2' },
      ],
    });
    expect(body.data._entities).toEqual([
      { id: 'w-1', balance: 4200 },
      { id: 'w-2', balance: 4200 },
    ]);
  });
});

describe('http surface', () => {
  it('answers liveness without a gateway context', async () => {
    const response = await fetch(`${origin}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', service: 'test-subgraph' });
  });

  it('answers readiness from the readiness callback', async () => {
    const up = await fetch(`${origin}/health/ready`);
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ status: 'ready', checks: { mongo: 'ok' } });
    ready = false;
    try {
      const down = await fetch(`${origin}/health/ready`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ status: 'not-ready', checks: { mongo: 'down' } });
    } finally {
      ready = true;
    }
  });

  it('refuses a body over the size limit with 413', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedHeaders() },
      body: JSON.stringify({ query: `{ me { id } } # ${'x'.repeat(2 * 1024 * 1024)}` }),
    });
    expect(response.status).toBe(413);
  });

  it('answers 404 off the known routes', async () => {
    expect((await fetch(`${origin}/elsewhere`)).status).toBe(404);
  });
});

describe('graceful shutdown', () => {
  it('finishes an in-flight request, then stops accepting', async () => {
    const own = createServer();
    const { url: ownUrl } = await own.start();
    slowEntered = deferred<void>();
    releaseSlow = deferred<void>();
    const inFlight = fetch(ownUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedHeaders() },
      body: JSON.stringify({ query: '{ slow }' }),
    });
    await slowEntered.promise;
    const stopped = own.stop();
    const readiness = await fetch(`${new URL(ownUrl).origin}/health/ready`).catch(() => undefined);
    // Either the listener is already closed or it reports that it is stopping.
    if (readiness) expect(readiness.status).toBe(503);
    releaseSlow.resolve();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { slow: 'done' } });
    await stopped;
    await expect(fetch(ownUrl, { method: 'POST' })).rejects.toThrow();
  });

  it('refuses to start without a context secret', () => {
    const previous = process.env['INTERNAL_CONTEXT_SECRET'];
    delete process.env['INTERNAL_CONTEXT_SECRET'];
    try {
      expect(() => createSubgraphServer({ name: 'x', typeDefs: 'type Query { a: Int }', resolvers: {} })).toThrow(/INTERNAL_CONTEXT_SECRET/);
    } finally {
      if (previous !== undefined) process.env['INTERNAL_CONTEXT_SECRET'] = previous;
    }
    expect(() => createSubgraphServer({ name: 'x', typeDefs: 'type Query { a: Int }', resolvers: {}, contextSecret: 'too-short' })).toThrow(/at least 32 characters/);
  });
});
