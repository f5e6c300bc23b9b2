import { randomUUID } from 'node:crypto';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createServiceDatabaseAccess } from 'core-service';
import { waitFor } from 'core-service/testing';
import { Client, DEMO, REGISTER, TRANSFER } from '../support/client.js';

/**
 * bonus-service as it runs (its own process, composed by the gateway, consuming payment-service's
 * events), exercised through the gateway only; the one exception is the award's clock, moved in
 * its database because a test cannot wait the days its validity lasts.
 */
const client = new Client();
const platform = client.platform;
// The databases as bonus-service resolves them (its own, and payment's that awards write to).
const database = createServiceDatabaseAccess('bonus-service');
afterAll(() => database.close());

const UPSERT = 'mutation($input: BonusTemplateInput!) { upsertBonusTemplate(input: $input) { id code } }';
const CLAIM = 'mutation($code: String!, $key: String!) { claimBonus(templateCode: $code, idempotencyKey: $key) { id status amount turnoverRequired } }';
const AWARD = 'mutation($userId: ID!, $code: String!, $key: String!) { awardBonus(userId: $userId, templateCode: $code, idempotencyKey: $key) { id status amount } }';
const USER_BONUSES = 'query($userId: ID!) { userBonuses(userId: $userId, first: 10) { nodes { id status turnoverProgress } } }';
const WALLETS = '{ me { wallets { currency balance bonusBalance } } }';

function code(prefix: string): string {
  return `${prefix}_${randomUUID().slice(0, 8).toUpperCase()}`;
}

async function openSocket(token: string): Promise<Socket> {
  const socket: Socket = connectSocket(platform.gatewayBase, { auth: { token }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

async function bonusOf(userId: string, id: string, admin: string): Promise<{ id: string; status: string; turnoverProgress: number } | undefined> {
  const { userBonuses } = await client.ok(USER_BONUSES, { userId }, admin);
  return userBonuses.nodes.find((node: { id: string }) => node.id === id);
}

describe('bonuses through the gateway', () => {
  it('an admin creates a template, a user claims it, transfers until it converts: balance rises and bonusUpdated arrives over Socket.IO', async () => {
    const admin = await client.admin();
    const welcome = code('WELCOME');
    await client.ok(UPSERT, { input: { code: welcome, name: 'Welcome', type: 'WELCOME', currency: 'EUR', amount: 1_000, turnoverMultiplier: 2, validForDays: 7 } }, admin);
    const frank = await client.newUser('frank');
    const grace = await client.newUser('grace');
    await client.deposit(frank.id, 5_000);

    const socket = await openSocket(frank.token);
    try {
      socket.emit('subscribe', { id: 'b', query: 'subscription { bonusUpdated { id status turnoverProgress } }' });
      socket.emit('subscribe', { id: 'probe', query: 'subscription { bonusUpdated { id } }' });
      socket.emit('unsubscribe', { id: 'probe' });
      await new Promise((resolve) => socket.once('complete', resolve));
      const statuses: string[] = [];
      const converted = new Promise<any>((resolve) =>
        socket.on('next', (frame) => {
          if (frame.id !== 'b') return;
          statuses.push(frame.payload.data.bonusUpdated.status);
          if (frame.payload.data.bonusUpdated.status === 'CONVERTED') resolve(frame.payload.data.bonusUpdated);
        }),
      );

      const { claimBonus } = await client.ok(CLAIM, { code: welcome, key: `e2e-${randomUUID()}` }, frank.token);
      expect(claimBonus).toMatchObject({ status: 'ACTIVE', amount: 1_000, turnoverRequired: 2_000 });
      expect((await client.ok(WALLETS, {}, frank.token)).me.wallets).toEqual([{ currency: 'EUR', balance: 5_000, bonusBalance: 1_000 }]);

      // bonusBalance cannot be sent: more than the cash balance is refused.
      const tooMuch = await client.gql(TRANSFER, { input: { toUserId: grace.id, amount: 5_500, currency: 'EUR', idempotencyKey: `e2e-${randomUUID()}` } }, frank.token);
      expect(tooMuch.errors?.[0]?.extensions?.['code']).toBe('MSPaymentInsufficientBalance');

      for (const amount of [1_200, 800]) {
        await client.ok(TRANSFER, { input: { toUserId: grace.id, amount, currency: 'EUR', idempotencyKey: `e2e-${randomUUID()}` } }, frank.token);
      }
      expect(await converted).toEqual({ id: claimBonus.id, status: 'CONVERTED', turnoverProgress: 2_000 });
      expect(statuses[0]).toBe('ACTIVE');
      // 5,000 − 2,000 sent + 1,000 converted.
      const wallets = await waitFor(
        async () => {
          const { me } = await client.ok(WALLETS, {}, frank.token);
          return me.wallets[0].bonusBalance === 0 ? me.wallets : null;
        },
        { what: 'wallet after conversion', intervalMs: 200 },
      );
      expect(wallets).toEqual([{ currency: 'EUR', balance: 4_000, bonusBalance: 0 }]);
    } finally {
      socket.disconnect();
    }
  });

  it('an awarded bonus that reaches its expiry goes back to the bonus pool', async () => {
    const admin = await client.admin();
    const manual = code('MANUAL');
    await client.ok(UPSERT, { input: { code: manual, name: 'Goodwill', type: 'MANUAL', currency: 'EUR', amount: 700, turnoverMultiplier: 5, validForDays: 1 } }, admin);
    const heidi = await client.newUser('heidi');
    await database.initialize({ brand: platform.brand, uri: platform.mongoUri });
    const wallets = database.getClient().db(database.getDatabaseNameOf('payment-service')).collection<{ tenantId: string; userId: string; currency: string; bonusBalance: number }>('wallets');
    // The pool is split into sub-wallets (system:bonus-pool#0..N-1); its balance is their sum.
    const poolBonusBalance = async (): Promise<number> =>
      (await wallets.find({ tenantId: DEMO.tenantId, currency: 'EUR', userId: { $regex: '^system:bonus-pool#' } }).toArray()).reduce((sum, w) => sum + w.bonusBalance, 0);

    // heidi registered a moment ago: until bonus-service has her registration the award is
    // refused as MSBonusUserNotFound, which an admin retries with the same key.
    const awardKey = `e2e-${randomUUID()}`;
    const { awardBonus } = await waitFor(
      async () => {
        const answer = await client.gql(AWARD, { userId: heidi.id, code: manual, key: awardKey }, admin);
        if (answer.errors?.[0]?.extensions?.['code'] === 'MSBonusUserNotFound') return undefined;
        if (answer.errors) throw new Error(JSON.stringify(answer.errors));
        return answer.data;
      },
      { what: 'bonus-service to know heidi' },
    );
    expect((await client.ok(WALLETS, {}, heidi.token)).me.wallets).toEqual([{ currency: 'EUR', balance: 0, bonusBalance: 700 }]);
    const poolBefore = await poolBonusBalance();

    // A day passes for this award.
    const awards = (await database.getDb()).collection<{ _id: string; status: string; expiresAt: Date }>('user_bonuses');
    await awards.updateOne({ _id: awardBonus.id }, { $set: { expiresAt: new Date(Date.now() - 1_000) } });
    // Watched in the database: the sweep runs every 500 ms, polling the API that often would spend the rate limit.
    await waitFor(async () => (await awards.findOne({ _id: awardBonus.id }))?.status === 'EXPIRED', { what: 'expiry', timeoutMs: 30_000, intervalMs: 100 });
    expect(await bonusOf(heidi.id, awardBonus.id, admin)).toMatchObject({ status: 'EXPIRED' });

    const after = await waitFor(
      async () => {
        const { me } = await client.ok(WALLETS, {}, heidi.token);
        return me.wallets[0].bonusBalance === 0 ? me.wallets : null;
      },
      { what: 'wallet after expiry', intervalMs: 200 },
    );
    expect(after).toEqual([{ currency: 'EUR', balance: 0, bonusBalance: 0 }]);
    expect(await poolBonusBalance()).toBe(poolBefore + 700);
  });

  it("registering with a referral code earns the inviter a REFERRAL bonus on the invited user's first deposit", async () => {
    const admin = await client.admin();
    const referral = code('REFER');
    await client.ok(UPSERT, { input: { code: referral, name: 'Invite a friend', type: 'REFERRAL', currency: 'EUR', amount: 900, turnoverMultiplier: 1 } }, admin);
    const ivan = await client.newUser('ivan');
    const { me } = await client.ok('{ me { referralCode } }', {}, ivan.token);
    expect(me.referralCode).toMatch(/^[A-Z2-9]{8}$/);

    const email = `judy-${randomUUID().slice(0, 8)}@e2e.local`;
    const { register } = await client.ok(REGISTER, { input: { email, password: 'a-long-enough-password-2026!', displayName: 'judy', tenantId: DEMO.tenantId, referralCode: me.referralCode } });
    const judyId = register.user.id as string;
    await database.initialize({ brand: platform.brand, uri: platform.mongoUri });
    const users = (await database.getDb()).collection<{ _id: string; referredBy: string | null }>('users');
    // bonus-service learns who invited Judy from auth-service's event; the deposit must come after.
    await waitFor(async () => (await users.findOne({ _id: judyId }))?.referredBy === ivan.id, { what: 'the invitation known to bonus-service', intervalMs: 100 });

    await client.deposit(judyId, 3_000);
    const MINE = '{ myBonuses(first: 10) { nodes { templateCode type amount status } } }';
    const bonuses = await waitFor(
      async () => {
        const { myBonuses } = await client.ok(MINE, {}, ivan.token);
        return myBonuses.nodes.length > 0 ? myBonuses.nodes : null;
      },
      { what: 'the referral award', intervalMs: 200 },
    );
    expect(bonuses).toEqual([{ templateCode: referral, type: 'REFERRAL', amount: 900, status: 'ACTIVE' }]);
    expect((await client.ok(WALLETS, {}, ivan.token)).me.wallets).toEqual([{ currency: 'EUR', balance: 0, bonusBalance: 900 }]);
  });
});
