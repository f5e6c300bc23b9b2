import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HttpPayoutProvider } from '../src/payout/http-payout-provider.js';
import { signUserContext } from 'core-service';
import { CONTEXT_SECRET, ROLE_PERMISSIONS, startPayment, startPayoutApi, type Caller, type RunningPayment } from './helpers.js';

const key = (): string => `key-${randomUUID()}`;

const DEPOSIT = `mutation($input: DepositInput!) { deposit(input: $input) { id userId type amount balance balanceType createdAt } }`;
const TRANSFER = `mutation($input: CreateTransferInput!) { createTransfer(input: $input) { id fromUserId toUserId amount currency status description } }`;
const WITHDRAW = `mutation($input: WithdrawInput!) { withdraw(input: $input) { id amount currency status } }`;
const WALLETS = `{ myWallets { id currency balance lockedBalance availableBalance bonusBalance } }`;

async function fund(payment: RunningPayment, admin: Caller, user: Caller, amount: number): Promise<void> {
  const result = await payment.graphql(admin, DEPOSIT, { input: { userId: user.id, amount, currency: 'EUR', idempotencyKey: key() } });
  expect(result.errors).toBeUndefined();
}

async function walletOf(payment: RunningPayment, user: Caller): Promise<Record<string, number> | undefined> {
  const result = await payment.graphql<{ myWallets: Record<string, number>[] }>(user, WALLETS);
  expect(result.errors).toBeUndefined();
  return result.data?.myWallets.find((w) => w['currency'] === ('EUR' as never));
}

describe('payment-service over GraphQL', () => {
  it('an admin deposit funds a user, who transfers to another user; both see their balances', async () => {
    const payment = await startPayment();
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    const deposit = await payment.graphql<{ deposit: Record<string, unknown> }>(admin, DEPOSIT, { input: { userId: alice.id, amount: 10_000, currency: 'EUR', idempotencyKey: key() } });
    expect(deposit.errors).toBeUndefined();
    expect(deposit.data?.deposit).toMatchObject({ userId: alice.id, type: 'deposit', amount: 10_000, balance: 10_000, balanceType: 'balance' });

    const transfer = await payment.graphql<{ createTransfer: Record<string, unknown> }>(alice, TRANSFER, {
      input: { toUserId: bob.id, amount: 2_500, currency: 'EUR', idempotencyKey: key(), description: 'rent' },
    });
    expect(transfer.errors).toBeUndefined();
    expect(transfer.data?.createTransfer).toMatchObject({ fromUserId: alice.id, toUserId: bob.id, amount: 2_500, status: 'completed', description: 'rent' });
    expect(await walletOf(payment, alice)).toMatchObject({ balance: 7_500, availableBalance: 7_500, lockedBalance: 0 });
    expect(await walletOf(payment, bob)).toMatchObject({ balance: 2_500 });
  });

  it('a user cannot deposit, and anonymous callers can do nothing', async () => {
    const payment = await startPayment();
    const alice = payment.user();
    const byUser = await payment.graphql(alice, DEPOSIT, { input: { userId: alice.id, amount: 100, currency: 'EUR', idempotencyKey: key() } });
    expect(byUser.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const anonymous = await payment.graphql(null, WALLETS);
    expect(anonymous.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(await walletOf(payment, alice)).toBeUndefined();
  });

  it("a user cannot read another user's ledger", async () => {
    const payment = await startPayment();
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    await fund(payment, admin, bob, 500);
    const result = await payment.graphql(alice, `query($f: TransactionFilter) { transactions(first: 5, filter: $f) { nodes { id } } }`, { f: { userId: bob.id } });
    expect(result.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const asAdmin = await payment.graphql<{ transactions: { nodes: unknown[] } }>(admin, `query($f: TransactionFilter) { transactions(first: 5, filter: $f) { nodes { id } } }`, {
      f: { userId: bob.id },
    });
    expect(asAdmin.data?.transactions.nodes).toHaveLength(1);
  });

  it('bad input gets a typed error and changes nothing', async () => {
    const payment = await startPayment();
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    await fund(payment, admin, alice, 1_000);
    const cases: [Record<string, unknown>, string][] = [
      [{ amount: 2_000 }, 'MSPaymentInsufficientBalance'],
      [{ amount: 0 }, 'MSPaymentInvalidAmount'],
      [{ currency: 'XXX' }, 'MSPaymentUnsupportedCurrency'],
      [{ toUserId: alice.id }, 'MSPaymentSelfTransfer'],
      [{ amount: 1.5 }, 'BAD_USER_INPUT'],
      [{ toUserId: 'system:funding#0' }, 'BAD_USER_INPUT'],
    ];
    for (const [override, code] of cases) {
      const result = await payment.graphql(alice, TRANSFER, { input: { toUserId: bob.id, amount: 100, currency: 'EUR', idempotencyKey: key(), ...override } });
      expect(result.errors?.[0]?.extensions?.['code'], JSON.stringify(override)).toBe(code);
    }
    expect(await walletOf(payment, alice)).toMatchObject({ balance: 1_000 });
  });

  it('an idempotency key replays the first transfer; reused with other input it is refused', async () => {
    const payment = await startPayment();
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    await fund(payment, admin, alice, 1_000);
    const input = { toUserId: bob.id, amount: 300, currency: 'EUR', idempotencyKey: key() };
    const first = await payment.graphql<{ createTransfer: { id: string } }>(alice, TRANSFER, { input });
    const again = await payment.graphql<{ createTransfer: { id: string } }>(alice, TRANSFER, { input });
    expect(again.data?.createTransfer.id).toBe(first.data?.createTransfer.id);
    const reused = await payment.graphql(alice, TRANSFER, { input: { ...input, amount: 301 } });
    expect(reused.errors?.[0]?.extensions?.['code']).toBe('MSPaymentIdempotencyKeyReused');
    expect(await walletOf(payment, alice)).toMatchObject({ balance: 700 });
  });

  it('a replay after the recipient was suspended still returns the first transfer; a new key to them is refused', async () => {
    const payment = await startPayment();
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    await fund(payment, admin, alice, 1_000);
    const input = { toUserId: bob.id, amount: 300, currency: 'EUR', idempotencyKey: key() };
    const first = await payment.graphql<{ createTransfer: { id: string } }>(alice, TRANSFER, { input });
    expect(first.errors).toBeUndefined();
    await payment.project(bob, 'suspended');
    const again = await payment.graphql<{ createTransfer: { id: string } }>(alice, TRANSFER, { input });
    expect(again.errors).toBeUndefined();
    expect(again.data?.createTransfer.id).toBe(first.data?.createTransfer.id);
    const fresh = await payment.graphql(alice, TRANSFER, { input: { ...input, idempotencyKey: key() } });
    expect(fresh.errors?.[0]?.extensions?.['code']).toBe('MSPaymentRecipientInactive');
    expect(await walletOf(payment, alice)).toMatchObject({ balance: 700 });
  });

  it('idempotency keys belong to their caller: two users and two admins with one key each get their own result', async () => {
    const payment = await startPayment();
    const [admin1, admin2, alice, carol, bob] = [payment.admin(), payment.admin(), payment.user(), payment.user(), payment.user()];
    const shared = key();
    for (const admin of [admin1, admin2]) {
      const result = await payment.graphql<{ deposit: { id: string } }>(admin, DEPOSIT, { input: { userId: alice.id, amount: 1_000, currency: 'EUR', idempotencyKey: shared } });
      expect(result.errors).toBeUndefined();
    }
    await fund(payment, admin1, carol, 1_000);
    expect((await walletOf(payment, alice))?.['balance']).toBe(2_000);

    const send = (from: Caller, amount: number) =>
      payment.graphql<{ createTransfer: { id: string; amount: number } }>(from, TRANSFER, { input: { toUserId: bob.id, amount, currency: 'EUR', idempotencyKey: shared } });
    const fromAlice = await send(alice, 100);
    const fromCarol = await send(carol, 250);
    expect([fromAlice.errors, fromCarol.errors]).toEqual([undefined, undefined]);
    expect(fromCarol.data?.createTransfer.id).not.toBe(fromAlice.data?.createTransfer.id);
    // Alice's retry replays her transfer, not Carol's.
    expect((await send(alice, 100)).data?.createTransfer).toEqual(fromAlice.data?.createTransfer);
    expect((await walletOf(payment, bob))?.['balance']).toBe(350);
  });

  it('transactions page by cursor with filters, newest first, totalCount only when asked', async () => {
    const payment = await startPayment();
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    await fund(payment, admin, alice, 1_000);
    for (let i = 1; i <= 4; i++) {
      await payment.graphql(alice, TRANSFER, { input: { toUserId: bob.id, amount: i, currency: 'EUR', idempotencyKey: key() } });
    }
    const page = `query($after: String, $f: TransactionFilter) { transactions(first: 2, after: $after, filter: $f) { nodes { amount type } pageInfo { hasNextPage endCursor } totalCount } }`;
    type Page = { transactions: { nodes: { amount: number; type: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string }; totalCount: number } };
    const one = await payment.graphql<Page>(alice, page);
    expect(one.data?.transactions.nodes.map((n) => n.amount)).toEqual([-4, -3]);
    expect(one.data?.transactions.totalCount).toBe(5);
    const two = await payment.graphql<Page>(alice, page, { after: one.data?.transactions.pageInfo.endCursor });
    expect(two.data?.transactions.nodes.map((n) => n.amount)).toEqual([-2, -1]);
    const three = await payment.graphql<Page>(alice, page, { after: two.data?.transactions.pageInfo.endCursor });
    expect(three.data?.transactions.nodes).toEqual([{ amount: 1_000, type: 'deposit' }]);
    expect(three.data?.transactions.pageInfo.hasNextPage).toBe(false);
    const deposits = await payment.graphql<Page>(alice, page, { f: { type: 'deposit' } });
    expect(deposits.data?.transactions.totalCount).toBe(1);
    const tampered = await payment.graphql(alice, page, { after: `${one.data?.transactions.pageInfo.endCursor}x` });
    expect(tampered.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
  });

  it('a withdrawal holds, pays out through the provider once, and captures', async () => {
    const api = await startPayoutApi(() => ({ status: 200, body: { status: 'paid', reference: 'po_1' } }));
    const payment = await startPayment({ provider: new HttpPayoutProvider({ baseUrl: api.url }) });
    const [admin, alice] = [payment.admin(), payment.user()];
    await fund(payment, admin, alice, 1_000);
    const result = await payment.graphql<{ withdraw: Record<string, unknown> }>(alice, WITHDRAW, { input: { amount: 400, currency: 'EUR', idempotencyKey: key() } });
    expect(result.errors).toBeUndefined();
    expect(result.data?.withdraw).toMatchObject({ amount: 400, status: 'completed' });
    expect(await walletOf(payment, alice)).toMatchObject({ balance: 600, lockedBalance: 0 });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]?.body).toMatchObject({ amount: 400, currency: 'EUR', userId: alice.id });
    expect(api.requests[0]?.idempotencyKey).toMatch(/payout$/);
  });

  it('a declined payout releases the hold and fails the withdrawal', async () => {
    const api = await startPayoutApi(() => ({ status: 200, body: { status: 'declined', reason: 'account closed' } }));
    const payment = await startPayment({ provider: new HttpPayoutProvider({ baseUrl: api.url }) });
    const [admin, alice] = [payment.admin(), payment.user()];
    await fund(payment, admin, alice, 1_000);
    const result = await payment.graphql<{ withdraw: Record<string, unknown> }>(alice, WITHDRAW, { input: { amount: 400, currency: 'EUR', idempotencyKey: key() } });
    expect(result.data?.withdraw).toMatchObject({ status: 'failed' });
    expect(await walletOf(payment, alice)).toMatchObject({ balance: 1_000, lockedBalance: 0, availableBalance: 1_000 });
  });

  it('a withdrawal beyond the available balance is refused before any payout', async () => {
    const api = await startPayoutApi(() => ({ status: 200, body: { status: 'paid', reference: 'x' } }));
    const payment = await startPayment({ provider: new HttpPayoutProvider({ baseUrl: api.url }) });
    const [admin, alice] = [payment.admin(), payment.user()];
    await fund(payment, admin, alice, 100);
    const result = await payment.graphql(alice, WITHDRAW, { input: { amount: 101, currency: 'EUR', idempotencyKey: key() } });
    expect(result.errors?.[0]?.extensions?.['code']).toBe('MSPaymentInsufficientBalance');
    expect(api.requests).toHaveLength(0);
  });

  it('replaying a deposit or a withdrawal with its key returns the first result, whichever funding shard each call picks', async () => {
    const payment = await startPayment({ fundingShards: 8 });
    const [admin, alice] = [payment.admin(), payment.user()];
    const deposit = { userId: alice.id, amount: 700, currency: 'EUR', idempotencyKey: key() };
    const first = await payment.graphql<{ deposit: { id: string } }>(admin, DEPOSIT, { input: deposit });
    for (let i = 0; i < 6; i++) {
      const again = await payment.graphql<{ deposit: { id: string } }>(admin, DEPOSIT, { input: deposit });
      expect(again.errors).toBeUndefined();
      expect(again.data?.deposit.id).toBe(first.data?.deposit.id);
    }
    const withdrawal = { amount: 200, currency: 'EUR', idempotencyKey: key() };
    const paid = await payment.graphql<{ withdraw: { id: string; status: string } }>(alice, WITHDRAW, { input: withdrawal });
    expect(paid.data?.withdraw.status).toBe('completed');
    for (let i = 0; i < 6; i++) {
      const again = await payment.graphql<{ withdraw: { id: string } }>(alice, WITHDRAW, { input: withdrawal });
      expect(again.errors).toBeUndefined();
      expect(again.data?.withdraw.id).toBe(paid.data?.withdraw.id);
    }
    expect(await walletOf(payment, alice)).toMatchObject({ balance: 500, lockedBalance: 0 });
  });

  it('User.wallets resolves batched entity references', async () => {
    const payment = await startPayment();
    const [admin, alice, bob] = [payment.admin(), payment.user(), payment.user()];
    await fund(payment, admin, alice, 10);
    await fund(payment, admin, bob, 20);
    const result = await payment.graphql<{ _entities: { wallets: { balance: number }[] }[] }>(admin, `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { wallets { balance } } } }`, {
      r: [
        { __typename: 'User', id: alice.id },
        { __typename: 'User', id: bob.id },
      ],
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities.map((u) => u.wallets[0]?.balance)).toEqual([10, 20]);
  });
});

describe('the tenant guard (requireCallerTenant)', () => {
  it('a caller without a tenant is refused FORBIDDEN by money mutations, admin operations and queries, and nothing is written', async () => {
    const payment = await startPayment();
    const [admin, alice] = [payment.admin(), payment.user()];
    await fund(payment, admin, alice, 500);
    // The gateway's signed context without a tenant claim (the helper always sets one).
    const tenantless = async (query: string, variables: Record<string, unknown> = {}) => {
      const headers = signUserContext({ sub: admin.id, roles: ['admin', 'user'], permissions: [...ROLE_PERMISSIONS.admin, ...ROLE_PERMISSIONS.user], correlationId: randomUUID() }, CONTEXT_SECRET);
      const response = await fetch(payment.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as { errors?: { extensions?: Record<string, unknown> }[] };
    };
    const refusals = [
      await tenantless(DEPOSIT, { input: { userId: alice.id, amount: 10, currency: 'EUR', idempotencyKey: key() } }),
      await tenantless(TRANSFER, { input: { toUserId: alice.id, amount: 10, currency: 'EUR', idempotencyKey: key() } }),
      await tenantless(WITHDRAW, { input: { amount: 10, currency: 'EUR', idempotencyKey: key() } }),
      await tenantless(`mutation { runReconciliation(currency: "EUR") { isBalanced } }`),
      await tenantless(`{ transactions(first: 5) { totalCount } }`),
    ];
    expect(refusals.map((answer) => answer.errors?.[0]?.extensions?.['code'])).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect(await payment.service.deps.store.transfers.countDocuments({})).toBe(1);
    expect(await walletOf(payment, alice)).toMatchObject({ balance: 500 });
  });
});
