import { sessionCacheKey } from 'core-service';

/**
 * Every Redis key and channel the auth-service uses, in one place: `{brand}:auth:...`, the
 * prefix its service accessor would give, so brands sharing a Redis never collide.
 */
export function createAuthRedisKeys(brand: string) {
  const prefix = `${brand}:auth:`;
  return {
    accountFailures: (tenantId: string, email: string) => `${prefix}login-failures:account:${tenantId}:${email}`,
    accountLock: (tenantId: string, email: string) => `${prefix}login-lock:account:${tenantId}:${email}`,
    addressFailures: (address: string) => `${prefix}login-failures:address:${address}`,
    addressLock: (address: string) => `${prefix}login-lock:address:${address}`,
    session: (sessionId: string) => sessionCacheKey(sessionId, brand),
    rolesChanged: `${prefix}roles-changed`,
  };
}

export type AuthRedisKeys = ReturnType<typeof createAuthRedisKeys>;
