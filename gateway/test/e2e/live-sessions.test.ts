import { EventSource } from 'eventsource';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, LOGIN, type TestUser } from '../support/client.js';

/**
 * Live channels end with the session that opened them (issue 11, item 5), through the whole
 * platform: auth-service revokes, the gateway ends sockets and SSE streams. Token expiry and
 * the refresh-racing cases are covered in-process (core-service/test/gateway/live-sessions.test.ts),
 * where a token's lifetime can be seconds.
 */
const client = new Client();
const platform = client.platform;
const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const connection of open.splice(0)) connection.close();
});

const WALLET = 'subscription { walletUpdated { userId balance } }';
const REFRESH = 'mutation Refresh($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) { accessToken refreshToken } }';
const LOGOUT = 'mutation Logout($refreshToken: String!) { logout(refreshToken: $refreshToken) }';
const revokedFrame = { errors: [{ message: expect.any(String), extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' } }] };

interface LiveSocket {
  socket: Socket;
  frames: Array<{ name: string; body: any }>;
  /** Resolves with the first frame of that name from now on. */
  next(name: string): Promise<any>;
}

async function subscribedSocket(token: string): Promise<LiveSocket> {
  const socket = connectSocket(platform.gatewayBase, { auth: { token }, transports: ['websocket'], reconnection: false });
  open.push({ close: () => socket.disconnect() });
  const frames: LiveSocket['frames'] = [];
  socket.onAny((name: string, body: unknown) => frames.push({ name, body }));
  socket.on('disconnect', (reason) => frames.push({ name: 'disconnect', body: reason }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const next = (name: string) => new Promise<any>((resolve) => socket.once(name, resolve));
  socket.emit('subscribe', { id: 'w', query: WALLET });
  // Frames are handled in order: the probe's `complete` means `w` is registered.
  socket.emit('subscribe', { id: 'probe', query: WALLET });
  const completed = next('complete');
  socket.emit('unsubscribe', { id: 'probe' });
  await completed;
  return { socket, frames, next };
}

async function subscribedStream(token: string): Promise<{ balances: number[]; completed: Promise<any> }> {
  const source = new EventSource(`${platform.gatewayBase}/graphql/stream?query=${encodeURIComponent(WALLET)}`, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${token}` } }),
  });
  open.push(source);
  const balances: number[] = [];
  source.addEventListener('next', (event) => balances.push(JSON.parse(event.data).data.walletUpdated.balance));
  const completed = new Promise<any>((resolve) =>
    source.addEventListener('complete', (event) => {
      source.close();
      resolve(JSON.parse(event.data));
    }),
  );
  await new Promise<void>((resolve) => source.addEventListener('open', () => resolve()));
  return { balances, completed };
}

/** A second session of the same user (another device): its socket is the fence for "nothing arrived". */
async function otherDevice(user: TestUser): Promise<LiveSocket> {
  const { login } = await client.ok(LOGIN, { input: { email: user.email, password: user.password, tenantId: 'demo' } });
  return subscribedSocket(login.accessToken);
}

/** Ends are asserted, then a deposit reaches the other session and none of the ended ones. */
async function expectEndedAndDeaf(user: TestUser, ended: LiveSocket, stream: { balances: number[]; completed: Promise<any> }, fence: LiveSocket): Promise<void> {
  expect(await stream.completed).toEqual(revokedFrame);
  const closing = ended.frames.slice(-2);
  expect(closing).toEqual([
    { name: 'error', body: revokedFrame },
    { name: 'disconnect', body: 'io server disconnect' },
  ]);

  const delivered = fence.next('next');
  await client.deposit(user.id, 700);
  expect((await delivered).payload.data.walletUpdated).toEqual({ userId: user.id, balance: 1_000 });
  expect(ended.frames.filter((f) => f.name === 'next').map((f) => f.body.payload.data.walletUpdated.balance)).toEqual([300]);
  expect(stream.balances).toEqual([300]);
}

describe('live channels end with their session', () => {
  it('after logout the socket gets UNAUTHENTICATED and is disconnected, the SSE stream ends, and a later deposit reaches neither', async () => {
    const user = await client.newUser('live-logout');
    const socket = await subscribedSocket(user.token);
    const stream = await subscribedStream(user.token);
    const fence = await otherDevice(user);
    const first = socket.next('next');
    await client.deposit(user.id, 300);
    await first;

    const disconnected = socket.next('disconnect');
    expect(await client.ok(LOGOUT, { refreshToken: user.refreshToken }, user.token)).toEqual({ logout: true });
    await disconnected;
    await expectEndedAndDeaf(user, socket, stream, fence);
  });

  it('a reused refresh token revokes the session family and ends its socket and SSE stream', async () => {
    const user = await client.newUser('live-reuse');
    const socket = await subscribedSocket(user.token);
    const stream = await subscribedStream(user.token);
    const fence = await otherDevice(user);
    const first = socket.next('next');
    await client.deposit(user.id, 300);
    await first;

    await client.ok(REFRESH, { refreshToken: user.refreshToken });
    const disconnected = socket.next('disconnect');
    const replay = await client.gql(REFRESH, { refreshToken: user.refreshToken });
    expect(replay.errors?.[0]?.extensions?.['code']).toBe('MSAuthRefreshTokenReused');
    await disconnected;
    await expectEndedAndDeaf(user, socket, stream, fence);
  });

  it('a socket that hands over a refreshed token keeps its subscription, and still ends when that session logs out', async () => {
    const user = await client.newUser('live-reauth');
    const socket = await subscribedSocket(user.token);
    const refreshed = (await client.ok(REFRESH, { refreshToken: user.refreshToken })).refreshToken;

    const answer = await new Promise<any>((resolve) => socket.socket.emit('authenticate', { token: refreshed.accessToken }, resolve));
    expect(answer).toEqual({ ok: true, expiresAt: expect.any(Number) });
    const refused = await new Promise<any>((resolve) => socket.socket.emit('authenticate', { token: 'garbage' }, resolve));
    expect(refused).toMatchObject({ ok: false, errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });

    const delivered = socket.next('next');
    await client.deposit(user.id, 450);
    expect(await delivered).toEqual({ id: 'w', payload: { data: { walletUpdated: { userId: user.id, balance: 450 } } } });
    expect(socket.socket.connected).toBe(true);

    const ended = socket.next('error');
    await client.ok(LOGOUT, { refreshToken: refreshed.refreshToken }, refreshed.accessToken);
    expect(await ended).toEqual(revokedFrame);
  });
});
