/**
 * Who may try a password now, after failed logins. Counting happens in Redis (shared by every
 * instance, kept across auth-service restarts); the decisions are here so they can be read and
 * tested on their own.
 *
 * Keyed so that no client can lock anyone else out (OWASP Authentication and Credential
 * Stuffing cheat sheets):
 * - per client address, whatever the accounts: a credential-stuffing address is stopped;
 * - per (account, address): guessing one account's password from one address is stopped there,
 *   not for the owner elsewhere;
 * - per account, from anywhere: once an account draws many failures (a distributed guess),
 *   addresses it was never used from are slowed to one attempt per interval, shared by all of
 *   them, while addresses the owner logged in from before go through untouched.
 *
 * The account key is (tenant, normalised email) whether or not such a user exists: treating
 * only real accounts differently would tell an attacker which emails are registered.
 */
export interface LoginThrottleSettings {
  /** Failures from one address, any accounts, within the window before the address locks. */
  maxFailuresPerAddress: number;
  /** Failures for one account from one address within the window before that pair locks. */
  maxFailuresPerAccountAddress: number;
  /** Failures for one account from anywhere within the window before unknown addresses are slowed. */
  maxFailuresPerAccount: number;
  /** While an account is slowed: one attempt per this many seconds from addresses it does not know. */
  unknownAddressIntervalSeconds: number;
  failureWindowSeconds: number;
  lockoutSeconds: number;
  /** How long a successful login's address counts as the account's own. */
  knownAddressDays: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleSettings = {
  maxFailuresPerAddress: 50,
  maxFailuresPerAccountAddress: 5,
  maxFailuresPerAccount: 20,
  unknownAddressIntervalSeconds: 30,
  failureWindowSeconds: 15 * 60,
  lockoutSeconds: 15 * 60,
  knownAddressDays: 90,
};

/** What the store read for one attempt: deadlines in ms on the domain clock, or null. */
export interface LoginThrottleState {
  addressLockedUntil: number | null;
  accountAddressLockedUntil: number | null;
  /** Failures for the account within the window, from every address. */
  accountFailures: number;
  /** The owner logged in from this address before. */
  isKnownAddress: boolean;
}

export type LoginThrottleScope = 'address' | 'account-address' | 'account';

export type LoginAttemptDecision =
  | { kind: 'allow' }
  /** Slowed account, unknown address: allowed only if it takes the account's next attempt slot. */
  | { kind: 'needs-slot'; intervalSeconds: number }
  | { kind: 'refuse'; scope: LoginThrottleScope; retryAfterSeconds: number };

export function decideLoginAttempt(state: LoginThrottleState, settings: LoginThrottleSettings, now: number): LoginAttemptDecision {
  if (isLockActive(state.addressLockedUntil, now)) return { kind: 'refuse', scope: 'address', retryAfterSeconds: retryAfterSeconds(state.addressLockedUntil!, now) };
  if (isLockActive(state.accountAddressLockedUntil, now)) {
    return { kind: 'refuse', scope: 'account-address', retryAfterSeconds: retryAfterSeconds(state.accountAddressLockedUntil!, now) };
  }
  if (isAccountSlowed(state.accountFailures, settings) && !state.isKnownAddress) return { kind: 'needs-slot', intervalSeconds: settings.unknownAddressIntervalSeconds };
  return { kind: 'allow' };
}

export function isAccountSlowed(accountFailures: number, settings: LoginThrottleSettings): boolean {
  return accountFailures >= settings.maxFailuresPerAccount;
}

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
