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
}

export const DEFAULT_ADMIN_ROLES = ['admin', 'super-admin', 'system'] as const;

/**
 * Verifies the bearer token locally (no call to the auth-service per request): pinned algorithm,
 * signature, expiry, then the revoked-session cache. A missing or malformed token is an
 * anonymous caller (public operations still work, each subgraph decides); an expired or revoked
 * one is UNAUTHENTICATED, because the client can fix that by refreshing and should be told.
 */
export function useAuth(config: UseAuthConfig): GatewayPlugin {
  const adminRoles = new Set(config.adminRoles ?? DEFAULT_ADMIN_ROLES);
  const sessions = config.redis ? createSessionCache({ redis: config.redis, brand: config.brand ?? null }) : undefined;
  // A token's signature either verifies or not, forever: verified claims are kept per token
  // string, so a client's requests after the first skip the HMAC/RSA work (a noticeable share
  // of the gateway's CPU per request). Expiry is still checked on every request, and the
  // revoked-session lookup below is never cached.
  const verified = new LRUCache<string, AccessTokenClaims>({ max: config.verifiedTokenCacheSize ?? 10_000 });
  const verify = (token: string): AccessTokenClaims => {
    const cached = verified.get(token);
    if (cached && cached.exp * 1000 > Date.now()) return cached;
    const claims = verifyAccessToken(token, config.keys);
    verified.set(token, claims);
    return claims;
  };
  return {
    name: 'auth',
    async onRequest(context, _req, token) {
      context.caller = await authenticate(token);
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
    if (sessions) {
      // Fails open while Redis is down: refusing every token would stop the money for an
      // outage of a cache, while a session revoked meanwhile stays usable only until its
      // access token expires (minutes). The README's Redis table states this trade.
      const revoked = await withRedisFallback(
        config.redis,
        'gateway session revocation check',
        () => sessions.isSessionRevoked(claims.sid, { unknownIsRevoked: config.unknownSessionIsRevoked ?? false }),
        () => false,
      );
      if (revoked) throw unauthenticated('The session has been revoked', ACCESS_TOKEN_REJECTIONS.Revoked);
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
