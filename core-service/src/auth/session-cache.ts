import type { Redis } from 'ioredis';

/**
 * The shared record of which sessions may still use their access tokens. The auth-service
 * writes it (write-through: on login/refresh the session is marked active, on logout, reuse
 * detection or suspension it is marked revoked before the call returns); the gateway reads it on
 * every request, so a revoked session is refused at once rather than when its access token
 * expires. One key per session: `{brand}:auth:session:{sid}`.
 *
 * Entries expire with the access tokens they vouch for: once the last access token issued for a
 * session has expired, nothing can present it, so a revocation need not be remembered longer.
 */
export type SessionCacheState = 'active' | 'revoked' | 'unknown';

const ACTIVE = 'active';
const REVOKED = 'revoked';

/**
 * Pub/sub channel on which every revocation is announced (a JSON array of session ids), so
 * holders of long-lived connections (the gateway's sockets and SSE streams, which passed the
 * per-request check once, at connect) end them at once instead of at token expiry. Pub/sub is
 * fire-and-forget: a listener that was reconnecting misses it, which is why the keys stay the
 * source of truth (`getStates`) and listeners re-check them periodically.
 */
export function sessionRevocationChannel(brand?: string | null): string {
  return `${brand ? `${brand}:` : ''}auth:session-revoked`;
}

/** `{brand}:auth:session:{sid}`; without a brand, `auth:session:{sid}`. */
export function sessionCacheKey(sessionId: string, brand?: string | null): string {
  return `${brand ? `${brand}:` : ''}auth:session:${sessionId}`;
}

export interface SessionCacheOptions {
  redis: Redis;
  /** The deployment's brand (key prefix), as given to the service accessors. */
  brand?: string | null;
}

export interface IsSessionRevokedOptions {
  /**
   * How to treat a session the cache has no entry for (Redis lost it, or it was never written).
   * Default false: the token's own expiry is the fallback. True is the strict mode: only
   * sessions the auth-service vouched for pass.
   */
  unknownIsRevoked?: boolean;
}

export interface SessionCache {
  /** Marks sessions usable until `ttlSeconds` from now (the new access token's lifetime). */
  markActive(sessionId: string, ttlSeconds: number): Promise<void>;
  /** Marks sessions revoked for `ttlSeconds` (at least the longest access token lifetime). */
  markRevoked(sessionIds: readonly string[], ttlSeconds: number): Promise<void>;
  getState(sessionId: string): Promise<SessionCacheState>;
  /** States of many sessions in one round trip, in the order given. */
  getStates(sessionIds: readonly string[]): Promise<SessionCacheState[]>;
  isSessionRevoked(sessionId: string, options?: IsSessionRevokedOptions): Promise<boolean>;
}

export function createSessionCache(options: SessionCacheOptions): SessionCache {
  const { redis } = options;
  const key = (sid: string): string => sessionCacheKey(sid, options.brand);
  return {
    async markActive(sessionId, ttlSeconds) {
      // Never over a revocation: a refresh racing a logout must not resurrect the session, so
      // "unless revoked" is checked and written in one Lua script.
      await redis.eval(MARK_ACTIVE_SCRIPT, 1, key(sessionId), String(Math.max(1, Math.ceil(ttlSeconds))));
    },
    async markRevoked(sessionIds, ttlSeconds) {
      if (sessionIds.length === 0) return;
      const ttl = Math.max(1, Math.ceil(ttlSeconds));
      const pipeline = redis.multi();
      for (const sid of sessionIds) pipeline.set(key(sid), REVOKED, 'EX', ttl);
      // In the same transaction as the keys: a listener told of the revocation finds it written.
      pipeline.publish(sessionRevocationChannel(options.brand), JSON.stringify(sessionIds));
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error !== null);
      if (failed) throw failed[0];
    },
    async getState(sessionId) {
      return toState(await redis.get(key(sessionId)));
    },
    async getStates(sessionIds) {
      if (sessionIds.length === 0) return [];
      const values = await redis.mget(sessionIds.map(key));
      return values.map(toState);
    },
    async isSessionRevoked(sessionId, revokedOptions = {}) {
      const state = await this.getState(sessionId);
      return state === 'revoked' || (state === 'unknown' && revokedOptions.unknownIsRevoked === true);
    },
  };
}

/** Reader for the gateway: `isSessionRevoked(sid, { redis, brand })`. */
export async function isSessionRevoked(sessionId: string, options: SessionCacheOptions & IsSessionRevokedOptions): Promise<boolean> {
  return createSessionCache(options).isSessionRevoked(sessionId, options);
}

function toState(value: string | null): SessionCacheState {
  return value === REVOKED ? 'revoked' : value === ACTIVE ? 'active' : 'unknown';
}

const MARK_ACTIVE_SCRIPT = `
if redis.call('GET', KEYS[1]) == '${REVOKED}' then return 0 end
redis.call('SET', KEYS[1], '${ACTIVE}', 'EX', tonumber(ARGV[1]))
return 1
`;
