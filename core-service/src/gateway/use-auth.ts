import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { AccessTokenError, ACCESS_TOKEN_REJECTIONS } from '../auth/access-token-error.js';
import type { AccessTokenKeys } from '../auth/access-token-keys.js';
import { verifyAccessToken, type AccessTokenClaims } from '../auth/access-token.js';
import { createSessionCache } from '../auth/session-cache.js';
import { CORE_ERRORS } from '../errors/core-errors.js';
import { createServiceError } from '../errors/graphql-error.js';
import { withRedisFallback } from '../redis/redis-fallback.js';
import { ANONYMOUS_CALLER, type Caller, type GatewayPlugin } from './gateway-plugin.js';

export interface UseAuthConfig {
  keys: AccessTokenKeys;
  /** Revoked-session list written by the auth-service; without it only expiry limits a token. */
  redis?: Redis;
  brand?: string | null;
  /** Roles that make a caller an admin (RELAXED cost preset, tenant room). */
  adminRoles?: readonly string[];
  /** Strict mode: a session the cache has no entry for counts as revoked. */
  unknownSessionIsRevoked?: boolean;
  /** Verified tokens remembered (signature work skipped). Default 10 000. */
  verifiedTokenCacheSize?: number;
  /**
   * How long Redis's "not revoked" answer for a session is reused, in ms. Default 1 000; 0 asks
   * Redis on every request. Revocations announced on the session cache's channel (every one the
   * auth-service writes) drop the entry at once through `forgetSessions`; this bounds the delay
   * only for a revocation whose announcement an instance missed.
   */
  revocationCheckCacheMs?: number;
}

/** `useAuth`'s plugin, plus the hook revocation announcements reach it through. */
export interface AuthPlugin extends GatewayPlugin {
  /** Sessions just revoked: their next request asks Redis again. */
  forgetSessions(sessionIds: readonly string[]): void;
}

export const DEFAULT_ADMIN_ROLES = ['admin', 'super-admin', 'system'] as const;

/**
 * Verifies the bearer token locally (no call to the auth-service per request): pinned algorithm,
 * signature, expiry, then the revoked-session cache. A missing or malformed token is an
 * anonymous caller (public operations still work, each subgraph decides); an expired or revoked
 * one is UNAUTHENTICATED, because the client can fix that by refreshing and should be told.
 */
export function useAuth(config: UseAuthConfig): AuthPlugin {
  const adminRoles = new Set(config.adminRoles ?? DEFAULT_ADMIN_ROLES);
  const sessions = config.redis ? createSessionCache({ redis: config.redis, brand: config.brand ?? null }) : undefined;
  // A token's signature either verifies or not, forever: verified claims are kept per token
  // string, so a client's requests after the first skip the HMAC/RSA work (a noticeable share
  // of the gateway's CPU per request). Expiry is still checked on every request; the
  // revoked-session lookup below has its own, much shorter, cache.
  const verified = new LRUCache<string, AccessTokenClaims>({ max: config.verifiedTokenCacheSize ?? 10_000 });
  const verify = (token: string): AccessTokenClaims => {
    const cached = verified.get(token);
    if (cached && cached.exp * 1000 > Date.now()) return cached;
    const claims = verifyAccessToken(token, config.keys);
    verified.set(token, claims);
    return claims;
  };
  // The revoked-session lookup was one of the two Redis round trips of every request (the rate
  // limit is the other). A session seen not revoked is believed for a short while; the
  // revocation announcement (pub/sub, published in the same transaction as the key) ends that
  // at once, and the TTL bounds it when an announcement is lost.
  const revocationCacheMs = config.revocationCheckCacheMs ?? 1_000;
  const notRevoked = revocationCacheMs > 0 ? new LRUCache<string, true>({ max: config.verifiedTokenCacheSize ?? 10_000, ttl: revocationCacheMs }) : undefined;
  return {
    name: 'auth',
    async onRequest(context, _req, token) {
      context.caller = await authenticate(token);
    },
    forgetSessions(sessionIds) {
      for (const sessionId of sessionIds) notRevoked?.delete(sessionId);
    },
  };

  async function authenticate(token: string | undefined): Promise<Caller> {
    if (token === undefined || token.length === 0) return ANONYMOUS_CALLER;
    let claims;
    try {
      claims = verify(token);
    } catch (error) {
      if (error instanceof AccessTokenError && error.reason === ACCESS_TOKEN_REJECTIONS.Expired) {
        throw unauthenticated('The access token has expired', 'TOKEN_EXPIRED');
      }
      return ANONYMOUS_CALLER;
    }
    if (sessions && notRevoked?.get(claims.sid) !== true) {
      // Fails open while Redis is down: refusing every token would stop the money for an
      // outage of a cache, while a session revoked meanwhile stays usable only until its
      // access token expires (minutes). The README's Redis table states this trade.
      let answeredByRedis = false;
      const revoked = await withRedisFallback(
        config.redis,
        'gateway session revocation check',
        async () => {
          const state = await sessions.isSessionRevoked(claims.sid, { unknownIsRevoked: config.unknownSessionIsRevoked ?? false });
          answeredByRedis = true;
          return state;
        },
        () => false,
      );
      if (revoked) throw unauthenticated('The session has been revoked', ACCESS_TOKEN_REJECTIONS.Revoked);
      // Only Redis's own answer is remembered, never the fail-open fallback.
      if (answeredByRedis) notRevoked?.set(claims.sid, true);
    }
    return {
      kind: claims.roles.some((role) => adminRoles.has(role)) ? 'admin' : 'user',
      userId: claims.sub,
      tenantId: claims.tid,
      roles: claims.roles,
      permissions: claims.permissions,
      sessionId: claims.sid,
      expiresAt: claims.exp,
    };
  }
}

function unauthenticated(message: string, reason: string) {
  return createServiceError(CORE_ERRORS.Unauthenticated, message, { reason, http: { status: 401 } });
}

/** `Authorization: Bearer <token>` → token. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value === undefined ? null : /^Bearer\s+(\S+)$/i.exec(value);
  return match?.[1];
}
