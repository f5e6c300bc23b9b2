import { needsRefresh, refreshDelay } from './refresh-schedule.js';

/**
 * The signed-in session: tokens, the user, refresh before expiry, sign-out, and the hand-over of
 * rotated tokens between tabs. Framework-free so the timing can be tested with fake timers.
 *
 * Storage: localStorage, so a reload or a second tab stays signed in. The trade-off (README,
 * "Refresh tokens"): a script injected into the page could read it; the API hands tokens out in
 * the response body and has no cookie mode, so an httpOnly cookie is not available to the app.
 * Refresh tokens rotate and a reused one revokes the whole family, so two tabs must never both
 * spend the same one: refreshes are serialised across tabs with the Web Locks API, and a tab
 * that gets the lock after another tab refreshed adopts the stored result instead of spending
 * the old token.
 */
export interface SessionUser {
  id: string;
  tenantId: string;
  email: string | null;
  displayName: string | null;
  roles: string[];
  referralCode?: string | null;
}

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  issuedAt: number;
  expiresAt: number;
  expiresIn: number;
  user: SessionUser;
}

export interface AuthPayloadLike {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: SessionUser;
}

/** What the refresh call may answer: new tokens, "this session is over", or "try again later". */
export type RefreshResult = { kind: 'ok'; payload: AuthPayloadLike } | { kind: 'ended'; code: string } | { kind: 'unavailable' };

export interface SessionOptions {
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  refresh: (refreshToken: string) => Promise<RefreshResult>;
  now?: () => number;
  /** navigator.locks where available; absent in jsdom and old browsers (then in-tab only). */
  locks?: { request<T>(name: string, callback: () => Promise<T>): Promise<T> } | undefined;
  /** Retry delay after a refresh that failed on the network. */
  retryMs?: number;
}

export const SESSION_STORAGE_KEY = 'payment-app.session';

type Listener = (tokens: SessionTokens | null, why: 'signed-in' | 'refreshed' | 'signed-out' | 'ended') => void;

export class Session {
  private tokens: SessionTokens | null;
  private readonly listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<SessionTokens | null> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: SessionOptions) {
    this.now = options.now ?? Date.now;
    this.tokens = this.read();
    this.schedule();
  }

  get current(): SessionTokens | null {
    return this.tokens;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  signIn(payload: AuthPayloadLike): void {
    this.adopt(this.fromPayload(payload), 'signed-in');
  }

  /** Forgets the session locally (the caller has told the server with `logout`). */
  signOut(why: 'signed-out' | 'ended' = 'signed-out'): void {
    this.options.storage.removeItem(SESSION_STORAGE_KEY);
    this.adopt(null, why);
  }

  /** An access token good for a request now: refreshed first when it is about to expire. */
  async accessToken(): Promise<string | null> {
    const tokens = this.tokens;
    if (!tokens) return null;
    if (!needsRefresh(tokens.expiresAt, this.now())) return tokens.accessToken;
    return (await this.refreshNow())?.accessToken ?? null;
  }

  /** Refreshes now; concurrent callers share one refresh. */
  refreshNow(): Promise<SessionTokens | null> {
    this.refreshing ??= this.runRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Another tab wrote the session (the `storage` event): take its tokens, or its sign-out. */
  adoptStored(): void {
    const stored = this.read();
    if (stored?.refreshToken === this.tokens?.refreshToken) return;
    this.tokens = stored;
    this.schedule();
    this.emit(stored ? 'refreshed' : 'signed-out');
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.listeners.clear();
  }

  private async runRefresh(): Promise<SessionTokens | null> {
    const spent = this.tokens;
    if (!spent) return null;
    const work = async (): Promise<SessionTokens | null> => {
      // Another tab may have rotated the token while this one waited for the lock.
      const stored = this.read();
      if (stored && stored.refreshToken !== spent.refreshToken && stored.expiresAt > spent.expiresAt) {
        this.adopt(stored, 'refreshed');
        return stored;
      }
      if (!stored && this.tokens === spent) {
        this.adopt(null, 'signed-out');
        return null;
      }
      const result = await this.options.refresh(spent.refreshToken);
      if (this.tokens !== spent) return this.tokens; // signed out or replaced meanwhile
      if (result.kind === 'ok') {
        const next = this.fromPayload(result.payload);
        this.adopt(next, 'refreshed');
        return next;
      }
      if (result.kind === 'ended') {
        this.signOut('ended');
        return null;
      }
      this.timer = setTimeout(() => void this.refreshNow(), this.options.retryMs ?? 5_000);
      return spent.expiresAt > this.now() ? spent : null;
    };
    return this.options.locks ? this.options.locks.request('payment-app.refresh', work) : work();
  }

  private fromPayload(payload: AuthPayloadLike): SessionTokens {
    const issuedAt = this.now();
    return {
      accessToken: payload.accessToken,
      refreshToken: payload.refreshToken,
      expiresIn: payload.expiresIn,
      issuedAt,
      expiresAt: issuedAt + payload.expiresIn * 1000,
      user: {
        id: payload.user.id,
        tenantId: payload.user.tenantId,
        email: payload.user.email,
        displayName: payload.user.displayName,
        roles: [...payload.user.roles],
        referralCode: payload.user.referralCode ?? null,
      },
    };
  }

  private adopt(tokens: SessionTokens | null, why: Parameters<Listener>[1]): void {
    this.tokens = tokens;
    if (tokens) this.options.storage.setItem(SESSION_STORAGE_KEY, JSON.stringify(tokens));
    this.schedule();
    this.emit(why);
  }

  private emit(why: Parameters<Listener>[1]): void {
    for (const listener of [...this.listeners]) listener(this.tokens, why);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const tokens = this.tokens;
    if (!tokens) return;
    this.timer = setTimeout(() => void this.refreshNow(), refreshDelay(tokens.issuedAt, tokens.expiresIn, this.now()));
  }

  private read(): SessionTokens | null {
    try {
      const text = this.options.storage.getItem(SESSION_STORAGE_KEY);
      if (!text) return null;
      const parsed = JSON.parse(text) as SessionTokens;
      return typeof parsed.accessToken === 'string' && typeof parsed.refreshToken === 'string' ? parsed : null;
    } catch {
      return null;
    }
  }
}
