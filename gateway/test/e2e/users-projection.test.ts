import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from 'core-service/testing';
import { Client, DEMO, TRANSFER, type TestUser } from '../support/client.js';

/**
 * payment-service's users projection as a client meets it: money goes only to active users of
 * the caller's tenant, whatever id is typed in, and recipients are found by exact email.
 * Everything through the gateway, except creating a second tenant (no API creates one without
 * a platform operator) and, in the backfill test, dropping the projection of this file's users.
 */
const client = new Client();
const platform = client.platform;
const mongo = new MongoClient(platform.mongoUri);
afterAll(() => mongo.close());

const LEDGER = 'query Ledger($f: TransactionFilter) { transactions(first: 50, filter: $f) { totalCount } }';
const WALLETS = '{ me { id wallets { currency balance } } }';
const LOOKUP = 'query Lookup($email: String!) { lookupRecipient(email: $email) { id displayName } }';
const SET_STATUS = 'mutation SetStatus($userId: ID!, $status: UserStatus!) { setUserStatus(userId: $userId, status: $status) { id status } }';

/** The database of this platform that holds `collection` with a document matching `filter`. */
async function databaseWith(collection: string, filter: Record<string, unknown>): Promise<Db> {
  const { databases } = await mongo.db('admin').admin().listDatabases();
  for (const { name } of databases) {
    if ((await mongo.db(name).collection(collection).countDocuments(filter, { limit: 1 })) > 0) return mongo.db(name);
  }
  throw new Error(`no database holds ${collection} ${JSON.stringify(filter)}`);
}

async function balanceOf(user: TestUser): Promise<number> {
  const { me } = await client.ok(WALLETS, {}, user.token);
  return me.wallets.find((wallet: { currency: string }) => wallet.currency === 'EUR')?.balance ?? 0;
}

/** The number of ledger entries of a user, read by the demo admin (support/admin may read any user's ledger in the tenant). */
async function ledgerSize(userId: string): Promise<number> {
  return (await client.ok(LEDGER, { f: { userId } }, await client.admin())).transactions.totalCount;
}

function send(from: TestUser, toUserId: string, amount = 100): Promise<{ errors?: Array<{ extensions?: Record<string, any> }> }> {
  return client.gql(TRANSFER, { input: { toUserId, amount, currency: 'EUR', idempotencyKey: `e2e-${randomUUID()}` } }, from.token);
}

/** A user registered in a tenant other than the demo one (the tenant record is fixture; the registration goes through the API). */
async function userOfAnotherTenant(): Promise<TestUser> {
  const tenantId = `e2e-${randomUUID().slice(0, 8)}`;
  const auth = await databaseWith('tenants', { id: DEMO.tenantId });
  await auth.collection('tenants').insertOne({ id: tenantId, name: 'Elsewhere', createdAt: new Date(), createdBy: 'e2e' });
  return client.newUser('elsewhere', tenantId);
}

describe('money goes only to active users of the tenant', () => {
  it('a transfer to a random id is refused as not found and moves nothing; a deposit to it too', async () => {
    const alice = await client.newUser('alice');
    await client.deposit(alice.id, 1_000);
    const ledgerBefore = await ledgerSize(alice.id);
    const answer = await send(alice, randomUUID());
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'MSPaymentRecipientNotFound', retryable: true });
    const deposit = await client.gql(
      'mutation D($input: DepositInput!) { deposit(input: $input) { id } }',
      { input: { userId: randomUUID(), amount: 100, currency: 'EUR', idempotencyKey: `e2e-${randomUUID()}` } },
      await client.admin(),
    );
    expect(deposit.errors?.[0]?.extensions?.['code']).toBe('MSPaymentRecipientNotFound');
    expect(await balanceOf(alice)).toBe(1_000);
    expect(await ledgerSize(alice.id)).toBe(ledgerBefore);
  });

  it('a transfer to a user of another tenant is refused like an unknown id and moves nothing', async () => {
    const alice = await client.newUser('alice');
    const stranger = await userOfAnotherTenant();
    await client.deposit(alice.id, 1_000);
    const answer = await send(alice, stranger.id);
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'MSPaymentRecipientNotFound' });
    expect(await balanceOf(alice)).toBe(1_000);
    expect(await balanceOf(stranger)).toBe(0);
  });

  it('a suspended user receives nothing and cannot send; reactivated, both work again', async () => {
    const [alice, bob] = [await client.newUser('alice'), await client.newUser('bob')];
    await client.deposit(alice.id, 1_000);
    await client.deposit(bob.id, 500);
    const admin = await client.admin();
    expect((await client.ok(SET_STATUS, { userId: bob.id, status: 'SUSPENDED' }, admin)).setUserStatus.status).toBe('SUSPENDED');
    const [aliceLedger, bobLedger] = [await ledgerSize(alice.id), await ledgerSize(bob.id)];

    // The suspension reaches payment-service as an event; a lookup (which hides inactive users)
    // shows when it is projected without risking a transfer that would move money.
    await waitFor(async () => (await client.ok(LOOKUP, { email: bob.email }, alice.token)).lookupRecipient === null, { what: 'suspension projected' });
    expect((await send(alice, bob.id)).errors?.[0]?.extensions?.['code']).toBe('MSPaymentRecipientInactive');
    // Suspension revokes bob's sessions, so the gateway turns him away before payment-service would.
    expect((await send(bob, alice.id)).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');

    expect(await balanceOf(alice)).toBe(1_000);
    expect([await ledgerSize(alice.id), await ledgerSize(bob.id)]).toEqual([aliceLedger, bobLedger]);

    await client.ok(SET_STATUS, { userId: bob.id, status: 'ACTIVE' }, admin);
    await waitFor(async () => (await client.ok(LOOKUP, { email: bob.email }, alice.token)).lookupRecipient !== null, { what: 'reactivation projected' });
    expect((await send(alice, bob.id, 100)).errors).toBeUndefined();
    expect(await balanceOf(alice)).toBe(900);
  });

  it('me { wallets } shows the caller its wallets through the federated User', async () => {
    const carol = await client.newUser('carol');
    await client.deposit(carol.id, 700);
    expect((await client.ok(WALLETS, {}, carol.token)).me).toEqual({ id: carol.id, wallets: [{ currency: 'EUR', balance: 700 }] });
  });
});

describe('lookupRecipient', () => {
  it('finds an exact email of the caller’s tenant with id and display name only; null for another tenant’s or an unknown email', async () => {
    const [alice, bob, stranger] = [await client.newUser('alice'), await client.newUser('bob'), await userOfAnotherTenant()];
    const lookup = async (email: string) => (await client.ok(LOOKUP, { email }, alice.token)).lookupRecipient;
    expect(await lookup(bob.email)).toEqual({ id: bob.id, displayName: 'bob' });
    expect(await lookup(stranger.email)).toBeNull();
    expect(await lookup(`nobody-${randomUUID()}@e2e.local`)).toBeNull();
    const fields = await client.gql('query L($email: String!) { lookupRecipient(email: $email) { id displayName email } }', { email: bob.email }, alice.token);
    expect(fields.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('is rate limited per caller with RATE_LIMITED, and needs a signed-in caller', async () => {
    const [alice, bob] = [await client.newUser('alice'), await client.newUser('bob')];
    let answer = await client.gql(LOOKUP, { email: bob.email }, alice.token);
    for (let calls = 1; answer.errors === undefined && calls <= 100; calls += 1) answer = await client.gql(LOOKUP, { email: bob.email }, alice.token);
    // payment-service's own limit on lookups, far below the gateway's general one.
    expect(answer.errors?.[0]).toMatchObject({ message: expect.stringMatching(/recipient lookups/), extensions: { code: 'RATE_LIMITED' } });
    expect((await client.ok(LOOKUP, { email: alice.email }, bob.token)).lookupRecipient).toEqual({ id: alice.id, displayName: 'alice' });
    expect((await client.gql(LOOKUP, { email: bob.email })).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});

describe('backfill', () => {
  it('an admin-requested backfill re-projects users the projection lost, from auth-service’s snapshot', async () => {
    const [alice, bob] = [await client.newUser('alice'), await client.newUser('bob')];
    await client.deposit(alice.id, 1_000);
    const payment = await databaseWith('projected_users', { _id: bob.id } as never);
    await payment.collection('projected_users').deleteOne({ _id: bob.id } as never);
    expect((await send(alice, bob.id)).errors?.[0]?.extensions?.['code']).toBe('MSPaymentRecipientNotFound');

    const { rebuildUserProjection } = await client.ok('mutation { rebuildUserProjection }', {}, await client.admin());
    expect(rebuildUserProjection).toEqual(expect.any(String));
    await waitFor(async () => (await send(alice, bob.id, 250)).errors === undefined, { what: 'bob re-projected' });
    expect(await balanceOf(alice)).toBe(750);
    expect(await balanceOf(bob)).toBe(250);
  });
});
