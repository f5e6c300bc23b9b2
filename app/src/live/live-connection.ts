import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';

/**
 * The gateway's Socket.IO live transport (shared/API.md, "Live updates"): `subscribe {id, query,
 * variables}` → `next {id, payload}` / `error {id, errors}` / `complete {id}`; `unsubscribe {id}`;
 * `authenticate {token}` hands a refreshed token to an open socket.
 *
 * Hand-written rather than a GraphQL-over-WebSocket client (graphql-ws and friends): the gateway
 * speaks its own small protocol over Socket.IO, so the client is this thin layer that keeps the
 * wanted subscriptions and replays them on every (re)connection.
 */
export interface LiveError {
  message: string;
  extensions?: { code?: string; reason?: string };
}

export interface LiveSink {
  next(payload: { data?: unknown; errors?: LiveError[] }): void;
  error(errors: LiveError[]): void;
  complete(): void;
}

export type ConnectSocket = (options: Partial<ManagerOptions & SocketOptions>) => Socket;

export interface LiveConnectionOptions {
  connect: ConnectSocket;
  /** A token good now (refreshed if due); null when signed out. */
  token: () => Promise<string | null>;
  /** The gateway ended the session (revoked): sign out. */
  onSessionEnded: (reason: string) => void;
  onStatus?: (status: LiveStatus) => void;
}

export type LiveStatus = 'connecting' | 'live' | 'offline';

interface Wanted {
  query: string;
  variables: Record<string, unknown> | undefined;
  sink: LiveSink;
}

export class LiveConnection {
  private socket: Socket | undefined;
  private readonly wanted = new Map<string, Wanted>();
  private counter = 0;
  private closed = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private attempts = 0;

  constructor(private readonly options: LiveConnectionOptions) {}

  subscribe(query: string, variables: Record<string, unknown> | undefined, sink: LiveSink): () => void {
    const id = `s${++this.counter}`;
    this.wanted.set(id, { query, variables, sink });
    const socket = this.ensureSocket();
    if (socket.connected) socket.emit('subscribe', { id, query, variables });
    return () => {
      if (!this.wanted.delete(id)) return;
      if (this.socket?.connected) this.socket.emit('unsubscribe', { id });
    };
  }

  /** Hands a refreshed token to the open socket; a refusal reconnects with a fresh handshake. */
  async authenticate(token: string): Promise<void> {
    const socket = this.socket;
    if (!socket?.connected) return;
    const answer = await new Promise<{ ok: boolean } | undefined>((resolve) => {
      socket.timeout(10_000).emit('authenticate', { token }, (error: unknown, reply: { ok: boolean }) => resolve(error ? undefined : reply));
    });
    if (answer?.ok !== true && socket === this.socket) {
      socket.disconnect();
      this.reconnectSoon(0);
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.wanted.clear();
    this.socket?.disconnect();
    this.socket = undefined;
  }

  private ensureSocket(): Socket {
    if (this.socket) return this.socket;
    this.closed = false;
    const socket = this.options.connect({
      path: '/socket.io',
      transports: ['websocket'],
      // Called on every (re)connection attempt, so a reconnect always carries a current token.
      auth: (callback: (auth: Record<string, unknown>) => void) => {
        this.options
          .token()
          .then((token) => callback({ token }))
          .catch(() => callback({}));
      },
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
    });
    this.socket = socket;
    this.options.onStatus?.('connecting');
    socket.on('connect', () => {
      this.attempts = 0;
      this.options.onStatus?.('live');
      // The gateway keeps no subscriptions across connections: replay every wanted one.
      for (const [id, { query, variables }] of this.wanted) socket.emit('subscribe', { id, query, variables });
    });
    socket.on('next', (frame: { id: string; payload: { data?: unknown; errors?: LiveError[] } }) => {
      this.wanted.get(frame.id)?.sink.next(frame.payload);
    });
    socket.on('complete', (frame: { id: string }) => {
      const wanted = this.wanted.get(frame.id);
      if (!wanted) return;
      this.wanted.delete(frame.id);
      wanted.sink.complete();
    });
    socket.on('error', (frame: { id?: string; errors?: LiveError[] }) => {
      const errors = frame.errors ?? [];
      if (frame.id !== undefined) {
        const wanted = this.wanted.get(frame.id);
        this.wanted.delete(frame.id);
        wanted?.sink.error(errors);
        return;
      }
      const reason = errors[0]?.extensions?.reason;
      if (reason === 'SESSION_REVOKED') {
        this.close();
        this.options.onSessionEnded(reason);
      }
      // TOKEN_EXPIRED: the gateway disconnects next; `disconnect` reconnects with a fresh token.
    });
    socket.on('disconnect', (reason: string) => {
      if (this.closed) return;
      this.options.onStatus?.('offline');
      // A server-side disconnect is not retried by Socket.IO itself.
      if (reason === 'io server disconnect') this.reconnectSoon(0);
    });
    socket.on('connect_error', () => {
      if (this.closed) return;
      this.options.onStatus?.('offline');
      // Refused by the gateway's middleware (UNAUTHENTICATED): Socket.IO does not retry those.
      if (!socket.active) this.reconnectSoon();
    });
    return socket;
  }

  private reconnectSoon(delay = Math.min(10_000, 500 * 2 ** this.attempts++)): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      if (this.closed || !this.socket || this.socket.connected) return;
      void this.options.token().then((token) => {
        if (token === null) return this.close();
        this.socket?.connect();
      });
    }, delay);
  }
}
