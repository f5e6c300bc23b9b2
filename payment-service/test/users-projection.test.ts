import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { EventBus } from 'core-service';
import { createTestFixture, waitFor, type TestFixture } from 'core-service/testing';
import { startPayment, type Caller, type RunningPayment } from './helpers.js';

/**
 * The users projection fed through the stream, as auth-service feeds it: a second bus named
 * auth-service publishes the events of auth-service's contract (user.registered,
 * user.status_changed, and the user.snapshot answer to users.backfill_requested).
 */
function authStandIn(fixture: TestFixture): EventBus {
  const bus = new EventBus({ serviceName: 'auth-service', redis: fixture.redis(), streamKey: fixture.key('events') });
  onTestFinished(() => bus.close());
  return bus;
}

const key = (): string => `key-${randomUUID()}`;
const DEPOSIT = `mutation($input: DepositInput!) { deposit(input: $input) { id amount balance } }`;
const TRANSFER = `mutation($input: CreateTransferInput!) { createTransfer(input: $input) { id status amount } }`;
const WITHDRAW = `mutation($input: WithdrawInput!) { withdraw(input: $input) { id status } }`;
const LOOKUP = `query($email: String!) { lookupRecipient(email: $email) { id displayName } }`;

/** A user auth-service knows but payment-service has not been told about. */
function unannounced(payment: RunningPayment): Caller {
  return { id: randomUUID(), tenantId: payment.fixture.tenantId, roles: ['user'] };
}

async function register(auth: EventBus, user: Caller, email = `${user.id}@pay.test`, displayName = 'New user'): Promise<void> {
  await auth.emit('user.registered', user.tenantId, user.id, { email, displayName, status: 'active', createdAt: new Date().toISOString() });
}

async function projected(payment: RunningPayment, userId: string, status = 'active'): Promise<void> {
  await waitFor(async () => (await payment.service.deps.projection.find(userId))?.status === status, { what: `${userId} projected as ${status}` });
}

async function balancesOf(payment: RunningPayment, ...users: Caller[]): Promise<number[]> {
  const { store } = payment.service.deps;
  return Promise.all(users.map(async (user) => (await store.wallet(user.tenantId, user.id, 'EUR'))?.balance ?? 0));
}

async function ledgerSize(payment: RunningPayment): Promise<number> {
  return payment.service.deps.store.transactions.countDocuments({ tenantId: payment.fixture.tenantId });
}

describe('users projection over the event stream', () => {
  it("auth-service's registration makes a user payable; its suspension stops the user sending and receiving, moving nothing", async () => {
    const payment = await startPayment();
    const auth = authStandIn(payment.fixture);
    const [admin, alice] = [payment.admin(), payment.user()];
    const bob = unannounced(payment);
    await register(auth, bob);
    await projected(payment, bob.id);
    expect((await payment.graphql(admin, DEPOSIT, { input: { userId: bob.id, amount: 1_000, currency: 'EUR', idempotencyKey: key() } })).errors).toBeUndefined();
    expect((await payment.graphql(admin, DEPOSIT, { input: { userId: alice.id, amount: 1_000, currency: 'EUR', idempotencyKey: key() } })).errors).toBeUndefined();

    await auth.emit('user.status_changed', bob.tenantId, bob.id, { from: 'active', to: 'suspended', updatedAt: new Date().toISOString() });
    await projected(payment, bob.id, 'suspended');
    const ledgerBefore = await ledgerSize(payment);

    const toBob = await payment.graphql(alice, TRANSFER, { input: { toUserId: bob.id, amount: 100, currency: 'EUR', idempotencyKey: key() } });
    expect(toBob.errors?.[0]?.extensions?.['code']).toBe('MSPaymentRecipientInactive');
    const depositToBob = await payment.graphql(admin, DEPOSIT, { input: { userId: bob.id, amount: 100, currency: 'EUR', idempotencyKey: key() } });
    expect(depositToBob.errors?.[0]?.extensions?.['code']).toBe('MSPaymentRecipientInactive');
    const fromBob = await payment.graphql(bob, TRANSFER, { input: { toUserId: alice.id, amount: 100, currency: 'EUR', idempotencyKey: key() } });
    expect(fromBob.errors?.[0]?.extensions?.['code']).toBe('MSPaymentSenderInactive');
    const withdrawal = await payment.graphql(bob, WITHDRAW, { input: { amount: 100, currency: 'EUR', idempotencyKey: key() } });
    expect(withdrawal.errors?.[0]?.extensions?.['code']).toBe('MSPaymentSenderInactive');

    expect(await balancesOf(payment, alice, bob)).toEqual([1_000, 1_000]);
    expect(await ledgerSize(payment)).toBe(ledgerBefore);
  });

  it('the refusal codes are listed by errorCodes', async () => {
    const payment = await startPayment();
    const answer = await payment.graphql<{ errorCodes: string[] }>(payment.user(), '{ errorCodes }');
    expect(answer.data?.errorCodes).toEqual(expect.arrayContaining(['MSPaymentRecipientNotFound', 'MSPaymentRecipientInactive', 'MSPaymentSenderInactive', 'RATE_LIMITED']));
  });

  it('a transfer or deposit to a random id or to a user of another tenant is refused as not found (retryable) and moves nothing', async () => {
    const payment = await startPayment({ unknownUserGraceMs: 0 });
    const [admin, alice] = [payment.admin(), payment.user()];
    const elsewhere: Caller = { id: randomUUID(), tenantId: `other-${payment.fixture.tenantId}`, roles: ['user'] };
    await payment.project(elsewhere);
    expect((await payment.graphql(admin, DEPOSIT, { input: { userId: alice.id, amount: 500, currency: 'EUR', idempotencyKey: key() } })).errors).toBeUndefined();
    const ledgerBefore = await ledgerSize(payment);

    for (const toUserId of [randomUUID(), 'not-even-a-uuid', elsewhere.id]) {
      const transfer = await payment.graphql(alice, TRANSFER, { input: { toUserId, amount: 100, currency: 'EUR', idempotencyKey: key() } });
      expect(transfer.errors?.[0]?.extensions).toMatchObject({ code: 'MSPaymentRecipientNotFound', retryable: true });
      const deposit = await payment.graphql(admin, DEPOSIT, { input: { userId: toUserId, amount: 100, currency: 'EUR', idempotencyKey: key() } });
      expect(deposit.errors?.[0]?.extensions).toMatchObject({ code: 'MSPaymentRecipientNotFound', retryable: true });
    }
    expect(await balancesOf(payment, alice)).toEqual([500]);
    expect(await ledgerSize(payment)).toBe(ledgerBefore);
    expect(await payment.service.deps.store.wallets.countDocuments({ userId: { $in: [elsewhere.id, 'not-even-a-uuid'] } })).toBe(0);
  });

  it('a transfer racing the registration of its recipient waits for it within the grace window and completes once', async () => {
    const payment = await startPayment({ unknownUserGraceMs: 10_000 });
    const auth = authStandIn(payment.fixture);
    const [admin, alice] = [payment.admin(), payment.user()];
    expect((await payment.graphql(admin, DEPOSIT, { input: { userId: alice.id, amount: 1_000, currency: 'EUR', idempotencyKey: key() } })).errors).toBeUndefined();
    const bob = unannounced(payment);
    const transfer = payment.graphql<{ createTransfer: { status: string } }>(alice, TRANSFER, { input: { toUserId: bob.id, amount: 300, currency: 'EUR', idempotencyKey: key() } });
    await register(auth, bob);
    const answer = await transfer;
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.createTransfer.status).toBe('completed');
    expect(await balancesOf(payment, alice, bob)).toEqual([700, 300]);
  });

  it('past the window the refusal is retryable: the same key succeeds once the registration is projected, and only once', async () => {
    const payment = await startPayment({ unknownUserGraceMs: 0 });
    const auth = authStandIn(payment.fixture);
    const [admin, alice] = [payment.admin(), payment.user()];
    expect((await payment.graphql(admin, DEPOSIT, { input: { userId: alice.id, amount: 1_000, currency: 'EUR', idempotencyKey: key() } })).errors).toBeUndefined();
    const bob = unannounced(payment);
    const input = { toUserId: bob.id, amount: 300, currency: 'EUR', idempotencyKey: key() };
    const early = await payment.graphql(alice, TRANSFER, { input });
    expect(early.errors?.[0]?.extensions).toMatchObject({ code: 'MSPaymentRecipientNotFound', retryable: true });

    await register(auth, bob);
    await projected(payment, bob.id);
    const retried = await payment.graphql<{ createTransfer: { id: string; status: string } }>(alice, TRANSFER, { input });
    expect(retried.data?.createTransfer.status).toBe('completed');
    const replayed = await payment.graphql<{ createTransfer: { id: string } }>(alice, TRANSFER, { input });
    expect(replayed.data?.createTransfer.id).toBe(retried.data?.createTransfer.id);
    expect(await payment.service.deps.store.transfers.countDocuments({ tenantId: alice.tenantId, idempotencyKey: input.idempotencyKey })).toBe(1);
    expect(await balancesOf(payment, alice, bob)).toEqual([700, 300]);
  });
});

describe('backfill', () => {
  /** Answers backfill requests as auth-service's responder does, from the users it is given. */
  function answerBackfills(auth: EventBus, users: { user: Caller; email: string; status: string }[]): void {
    auth.on<{ backfillId: string }>(
      'users.backfill_requested',
      async (request) => {
        for (const { user, email, status } of users) {
          await auth.emit('user.snapshot', user.tenantId, user.id, { backfillId: request.data.backfillId, email, displayName: email, status, updatedAt: new Date().toISOString() });
        }
        await auth.emit('users.backfill_completed', request.tenantId, null, { backfillId: request.data.backfillId, users: users.length });
      },
      { transaction: false },
    );
  }

  it('an empty projection asks for a snapshot at start-up and is rebuilt from the answer; a second start asks for nothing', async () => {
    const fixture = createTestFixture({ label: 'pay' });
    const auth = authStandIn(fixture);
    const users = ['active', 'active', 'suspended'].map((status, i) => ({ user: { id: randomUUID(), tenantId: fixture.tenantId, roles: ['user'] } as Caller, email: `user${i}@pay.test`, status }));
    answerBackfills(auth, users);
    await auth.startListening();

    const payment = await startPayment({}, fixture);
    expect(payment.service.startupBackfill.backfillId).not.toBeNull();
    const { projection } = payment.service.deps;
    // The completion marker and the snapshots may be handled in different partitions of the
    // consumer, so the marker can land first: wait for both.
    await waitFor(async () => (await projection.backfillState())?.pendingBackfillId === null, { what: 'backfill completed' });
    await waitFor(async () => (await Promise.all(users.map(({ user }) => projection.find(user.id)))).every((found) => found !== null), { what: 'snapshots applied' });
    for (const { user, status } of users) expect(await projection.find(user.id)).toMatchObject({ tenantId: fixture.tenantId, status });

    const [admin] = [payment.admin()];
    const deposit = await payment.graphql(admin, DEPOSIT, { input: { userId: users[0]!.user.id, amount: 250, currency: 'EUR', idempotencyKey: key() } });
    expect(deposit.errors).toBeUndefined();
    await payment.service.stop();

    const restarted = await startPayment({}, fixture);
    expect(restarted.service.startupBackfill.backfillId).toBeNull();
  });

  it('a consumer group lost while users are projected (Redis lost the stream) asks for a snapshot at the next start', async () => {
    const fixture = createTestFixture({ label: 'pay' });
    const first = await startPayment({}, fixture);
    await first.project(first.user());
    await first.service.deps.projection.state.updateOne({ _id: 'users' }, { $set: { pendingBackfillId: null } });
    await first.service.stop();
    const second = await startPayment({}, fixture);
    expect(second.service.startupBackfill.backfillId).toBeNull();
    // Stopped first: a running consumer would recreate its group at once.
    await second.service.stop();

    const redis = fixture.redis();
    await redis.xgroup('DESTROY', fixture.key('events'), 'payment-service');
    expect((await startPayment({}, fixture)).service.startupBackfill.backfillId).not.toBeNull();
  });

  it('a request nobody answered is asked again for the same scope; an answered one is not', async () => {
    const fixture = createTestFixture({ label: 'pay' });
    const payment = await startPayment({}, fixture);
    const { backfill, projection } = payment.service.deps;
    const first = payment.service.startupBackfill.backfillId;
    expect(first).not.toBeNull();
    expect(await backfill.retryIfUnanswered(60_000)).toBeNull();
    const second = await backfill.retryIfUnanswered(0);
    expect(second).not.toBeNull();
    expect(second).not.toBe(first);
    const requests = await fixture.redis().xrange(fixture.key('events'), '-', '+');
    const asked = requests
      .map(([, fields]) => JSON.parse(fields[fields.indexOf('event') + 1]!) as { type: string; data: { backfillId: string; tenantId: string | null } })
      .filter((event) => event.type === 'users.backfill_requested');
    expect(asked.map((event) => event.data)).toEqual([
      { backfillId: first, tenantId: null },
      { backfillId: second, tenantId: null },
    ]);

    const auth = authStandIn(fixture);
    await auth.emit('users.backfill_completed', 'platform', null, { backfillId: second, users: 0 });
    await waitFor(async () => (await projection.backfillState())?.pendingBackfillId === null, { what: 'backfill completed' });
    expect(await backfill.retryIfUnanswered(0)).toBeNull();
  });

  it('an admin can ask for the tenant to be rebuilt; a user cannot', async () => {
    const payment = await startPayment();
    const asUser = await payment.graphql(payment.user(), 'mutation { rebuildUserProjection }');
    expect(asUser.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const asAdmin = await payment.graphql<{ rebuildUserProjection: string }>(payment.admin(), 'mutation { rebuildUserProjection }');
    expect(asAdmin.errors).toBeUndefined();
    expect(asAdmin.data?.rebuildUserProjection).toEqual(expect.any(String));
    expect((await payment.service.deps.projection.backfillState())?.pendingBackfillId).toBe(asAdmin.data?.rebuildUserProjection);
  });
});

describe('lookupRecipient', () => {
  it('finds an exact email of the caller’s tenant (any case) with id and display name only; null elsewhere; then rate limited', async () => {
    const payment = await startPayment({ recipientLookupLimit: { limit: 6, windowMs: 60_000 } });
    const [alice, bob, carol] = [payment.user(), payment.user(), payment.user()];
    await payment.project(bob);
    await payment.project(carol);
    await payment.project(carol, 'suspended');
    const elsewhere: Caller = { id: randomUUID(), tenantId: `other-${payment.fixture.tenantId}`, roles: ['user'] };
    await payment.project(elsewhere);

    const lookup = async (email: string) => await payment.graphql<{ lookupRecipient: unknown }>(alice, LOOKUP, { email });
    expect((await lookup(`${bob.id}@pay.test`)).data?.lookupRecipient).toEqual({ id: bob.id, displayName: bob.id });
    expect((await lookup(`  ${bob.id.toUpperCase()}@PAY.TEST `)).data?.lookupRecipient).toEqual({ id: bob.id, displayName: bob.id });
    expect((await lookup(`${elsewhere.id}@pay.test`)).data?.lookupRecipient).toBeNull();
    expect((await lookup('nobody@pay.test')).data?.lookupRecipient).toBeNull();
    expect((await lookup(`${carol.id}@pay.test`)).data?.lookupRecipient).toBeNull();
    expect((await lookup(`${bob.id}@pay`)).data?.lookupRecipient).toBeNull();

    const limited = await lookup(`${bob.id}@pay.test`);
    expect(limited.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 6 });
    expect(limited.data?.lookupRecipient ?? null).toBeNull();
    // The limit is the caller's own: another user still gets answers.
    expect((await payment.graphql(bob, LOOKUP, { email: `${bob.id}@pay.test` })).data?.lookupRecipient).toEqual({ id: bob.id, displayName: bob.id });
    expect((await payment.graphql(null, LOOKUP, { email: `${bob.id}@pay.test` })).errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});
