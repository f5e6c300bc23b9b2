/**
 * When failed logins lock an account key or a client address. Counting happens in Redis (shared
 * by every instance); the decisions are here so they can be read and tested on their own.
 *
 * The account key is (tenant, normalised email) whether or not such a user exists: locking only
 * real accounts would tell an attacker which emails are registered.
 */
export interface LoginThrottleSettings {
  /** Failures per account key within the window before it locks. */
  maxFailuresPerAccount: number;
  /** Failures per client address within the window before it locks (credential stuffing). */
  maxFailuresPerAddress: number;
  failureWindowSeconds: number;
  lockoutSeconds: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleSettings = {
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 50,
  failureWindowSeconds: 15 * 60,
  lockoutSeconds: 15 * 60,
};

/** A lock is a deadline; it has passed when the clock reaches it. */
export function isLockActive(lockedUntil: number | null, now: number): boolean {
  return lockedUntil !== null && lockedUntil > now;
}

export function retryAfterSeconds(lockedUntil: number, now: number): number {
  return Math.max(1, Math.ceil((lockedUntil - now) / 1000));
}

/** Whether this failure (the `count`-th in the window) should lock. */
export function shouldLock(count: number, max: number): boolean {
  return count >= max;
}
