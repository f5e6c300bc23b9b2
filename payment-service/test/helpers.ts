import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { onTestFinished } from 'vitest';
import { signUserContext } from 'core-service';
import { createTestFixture, type TestFixture } from 'core-service/testing';
import { createPaymentService, type PaymentService, type PaymentServiceOptions } from '../src/service.js';
import type { ProjectedStatus, UserFact } from '../src/domain/user-projection.js';

let lastFactAt = 0;

export const CONTEXT_SECRET = randomBytes(32).toString('hex');

/** Permissions as the auth-service's default roles put them in tokens. */
export const ROLE_PERMISSIONS = {
  user: ['wallet:read:own', 'transfer:create:own', 'transfer:read:own', 'transaction:read:own', 'withdrawal:create:own'],
  support: ['wallet:read:tenant', 'transfer:read:tenant', 'transaction:read:tenant'],
  admin: ['wallet:read:tenant', 'transfer:read:tenant', 'transaction:read:tenant', 'deposit:create:tenant', 'reconciliation:read:tenant', 'webhook:manage:tenant', 'user-projection:rebuild:tenant'],
} as const;

export interface Caller {
  id: string;
  tenantId: string;
  roles: (keyof typeof ROLE_PERMISSIONS)[];
}

export interface RunningPayment {
  fixture: TestFixture;
  service: PaymentService;
  url: string;
  graphql<T = Record<string, unknown>>(
    caller: Caller | null,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  /** A new user of the fixture's tenant, known to the users projection before the next request. */
  user(id?: string): Caller;
  admin(id?: string): Caller;
  /** Tells the projection what auth-service would: the caller registered (or changed status) now. */
  project(caller: Caller, status?: ProjectedStatus): Promise<void>;
}

/** A payment-service on its own fixture (database, Redis prefix, tenant), stopped after the test. */
export async function startPayment(overrides: Partial<PaymentServiceOptions> = {}, fixture: TestFixture = createTestFixture({ label: 'pay' })): Promise<RunningPayment> {
  const client = await fixture.mongoClient();
  const service = createPaymentService({
    client,
    db: await fixture.db('payment'),
    coreDb: await fixture.db('core_service'),
    redis: fixture.redis(),
    streamKey: fixture.key('events'),
    keyPrefix: fixture.brand,
    port: 0,
    contextSecret: CONTEXT_SECRET,
    fundingShards: 4,
    allowPrivateWebhooks: true,
    // Scheduled runs are off unless a test asks for them; tests call reconcile directly.
    reconciliationEveryMs: 0,
    ...overrides,
  });
  const { url } = await service.start();
  onTestFinished(() => service.stop());
  // Applied through the projection's own code (the store), as the user events would be; the
  // stream path itself is covered by test/users-projection.test.ts.
  const project = async (who: Caller, status: ProjectedStatus = 'active'): Promise<void> => {
    const waiting = unprojected.indexOf(who);
    if (waiting >= 0) unprojected.splice(waiting, 1);
    // Strictly increasing: two facts in one millisecond must still apply in order.
    lastFactAt = Math.max(Date.now(), lastFactAt + 1);
    const fact: UserFact =
      status === 'active'
        ? { kind: 'registered', tenantId: who.tenantId, userId: who.id, at: lastFactAt, email: `${who.id}@pay.test`, displayName: who.id, status }
        : { kind: 'status', tenantId: who.tenantId, userId: who.id, at: lastFactAt, status };
    await service.deps.projection.apply(fact);
  };
  const unprojected: Caller[] = [];
  const caller =
    (roles: Caller['roles']) =>
    (id = `u-${randomUUID().slice(0, 8)}`): Caller => {
      const created: Caller = { id, tenantId: fixture.tenantId, roles };
      unprojected.push(created);
      return created;
    };
  return {
    fixture,
    service,
    url,
    user: caller(['user']),
    admin: caller(['admin', 'user']),
    project,
    async graphql(caller, query, variables) {
      for (const pending of unprojected.splice(0)) await project(pending);
      const headers = signUserContext(
        caller === null
          ? { correlationId: randomUUID() }
          : { sub: caller.id, tid: caller.tenantId, roles: caller.roles, permissions: caller.roles.flatMap((role) => [...ROLE_PERMISSIONS[role]]), correlationId: randomUUID() },
        CONTEXT_SECRET,
      );
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as never;
    },
  };
}

/** A payout API that records what it receives and answers as told. */
export async function startPayoutApi(
  answer: (body: Record<string, unknown>, idempotencyKey: string) => { status: number; body: unknown },
): Promise<{ url: string; requests: { body: Record<string, unknown>; idempotencyKey: string }[] }> {
  const requests: { body: Record<string, unknown>; idempotencyKey: string }[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      const idempotencyKey = String(req.headers['idempotency-key'] ?? '');
      requests.push({ body, idempotencyKey });
      const reply = answer(body, idempotencyKey);
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests };
}
