import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from 'core-service/testing';
import { DEMO, startPlatform, type Platform } from '../../../scripts/dev/platform.mjs';
import { DEPOSIT, LOGIN, TRANSFER } from '../support/client.js';

/**
 * Redis killed under the running platform: the money keeps moving (MongoDB is the source of
 * truth), and after Redis comes back empty live pushes resume without restarting anything.
 * This file boots its own platform: the shared e2e platform's Redis serves other files at the
 * same time and must not be killed.
 */
let platform: Platform;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'platform-redis-outage-'));
  const output: string[] = [];
  try {
    platform = await startPlatform({
      dataDir,
      freePorts: true,
      brand: `outage${process.pid}`,
      // under the hook's 180 s, so a slow start fails with the processes' output
      readyTimeoutMs: 150_000,
      output: (line) => {
        output.push(line);
        if (output.length > 200) output.shift();
      },
    });
  } catch (error) {
    throw new Error(`platform did not start: ${(error as Error).message}\n${output.slice(-60).join('\n')}`);
  }
});

afterAll(async () => {
  await platform?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function call(query: string, variables: Record<string, unknown>, token?: string): Promise<any> {
  const response = await fetch(platform.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`${query.split('(')[0]} → ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function login(email: string): Promise<{ id: string; token: string }> {
  const { login: session } = await call(LOGIN, { input: { email, password: DEMO.password, tenantId: DEMO.tenantId } });
  return { id: session.user.id, token: session.accessToken };
}

const WALLETS = '{ myWallets { currency balance } }';
const LEDGER = 'query($first: Int) { transactions(first: $first) { totalCount nodes { id amount } } }';
const WITHDRAW = 'mutation($input: WithdrawInput!) { withdraw(input: $input) { id status } }';
const balanceOf = async (token: string): Promise<number> =>
  ((await call(WALLETS, {}, token)).myWallets as Array<{ currency: string; balance: number }>).find((wallet) => wallet.currency === DEMO.currency)?.balance ?? 0;

describe('with Redis down', () => {
  it('transfers, deposits, wallet and ledger reads, login and withdrawals keep working; after Redis comes back empty a live push arrives without restarts', async () => {
    const admin = await login(DEMO.admin);
    const alice = await login(DEMO.users[0]!);
    const bob = await login(DEMO.users[1]!);
    await call(DEPOSIT, { input: { userId: alice.id, amount: 10_000, currency: DEMO.currency, idempotencyKey: `d-${randomUUID()}` } }, admin.token);
    const aliceBefore = await balanceOf(alice.token);
    const bobBefore = await balanceOf(bob.token);
    const ledgerBefore = (await call(LEDGER, { first: 1 }, alice.token)).transactions.totalCount as number;

    await platform.kill('redis');

    const transfer = await call(TRANSFER, { input: { toUserId: bob.id, amount: 700, currency: DEMO.currency, idempotencyKey: `t-${randomUUID()}` } }, alice.token);
    expect(transfer.createTransfer).toMatchObject({ status: 'completed', amount: 700, fromUserId: alice.id, toUserId: bob.id });
    await call(DEPOSIT, { input: { userId: alice.id, amount: 300, currency: DEMO.currency, idempotencyKey: `d-${randomUUID()}` } }, admin.token);
    const withdrawal = await call(WITHDRAW, { input: { amount: 50, currency: DEMO.currency, idempotencyKey: `w-${randomUUID()}` } }, alice.token);
    expect(withdrawal.withdraw.id).toEqual(expect.any(String));
    const relogged = await login(DEMO.users[1]!);
    expect(relogged.id).toBe(bob.id);

    // Reads come from MongoDB (the balance cache is bypassed) and show every movement.
    expect(await balanceOf(bob.token)).toBe(bobBefore + 700);
    expect(await balanceOf(alice.token)).toBe(aliceBefore - 700 + 300 - 50);
    const ledger = (await call(LEDGER, { first: 5 }, alice.token)).transactions;
    expect(ledger.totalCount).toBe(ledgerBefore + 3);

    // Redis back, empty (no persistence): streams and consumer groups are gone.
    await platform.restart('redis');
    const socket: Socket = connectSocket(platform.gatewayBase, { auth: { token: bob.token }, transports: ['websocket'], reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const balances: number[] = [];
      socket.on('next', (frame: { id: string; payload: { data: { walletUpdated: { balance: number } } } }) => {
        if (frame.id === 'w') balances.push(frame.payload.data.walletUpdated.balance);
      });
      socket.emit('subscribe', { id: 'w', query: 'subscription { walletUpdated { currency balance } }' });
      socket.emit('subscribe', { id: 'probe', query: 'subscription { walletUpdated { balance } }' });
      const subscribed = new Promise((resolve) => socket.once('complete', resolve));
      socket.emit('unsubscribe', { id: 'probe' });
      await subscribed;

      // Each transfer to bob pushes bob's new balance; the first ones may be published before
      // every consumer has recreated its group (they are then read from the new stream's start).
      const bobNow = await balanceOf(bob.token);
      await call(TRANSFER, { input: { toUserId: bob.id, amount: 25, currency: DEMO.currency, idempotencyKey: `t-${randomUUID()}` } }, alice.token);
      await waitFor(() => balances.includes(bobNow + 25), { what: 'walletUpdated after Redis came back empty', timeoutMs: 30_000 });
    } finally {
      socket.disconnect();
    }
  });
});
