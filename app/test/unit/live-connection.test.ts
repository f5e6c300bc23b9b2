import { describe, expect, it, vi } from 'vitest';
import type { Socket } from 'socket.io-client';
import { LiveConnection, type LiveSink } from '../../src/live/live-connection.js';

/** A stand-in for a Socket.IO client socket: records emits, lets the test play the server. */
class FakeSocket {
  connected = false;
  active = true;
  readonly emitted: Array<[string, unknown]> = [];
  private readonly handlers = new Map<string, Array<(...args: any[]) => void>>();
  ackWith: unknown = { ok: true };
  connects = 0;
  on(name: string, handler: (...args: any[]) => void): this {
    this.handlers.set(name, [...(this.handlers.get(name) ?? []), handler]);
    return this;
  }
  emit(name: string, body: unknown): this {
    this.emitted.push([name, body]);
    return this;
  }
  timeout(): { emit: (name: string, body: unknown, ack: (error: unknown, reply: unknown) => void) => void } {
    return {
      emit: (name, body, ack) => {
        this.emitted.push([name, body]);
        ack(null, this.ackWith);
      },
    };
  }
  connect(): this {
    this.connects++;
    return this;
  }
  disconnect(): this {
    this.connected = false;
    return this;
  }
  serverSends(name: string, ...args: unknown[]): void {
    if (name === 'connect') this.connected = true;
    if (name === 'disconnect') this.connected = false;
    for (const handler of this.handlers.get(name) ?? []) handler(...args);
  }
}

function sink(): LiveSink & { payloads: unknown[] } {
  const payloads: unknown[] = [];
  return { payloads, next: (p) => payloads.push(p), error: vi.fn(), complete: vi.fn() };
}

function setup() {
  const socket = new FakeSocket();
  const onSessionEnded = vi.fn();
  const live = new LiveConnection({ connect: () => socket as unknown as Socket, token: async () => 'token', onSessionEnded });
  return { socket, live, onSessionEnded };
}

describe('the live connection', () => {
  it('sends wanted subscriptions on connect and routes next frames to their sink', () => {
    const { socket, live } = setup();
    const wallets = sink();
    live.subscribe('subscription { walletUpdated { id } }', undefined, wallets);
    expect(socket.emitted).toEqual([]);
    socket.serverSends('connect');
    expect(socket.emitted).toEqual([['subscribe', { id: 's1', query: 'subscription { walletUpdated { id } }', variables: undefined }]]);
    socket.serverSends('next', { id: 's1', payload: { data: { walletUpdated: { id: 'w' } } } });
    expect(wallets.payloads).toEqual([{ data: { walletUpdated: { id: 'w' } } }]);
  });

  it('replays every subscription after a reconnect, and not the ones given up', () => {
    const { socket, live } = setup();
    live.subscribe('subscription { a }', undefined, sink());
    const stop = live.subscribe('subscription { b }', undefined, sink());
    socket.serverSends('connect');
    stop();
    socket.emitted.length = 0;
    socket.serverSends('disconnect', 'transport close');
    socket.serverSends('connect');
    expect(socket.emitted).toEqual([['subscribe', { id: 's1', query: 'subscription { a }', variables: undefined }]]);
  });

  it('hands a refreshed token to the open socket without reconnecting', async () => {
    const { socket, live } = setup();
    live.subscribe('subscription { a }', undefined, sink());
    socket.serverSends('connect');
    await live.authenticate('fresh');
    expect(socket.emitted.at(-1)).toEqual(['authenticate', { token: 'fresh' }]);
    expect(socket.connected).toBe(true);
  });

  it('a revoked session ends the connection and signs out', () => {
    const { socket, live, onSessionEnded } = setup();
    live.subscribe('subscription { a }', undefined, sink());
    socket.serverSends('connect');
    socket.serverSends('error', { errors: [{ message: 'revoked', extensions: { code: 'UNAUTHENTICATED', reason: 'SESSION_REVOKED' } }] });
    expect(onSessionEnded).toHaveBeenCalledWith('SESSION_REVOKED');
  });

  it('an expired token disconnected by the gateway reconnects with a fresh handshake', async () => {
    vi.useFakeTimers();
    try {
      const { socket, live } = setup();
      live.subscribe('subscription { a }', undefined, sink());
      socket.serverSends('connect');
      socket.serverSends('error', { errors: [{ message: 'expired', extensions: { code: 'UNAUTHENTICATED', reason: 'TOKEN_EXPIRED' } }] });
      socket.serverSends('disconnect', 'io server disconnect');
      await vi.advanceTimersByTimeAsync(1);
      expect(socket.connects).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
