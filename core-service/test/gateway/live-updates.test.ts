import { EventSource } from 'eventsource';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIntegrationEvent } from '../../src/events/index.js';
import { createTestFixture } from '../../src/testing/index.js';
import { startGatewayHarness, type GatewayHarness } from './gateway-fixture.js';

const fixture = createTestFixture();
let h: GatewayHarness;
const open: Array<{ close(): void }> = [];

beforeAll(async () => {
  h = await startGatewayHarness(fixture.redis(), fixture.brand);
});
afterAll(async () => {
  for (const connection of open) connection.close();
  await h.close();
});

/** What a service's outbox relay does: one integration event on the brand's stream. */
async function publishEvent(type: string, userId: string, data: Record<string, unknown>, tenantId = fixture.tenantId): Promise<string> {
  const event = createIntegrationEvent({ type, tenantId, userId, data });
  await fixture.redis().xadd(`${fixture.brand}:events`, '*', 'type', event.type, 'tenantId', event.tenantId, 'event', JSON.stringify(event));
  return event.id;
}

const wallet = (userId: string, balance: number) => ({ wallet: { id: `w-${userId}`, userId, currency: 'EUR', balance, updatedAt: new Date().toISOString() } });

function connect(token: string): Promise<Socket> {
  const socket = connectSocket(h.base, { auth: { token }, transports: ['websocket'], reconnection: false });
  open.push({ close: () => socket.disconnect() });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

function nextFrame<T = any>(socket: Socket, name: string): Promise<T> {
  return new Promise((resolve) => socket.once(name, resolve));
}

describe('Socket.IO', () => {
  it('delivers walletUpdated to the wallet owner only, shaped by the subscription document', async () => {
    const alice = await connect(h.token('alice', fixture.tenantId));
    const bob = await connect(h.token('bob', fixture.tenantId));
    const bobFrames: unknown[] = [];
    bob.on('next', (frame) => bobFrames.push(frame));
    alice.emit('subscribe', { id: 'w1', query: 'subscription { walletUpdated { userId balance } }' });
    bob.emit('subscribe', { id: 'b1', query: 'subscription { walletUpdated { userId balance } }' });
    // Frames are handled in order: the probe's `complete` means both subscriptions are in place.
    alice.emit('subscribe', { id: 'probe', query: 'subscription { walletUpdated { userId } }' });
    alice.emit('unsubscribe', { id: 'probe' });
    await nextFrame(alice, 'complete');
    bob.emit('subscribe', { id: 'probe', query: 'subscription { walletUpdated { userId } }' });
    bob.emit('unsubscribe', { id: 'probe' });
    await nextFrame(bob, 'complete');

    const received = nextFrame(alice, 'next');
    await publishEvent('wallet.updated', 'alice', wallet('alice', 4200));
    expect(await received).toEqual({ id: 'w1', payload: { data: { walletUpdated: { userId: 'alice', balance: 4200 } } } });
    // Bob's own event reaches him, and only his: Alice's never did.
    const bobReceived = nextFrame(bob, 'next');
    await publishEvent('wallet.updated', 'bob', wallet('bob', 7));
    expect(await bobReceived).toEqual({ id: 'b1', payload: { data: { walletUpdated: { userId: 'bob', balance: 7 } } } });
    expect(bobFrames).toHaveLength(1);
  });

  it('refuses a connection without a valid token', async () => {
    const socket = connectSocket(h.base, { auth: {}, transports: ['websocket'], reconnection: false });
    open.push({ close: () => socket.disconnect() });
    const error = await nextFrame<Error>(socket, 'connect_error');
    expect(error.message).toBe('UNAUTHENTICATED');
  });

  it('validates subscription documents like queries', async () => {
    const socket = await connect(h.token('carol', fixture.tenantId));
    socket.emit('subscribe', { id: 'bad', query: 'subscription { walletUpdated { noSuchField } }' });
    const error = await nextFrame(socket, 'error');
    expect(error).toMatchObject({ id: 'bad', errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    socket.emit('subscribe', { id: 'q', query: '{ me { id } }' });
    expect(await nextFrame(socket, 'error')).toMatchObject({ id: 'q', errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
  });

  it('disconnects a socket when its access token expires', async () => {
    const socket = await connect(h.token('dave', fixture.tenantId, { ttlSeconds: 1 }));
    const reason = await nextFrame<string>(socket, 'disconnect');
    expect(reason).toBe('io server disconnect');
  });
});

describe('SSE', () => {
  function stream(token: string, lastEventId?: string): { source: EventSource; events: Array<{ id: string; data: any }>; next(): Promise<{ id: string; data: any }> } {
    const query = encodeURIComponent('subscription { walletUpdated { userId balance } }');
    const source = new EventSource(`${h.base}/graphql/stream?query=${query}`, {
      fetch: (input, init) =>
        fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${token}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) } }),
    });
    open.push(source);
    const events: Array<{ id: string; data: any }> = [];
    const waiters: Array<(e: { id: string; data: any }) => void> = [];
    source.addEventListener('next', (event) => {
      const item = { id: event.lastEventId, data: JSON.parse(event.data) };
      const waiter = waiters.shift();
      if (waiter) waiter(item);
      else events.push(item);
    });
    return {
      source,
      events,
      next: () => (events.length > 0 ? Promise.resolve(events.shift()!) : new Promise((resolve) => waiters.push(resolve))),
    };
  }
  const opened = (source: EventSource) => new Promise<void>((resolve) => (source.readyState === 1 ? resolve() : source.addEventListener('open', () => resolve())));

  it('streams walletUpdated and resumes from Last-Event-ID after a disconnect', async () => {
    const token = h.token('erin', fixture.tenantId);
    const first = stream(token);
    await opened(first.source);
    await publishEvent('wallet.updated', 'erin', wallet('erin', 1));
    const one = await first.next();
    expect(one.data).toEqual({ data: { walletUpdated: { userId: 'erin', balance: 1 } } });
    first.source.close();

    // Missed while disconnected:
    await publishEvent('wallet.updated', 'erin', wallet('erin', 2));
    await publishEvent('wallet.updated', 'erin', wallet('erin', 3));
    await publishEvent('wallet.updated', 'frank', wallet('frank', 99));
    // The hub appends each message to the backlog before fanning it out; wait until both are there.
    const backlogKey = `${fixture.brand}:gateway:live:backlog:${fixture.tenantId}:erin`;
    for (let i = 0; i < 200 && (await fixture.redis().xlen(backlogKey)) < 3; i++) await new Promise((r) => setImmediate(r));

    const resumed = stream(token, one.id);
    const missed = [await resumed.next(), await resumed.next()];
    expect(missed.map((e) => e.data.data.walletUpdated.balance)).toEqual([2, 3]);
    await publishEvent('wallet.updated', 'erin', wallet('erin', 4));
    expect((await resumed.next()).data.data.walletUpdated.balance).toBe(4);
  });

  it('a live fan-out that lags behind the backlog read is not sent twice after a resume', async () => {
    const token = h.token('hank', fixture.tenantId);
    const first = stream(token);
    await opened(first.source);
    await publishEvent('wallet.updated', 'hank', wallet('hank', 1));
    const one = await first.next();
    first.source.close();
    await publishEvent('wallet.updated', 'hank', wallet('hank', 2));
    const backlogKey = `${fixture.brand}:gateway:live:backlog:${fixture.tenantId}:hank`;
    for (let i = 0; i < 200 && (await fixture.redis().xlen(backlogKey)) < 2; i++) await new Promise((r) => setImmediate(r));
    const [[missedId, missedFields]] = (await fixture.redis().xrange(backlogKey, `(${one.id}`, '+')) as [[string, string[]]];

    const resumed = stream(token, one.id);
    expect((await resumed.next()).data.data.walletUpdated.balance).toBe(2);
    // The fan-out of that same backlog entry reaches the instance only now, as a lagging
    // pub/sub delivery would; then a new event, which must be the very next frame.
    const message = JSON.parse(missedFields[1]!) as { userIds: string[] };
    await fixture.redis().publish(`${fixture.brand}:gateway:live:fanout`, JSON.stringify({ message, entryIds: { hank: missedId } }));
    await publishEvent('wallet.updated', 'hank', wallet('hank', 3));
    expect((await resumed.next()).data.data.walletUpdated.balance).toBe(3);
  });

  it('refuses an anonymous stream with 401', async () => {
    const response = await fetch(`${h.base}/graphql/stream?query=${encodeURIComponent('subscription { walletUpdated { balance } }')}`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('sends heartbeats and tears down on client disconnect', async () => {
    const sseCount = async () => Number(/transport="sse"\} (\d+)/.exec(await h.gateway.metrics.registry.getSingleMetricAsString('gateway_live_connections'))?.[1] ?? 0);
    const initial = await sseCount();
    const token = h.token('gina', fixture.tenantId);
    const controller = new AbortController();
    const response = await fetch(`${h.base}/graphql/stream?query=${encodeURIComponent('subscription { walletUpdated { balance } }')}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes(': heartbeat')) text += new TextDecoder().decode((await reader.read()).value);
    expect(await sseCount()).toBe(initial + 1);
    controller.abort();
    // Polls the gauge: teardown happens when the server sees the socket close, not at abort().
    for (let i = 0; i < 500; i++) {
      if ((await sseCount()) === initial) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('SSE connection was not torn down');
  });
});
