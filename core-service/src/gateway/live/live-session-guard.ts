import type { Redis } from 'ioredis';
import { createSessionCache, sessionRevocationChannel, type SessionCache } from '../../auth/session-cache.js';
import type { Logger } from '../../logger/logger.js';
import { duplicateConnection } from '../../redis/duplicate-connection.js';
import type { Caller } from '../gateway-plugin.js';

/** Why a live connection was ended by the gateway (the `reason` of its final frame). */
export type LiveEndReason = 'SESSION_REVOKED' | 'TOKEN_EXPIRED';

export interface LiveSessionGuardOptions {
  redis: Redis;
  logger: Logger;
  /** The brand: the session cache's keys and revocation channel are under it. */
  brand?: string | null;
  /** How often live sessions are re-checked against the session cache. Default 2 s. */
  sweepIntervalMs?: number;
  /** Every revocation announced on the channel (the per-request check's cache listens here). */
  onRevoked?: (sessionIds: readonly string[]) => void;
}

/** One watched connection: `renew` after a re-authentication, `release` when it closes. */
export interface WatchedConnection {
  renew(caller: Caller): void;
  release(): void;
}

interface Entry {
  sessionId: string | undefined;
  timer: NodeJS.Timeout | undefined;
  end: (reason: LiveEndReason) => void;
}

/**
 * Keeps live connections (sockets, SSE streams) within the life of the session and the token
 * they were opened with. A request is checked once; a connection lives on, so without this a
 * logout, a reused refresh token or a suspension would leave the user's streams delivering.
 *
 * Revocation reaches every gateway instance two ways: the session cache announces each one on
 * a pub/sub channel (ends connections within milliseconds), and every `sweepIntervalMs` the
 * sessions with live connections here are re-read from the cache in one MGET. The sweep is the
 * guarantee: pub/sub loses messages while a subscriber reconnects, and a connection admitted
 * just before a revocation landed would otherwise outlive it. Expiry is a timer per connection
 * at the token's `exp`, reset when the client hands over a fresh token.
 */
export class LiveSessionGuard {
  readonly #options: LiveSessionGuardOptions;
  readonly #sessions: SessionCache;
  readonly #bySession = new Map<string, Set<Entry>>();
  #subscriber: Redis | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #sweeping = false;

  constructor(options: LiveSessionGuardOptions) {
    this.#options = options;
    this.#sessions = createSessionCache({ redis: options.redis, brand: options.brand ?? null });
  }

  async start(): Promise<void> {
    const channel = sessionRevocationChannel(this.#options.brand);
    this.#subscriber = await duplicateConnection(this.#options.redis);
    this.#subscriber.on('message', (received: string, text: string) => {
      if (received !== channel) return;
      const sessionIds = parseSessionIds(text);
      this.#options.onRevoked?.(sessionIds);
      this.#endSessions(sessionIds);
    });
    await this.#subscriber.subscribe(channel);
    this.#sweep = setInterval(() => void this.#sweepRevoked(), this.#options.sweepIntervalMs ?? 2_000);
    this.#sweep.unref();
  }

  async stop(): Promise<void> {
    if (this.#sweep) clearInterval(this.#sweep);
    this.#sweep = undefined;
    this.#subscriber?.disconnect();
    this.#subscriber = undefined;
    for (const entries of this.#bySession.values()) for (const entry of entries) clearTimeout(entry.timer);
    this.#bySession.clear();
  }

  /** Calls `end` once, when the caller's session is revoked or its token expires. */
  watch(caller: Caller, end: (reason: LiveEndReason) => void): WatchedConnection {
    let ended = false;
    const entry: Entry = {
      sessionId: undefined,
      timer: undefined,
      end: (reason) => {
        if (ended) return;
        ended = true;
        this.#forget(entry);
        end(reason);
      },
    };
    this.#track(entry, caller);
    return {
      renew: (next) => {
        if (ended) return;
        this.#forget(entry);
        this.#track(entry, next);
      },
      release: () => {
        ended = true;
        this.#forget(entry);
      },
    };
  }

  #track(entry: Entry, caller: Caller): void {
    entry.sessionId = caller.sessionId;
    if (caller.sessionId !== undefined) {
      let entries = this.#bySession.get(caller.sessionId);
      if (!entries) this.#bySession.set(caller.sessionId, (entries = new Set()));
      entries.add(entry);
    }
    if (caller.expiresAt !== undefined) {
      // setTimeout overflows past ~24.8 days and fires at once; no access token lives that long,
      // but a misconfigured TTL must not end every connection immediately.
      const delay = Math.min(Math.max(0, caller.expiresAt * 1000 - Date.now()), 2 ** 31 - 1);
      entry.timer = setTimeout(() => entry.end('TOKEN_EXPIRED'), delay);
      entry.timer.unref();
    }
  }

  #forget(entry: Entry): void {
    clearTimeout(entry.timer);
    entry.timer = undefined;
    if (entry.sessionId === undefined) return;
    const entries = this.#bySession.get(entry.sessionId);
    entries?.delete(entry);
    if (entries?.size === 0) this.#bySession.delete(entry.sessionId);
  }

  #endSessions(sessionIds: readonly string[]): void {
    for (const sessionId of sessionIds) {
      const entries = this.#bySession.get(sessionId);
      if (!entries) continue;
      for (const entry of [...entries]) {
        try {
          entry.end('SESSION_REVOKED');
        } catch (error) {
          this.#options.logger.warn({ err: error }, 'ending a revoked live connection failed');
        }
      }
    }
  }

  async #sweepRevoked(): Promise<void> {
    if (this.#sweeping || this.#bySession.size === 0) return;
    this.#sweeping = true;
    try {
      const sessionIds = [...this.#bySession.keys()];
      const revoked: string[] = [];
      // Chunked: one MGET of every session a busy instance holds would block Redis for a while.
      for (let i = 0; i < sessionIds.length; i += 500) {
        const chunk = sessionIds.slice(i, i + 500);
        const states = await this.#sessions.getStates(chunk);
        states.forEach((state, index) => {
          if (state === 'revoked') revoked.push(chunk[index]!);
        });
      }
      this.#endSessions(revoked);
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'live session sweep failed; retrying at the next interval');
    } finally {
      this.#sweeping = false;
    }
  }
}

function parseSessionIds(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

/** The error of a live connection's final frame: the client should refresh its token or sign in. */
export function liveEndError(reason: LiveEndReason): { message: string; extensions: { code: 'UNAUTHENTICATED'; reason: LiveEndReason } } {
  const message = reason === 'SESSION_REVOKED' ? 'The session has been revoked' : 'The access token has expired';
  return { message, extensions: { code: 'UNAUTHENTICATED', reason } };
}
