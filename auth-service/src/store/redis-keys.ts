import { sessionCacheKey } from 'core-service';

/**
 * Every Redis key and channel the auth-service uses, in one place: `{brand}:auth:...`, the
 * prefix its service accessor would give, so brands sharing a Redis never collide.
 */
export function createAuthRedisKeys(brand: string) {
  const prefix = `${brand}:auth:`;
  return {
    accountFailures: (tenantId: string, email: string) => `${prefix}login-failures:account:${tenantId}:${email}`,
    accountSlot: (tenantId: string, email: string) => `${prefix}login-slot:account:${tenantId}:${email}`,
    knownAddresses: (tenantId: string, email: string) => `${prefix}login-known:${tenantId}:${email}`,
    accountAddressFailures: (tenantId: string, email: string, address: string) => `${prefix}login-failures:account-address:${tenantId}:${email}:${address}`,
    accountAddressLock: (tenantId: string, email: string, address: string) => `${prefix}login-lock:account-address:${tenantId}:${email}:${address}`,
    addressFailures: (address: string) => `${prefix}login-failures:address:${address}`,
    addressLock: (address: string) => `${prefix}login-lock:address:${address}`,
    /** Set once per lock period (NX, the lock's TTL): `auth.account_locked` goes out once, not per refused attempt. */
    accountAddressLockNotice: (tenantId: string, email: string, address: string, lockedUntil: number) => `${prefix}login-lock-notice:account-address:${tenantId}:${email}:${address}:${lockedUntil}`,
    accountSlowedNotice: (tenantId: string, email: string) => `${prefix}login-lock-notice:account:${tenantId}:${email}`,
    session: (sessionId: string) => sessionCacheKey(sessionId, brand),
    rolesChanged: `${prefix}roles-changed`,
  };
}

export type AuthRedisKeys = ReturnType<typeof createAuthRedisKeys>;
