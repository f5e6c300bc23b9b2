import { randomUUID } from 'node:crypto';
import { EventSource } from 'eventsource';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionCache, sessionCacheKey } from '../../src/auth/index.js';
import { createIntegrationEvent } from '../../src/events/index.js';
import { createGateway, type Gateway } from '../../src/gateway/index.js';
import { createTestFixture } from '../../src/testing/index.js';
import { startGatewayHarness, type GatewayHarness } from './gateway-fixture.js';

/**
 * Live connections follow their session: two gateway instances on one Redis (as in production
 * behind a load balancer), real tokens, the session cache the auth-service writes.
 */
const fixture = createTestFixture();
let h: GatewayHarness;
let second: Gateway;
let secondBase: string;
const open: Array<{ close(): void }> = [];

beforeAll(async () => {
  h = await startGatewayHarness(fixture.redis(), fixture.brand, { liveSessionSweepMs: 200 });
  second = createGateway({
    subgraphs: [],
    supergraphSdl: h.supergraphSdl,
    production: false,
    redis: fixture.redis(),
    brand: fixture.brand,
    contextSecret: h.secret,
    tokenKeys: h.keys,
    sseHeartbeatMs: 200,
    liveSessionSweepMs: 200,
  });
  secondBase = (await second.start()).url.replace(/\/graphql$/, '');
});
afterAll(async () => {
  for (const connection of open) connection.close();
  await second?.stop();
  await h?.close();
});

const WALLET_SUBSCRIPTION = 'subscription { walletUpdated { userId balance } }';

async function publishWallet(userId: string, balance: number): Promise<void> {
  const event = createIntegrationEvent({
    type: 'wallet.updated',
    tenantId: fixture.tenantId,
    userId,
    data: { wallet: { id: `w-${userId}`, userId, currency: 'EUR', balance, updatedAt: new Date().toISOString() } },
  });
  await fixture.redis().xadd(`${fixture.brand}:events`, '*', 'type', event.type, 'tenantId', event.tenantId, 'event', JSON.stringify(event));
}

interface LiveSocket {
  socket: Socket;
  /** Every frame received, in order (`disconnect` included, with its reason). */
  frames: Array<{ name: string; body: any }>;
  /** The next frame of that name not yet taken, whether it has arrived already or not. */
  next(name: string): Promise<any>;
}

async function connect(base: string, token: string): Promise<LiveSocket> {
  const socket = connectSocket(base, { auth: { token }, transports: ['websocket'], reconnection: false });
  open.push({ close: () => socket.disconnect() });
  const frames: LiveSocket['frames'] = [];
  const taken = new Map<string, number>();
  const waiters: Array<{ name: string; resolve: (body: any) => void }> = [];
  const record = (name: string, body: unknown): void => {
    frames.push({ name, body });
    const index = waiters.findIndex((w) => w.name === name);
    if (index === -1) return;
    taken.set(name, (taken.get(name) ?? 0) + 1);
    waiters.splice(index, 1)[0]!.resolve(body);
  };
  socket.onAny((name: string, body: unknown) => record(name, body));
  socket.on('disconnect', (reason) => record('disconnect', reason));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return {
    socket,
    frames,
    next: (name) => {
      const seen = frames.filter((f) => f.name === name);
      const count = taken.get(name) ?? 0;
      if (seen.length > count) {
        taken.set(name, count + 1);
        return Promise.resolve(seen[count]!.body);
      }
      return new Promise((resolve) => waiters.push({ name, resolve }));
    },
  };
}

/** Subscribes and returns once the subscription is registered (frames are handled in order). */
async function subscribe(live: LiveSocket, id: string): Promise<void> {
  live.socket.emit('subscribe', { id, query: WALLET_SUBSCRIPTION });
  live.socket.emit('subscribe', { id: `${id}-probe`, query: WALLET_SUBSCRIPTION });
  const completed = live.next('complete');
  live.socket.emit('unsubscribe', { id: `${id}-probe` });
  await completed;
}

function authenticate(live: LiveSocket, token: string): Promise<any> {
  return new Promise((resolve) => live.socket.emit('authenticate', { token }, resolve));
}

interface LiveStream {
  source: EventSource;
  next(): Promise<any>;
  /** The final `complete` frame's data. */
  completed: Promise<any>;
}

async function stream(base: string, token: string): Promise<LiveStream> {
  const source = new EventSource(`${base}/graphql/stream?query=${encodeURIComponent(WALLET_SUBSCRIPTION)}`, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${token}` } }),
  });
  open.push(source);
  const queued: any[] = [];
  const waiters: Array<(data: any) => void> = [];
  source.addEventListener('next', (event) => {
    const data = JSON.parse(event.data);
    const waiter = waiters.shift();
    if (waiter) waiter(data);
    else queued.push(data);
  });
  const completed = new Promise<any>((resolve) =>
    source.addEventListener('complete', (event) => {
      // The server ended the stream for good; an EventSource would otherwise reconnect.
      source.close();
      resolve(JSON.parse(event.data));
    }),
  );
  await new Promise<void>((resolve) => source.addEventListener('open', () => resolve()));
  return { source, completed, next: () => (queued.length > 0 ? Promise.resolve(queued.shift()) : new Promise((resolve) => waiters.push(resolve))) };
}

const user = () => `u-${randomUUID().slice(0, 8)}`;
const session = () => `s-${randomUUID()}`;
const revokedFrame = (reason: string) => ({ errors: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED', reason } }] });

describe('revoked sessions', () => {
  it('a revoked session ends its sockets and SSE streams on every gateway instance, and nothing is delivered to them after', async () => {
    const alice = user();
    const revokedSid = session();
    const otherSid = session();
    const onFirst = await connect(h.base, h.token(alice, fixture.tenantId, { sid: revokedSid }));
    const onSecond = await connect(secondBase, h.token(alice, fixture.tenantId, { sid: revokedSid }));
    const otherDevice = await connect(secondBase, h.token(alice, fixture.tenantId, { sid: otherSid }));
    const sse = await stream(secondBase, h.token(alice, fixture.tenantId, { sid: revokedSid }));
    for (const live of [onFirst, onSecond, otherDevice]) await subscribe(live, 'w');
    await publishWallet(alice, 1);
    expect((await sse.next()).data.walletUpdated.balance).toBe(1);
    await otherDevice.next('next');

    // What the auth-service does on logout and on refresh-token reuse.
    const ended = [onFirst.next('disconnect'), onSecond.next('disconnect')];
    await createSessionCache({ redis: fixture.redis(), brand: fixture.brand }).markRevoked([revokedSid], 60);
    expect(await Promise.all(ended)).toEqual(['io server disconnect', 'io server disconnect']);
    expect(await sse.completed).toEqual(revokedFrame('SESSION_REVOKED'));
    for (const live of [onFirst, onSecond]) {
      expect(live.frames.slice(-2)).toEqual([
        { name: 'error', body: revokedFrame('SESSION_REVOKED') },
        { name: 'disconnect', body: 'io server disconnect' },
      ]);
    }

    // The other session's socket is the fence: it gets the next update, the ended ones did not.
    const delivered = otherDevice.next('next');
    await publishWallet(alice, 2);
    expect(await delivered).toEqual({ id: 'w', payload: { data: { walletUpdated: { userId: alice, balance: 2 } } } });
    expect(otherDevice.frames.some((f) => f.name === 'error' || f.name === 'disconnect')).toBe(false);
    expect(onFirst.frames.filter((f) => f.name === 'next')).toHaveLength(1);
    expect(onSecond.frames.filter((f) => f.name === 'next')).toHaveLength(1);
  });

  it('a revocation whose announcement was missed still ends the connection at the next sweep', async () => {
    const bob = user();
    const sid = session();
    const live = await connect(h.base, h.token(bob, fixture.tenantId, { sid }));
    await subscribe(live, 'w');
    const error = live.next('error');
    // Written like the session cache does, without the pub/sub announcement (a gateway that was
    // reconnecting to Redis when it was sent).
    await fixture.redis().set(sessionCacheKey(sid, fixture.brand), 'revoked', 'EX', 60);
    expect(await error).toEqual(revokedFrame('SESSION_REVOKED'));
    expect(await live.next('disconnect')).toBe('io server disconnect');
  });

  it('a connection opened with a token of an already revoked session is refused', async () => {
    const sid = session();
    await createSessionCache({ redis: fixture.redis(), brand: fixture.brand }).markRevoked([sid], 60);
    const token = h.token(user(), fixture.tenantId, { sid });
    const socket = connectSocket(h.base, { auth: { token }, transports: ['websocket'], reconnection: false });
    open.push({ close: () => socket.disconnect() });
    expect((await new Promise<Error>((resolve) => socket.once('connect_error', resolve))).message).toBe('UNAUTHENTICATED');
    const response = await fetch(`${h.base}/graphql/stream?query=${encodeURIComponent(WALLET_SUBSCRIPTION)}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' });
  });
});

describe('token expiry', () => {
  it('an expiring token ends the socket with an UNAUTHENTICATED TOKEN_EXPIRED frame', async () => {
    const live = await connect(h.base, h.token(user(), fixture.tenantId, { ttlSeconds: 1 }));
    expect(await live.next('error')).toEqual(revokedFrame('TOKEN_EXPIRED'));
    expect(await live.next('disconnect')).toBe('io server disconnect');
  });

  it('an expiring token ends the SSE stream with a final TOKEN_EXPIRED frame', async () => {
    const sse = await stream(secondBase, h.token(user(), fixture.tenantId, { ttlSeconds: 1 }));
    expect(await sse.completed).toEqual(revokedFrame('TOKEN_EXPIRED'));
  });
});

describe('authenticate (a fresh token on an open socket)', () => {
  it('keeps the subscriptions past the old token expiry, without reconnecting', async () => {
    const carol = user();
    const sid = session();
    const live = await connect(h.base, h.token(carol, fixture.tenantId, { sid, ttlSeconds: 2 }));
    await subscribe(live, 'w');
    const answer = await authenticate(live, h.token(carol, fixture.tenantId, { sid, ttlSeconds: 600 }));
    expect(answer).toEqual({ ok: true, expiresAt: expect.any(Number) });
    expect(answer.expiresAt * 1000).toBeGreaterThan(Date.now() + 500_000);

    // Fence: a socket whose token expires a second after the old one. When it is ended, the
    // old token's expiry has passed.
    const fence = await connect(h.base, h.token(user(), fixture.tenantId, { ttlSeconds: 3 }));
    await fence.next('disconnect');

    const delivered = live.next('next');
    await publishWallet(carol, 5);
    expect(await delivered).toEqual({ id: 'w', payload: { data: { walletUpdated: { userId: carol, balance: 5 } } } });
    expect(live.socket.connected).toBe(true);
    expect(live.frames.some((f) => f.name === 'error' || f.name === 'disconnect')).toBe(false);
  });

  it("a bad token or another user's token gets a typed error and leaves the socket and its subscriptions as they were", async () => {
    const dan = user();
    const live = await connect(h.base, h.token(dan, fixture.tenantId));
    await subscribe(live, 'w');
    expect(await authenticate(live, 'not-a-token')).toEqual({ ok: false, errors: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_INVALID' } }] });
    expect(await authenticate(live, h.token(dan, fixture.tenantId, { ttlSeconds: -120 }))).toMatchObject({ ok: false, errors: [{ extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' } }] });
    expect(await authenticate(live, h.token(user(), fixture.tenantId))).toMatchObject({ ok: false, errors: [{ extensions: { code: 'FORBIDDEN', reason: 'DIFFERENT_USER' } }] });

    const delivered = live.next('next');
    await publishWallet(dan, 9);
    expect(await delivered).toEqual({ id: 'w', payload: { data: { walletUpdated: { userId: dan, balance: 9 } } } });
    expect(live.socket.connected).toBe(true);
  });

  it('without an acknowledgement callback the answer comes as an `authenticated` frame', async () => {
    const erin = user();
    const live = await connect(h.base, h.token(erin, fixture.tenantId));
    const answered = live.next('authenticated');
    live.socket.emit('authenticate', { token: h.token(erin, fixture.tenantId, { ttlSeconds: 600 }) });
    expect(await answered).toEqual({ expiresAt: expect.any(Number) });
    const refused = live.next('error');
    live.socket.emit('authenticate', { token: 'nope' });
    expect(await refused).toMatchObject({ operation: 'authenticate', errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
  });

  it("moving to a new session's token detaches the socket from the old session", async () => {
    const fay = user();
    const oldSid = session();
    const live = await connect(h.base, h.token(fay, fixture.tenantId, { sid: oldSid }));
    const stayedOnOld = await connect(h.base, h.token(fay, fixture.tenantId, { sid: oldSid }));
    await subscribe(live, 'w');
    expect(await authenticate(live, h.token(fay, fixture.tenantId, { sid: session() }))).toMatchObject({ ok: true });

    const fenceEnded = stayedOnOld.next('disconnect');
    await createSessionCache({ redis: fixture.redis(), brand: fixture.brand }).markRevoked([oldSid], 60);
    await fenceEnded;
    const delivered = live.next('next');
    await publishWallet(fay, 3);
    expect(await delivered).toMatchObject({ id: 'w' });
    expect(live.frames.some((f) => f.name === 'error' || f.name === 'disconnect')).toBe(false);
  });
});
