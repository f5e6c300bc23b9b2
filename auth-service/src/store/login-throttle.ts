import type { Redis } from 'ioredis';
import { withRedisFallback } from 'core-service';
import { isAccountSlowed, isLockActive, shouldLock, type LoginThrottleSettings, type LoginThrottleState } from '../domain/login-throttle-rules.js';
import type { AuthRedisKeys } from './redis-keys.js';

/** What an admin sees of one account (and optionally one address). */
export interface LoginThrottleReport {
  accountFailures: number;
  slowed: boolean;
  knownAddresses: string[];
  /** Only when an address was asked about. */
  address?: { failures: number; lockedUntil: number | null; accountFailures: number; accountLockedUntil: number | null };
}

/**
 * Failed-login counters, locks and known addresses in Redis, shared by every instance and kept
 * across auth-service restarts. A lock's value is its deadline on the domain clock, so expiry is
 * decided by `isLockActive(deadline, now)` (tests move the clock instead of sleeping); the key's
 * own TTL only cleans up afterwards.
 *
 * While Redis is down throttling is off (README, "When Redis is down"): every attempt reads as
 * a first attempt from a known address and nothing is counted. Logins keep working; guessing
 * is then bounded by the gateway's per-address rate limit (which falls back to memory) and the
 * password hash's cost. Not per-instance memory: auth-service instances behind a balancer
 * would each count a fraction of the attempts, a weaker lock that looks like a real one.
 */
export class LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly keys: AuthRedisKeys,
    private readonly settings: () => LoginThrottleSettings,
  ) {}

  async state(tenantId: string, email: string, address: string | null, now: number): Promise<LoginThrottleState> {
    return withRedisFallback(
      this.redis,
      'login throttling',
      async () => {
        const k = this.keys;
        const at = address ?? '-';
        const [addressLock, pairLock, accountFailures] = await this.redis.mget(k.addressLock(at), k.accountAddressLock(tenantId, email, at), k.accountFailures(tenantId, email));
        const known = address === null ? null : await this.redis.zscore(k.knownAddresses(tenantId, email), address);
        const deadline = (value: string | null | undefined): number | null => (address === null || value === null || value === undefined ? null : Number(value));
        return {
          addressLockedUntil: deadline(addressLock),
          accountAddressLockedUntil: deadline(pairLock),
          accountFailures: Number(accountFailures ?? 0),
          isKnownAddress: known !== null && Number(known) > now - this.settings().knownAddressDays * 86_400_000,
        };
      },
      () => ({ addressLockedUntil: null, accountAddressLockedUntil: null, accountFailures: 0, isKnownAddress: true }),
    );
  }

  /**
   * Takes the slowed account's next attempt slot for an unknown address: true when this attempt
   * may go on, otherwise the seconds until the slot frees. One slot per account, shared by every
   * unknown address, so spreading a guess over many addresses gains nothing.
   */
  async takeSlot(tenantId: string, email: string, intervalSeconds: number, now: number): Promise<true | number> {
    return withRedisFallback(
      this.redis,
      'login throttling',
      async () => {
        const nextAllowed = (await this.redis.eval(TAKE_SLOT_SCRIPT, 1, this.keys.accountSlot(tenantId, email), String(now), String(intervalSeconds * 1000))) as number;
        return nextAllowed <= now ? true : Math.max(1, Math.ceil((nextAllowed - now) / 1000));
      },
      () => true as const,
    );
  }

  /** Counts a failure for the address, the (account, address) pair and the account; locks what reached its limit. */
  async recordFailure(tenantId: string, email: string, address: string | null, now: number): Promise<void> {
    return withRedisFallback(
      this.redis,
      'login throttling',
      async () => {
        const s = this.settings();
        const deadline = now + s.lockoutSeconds * 1000;
        const k = this.keys;
        await this.count(k.accountFailures(tenantId, email), null, Number.POSITIVE_INFINITY, deadline, s);
        if (address === null) return;
        await this.count(k.accountAddressFailures(tenantId, email, address), k.accountAddressLock(tenantId, email, address), s.maxFailuresPerAccountAddress, deadline, s);
        await this.count(k.addressFailures(address), k.addressLock(address), s.maxFailuresPerAddress, deadline, s);
      },
      () => undefined,
    );
  }

  /**
   * A successful login: the address becomes one of the account's own and its pair count is
   * forgotten. The account-wide count stays: the owner getting in does not end someone else's
   * guessing from elsewhere.
   */
  async recordSuccess(tenantId: string, email: string, address: string | null, now: number): Promise<void> {
    return withRedisFallback(
      this.redis,
      'login throttling',
      async () => {
        if (address === null) return;
        const k = this.keys;
        const s = this.settings();
        const known = k.knownAddresses(tenantId, email);
        await this.redis
          .multi()
          .del(k.accountAddressFailures(tenantId, email, address), k.accountAddressLock(tenantId, email, address))
          .zadd(known, String(now), address)
          // Bounded: the most recent addresses only.
          .zremrangebyrank(known, 0, -(MAX_KNOWN_ADDRESSES + 1))
          .expire(known, s.knownAddressDays * 86_400)
          .exec();
      },
      () => undefined,
    );
  }

  /**
   * True for the first caller only, per (account, address) lock: SET NX on a key named after the
   * lock's deadline, expiring with the lock. The lock is announced once, however many attempts it
   * then refuses; a later lock (new deadline) is announced again.
   */
  async claimAccountAddressLockNotice(tenantId: string, email: string, address: string, lockedUntil: number, ttlSeconds: number): Promise<boolean> {
    return withRedisFallback(
      this.redis,
      'login throttling',
      async () => {
        const key = this.keys.accountAddressLockNotice(tenantId, email, address, lockedUntil);
        return (await this.redis.set(key, '1', 'EX', Math.max(1, ttlSeconds), 'NX')) === 'OK';
      },
      () => false,
    );
  }

  /**
   * Once an account is slowed (too many failures from anywhere): true for the first caller of
   * the failure window only, with the seconds the window (and so the slowing) has left. SET NX
   * with the failure counter's remaining TTL: when the window ends the notice key ends with it.
   */
  async claimAccountSlowedNotice(tenantId: string, email: string): Promise<{ claimed: boolean; retryAfterSeconds: number }> {
    return withRedisFallback(
      this.redis,
      'login throttling',
      async () => {
        const ttlMs = await this.redis.pttl(this.keys.accountFailures(tenantId, email));
        const windowMs = ttlMs > 0 ? ttlMs : this.settings().failureWindowSeconds * 1000;
        const claimed = (await this.redis.set(this.keys.accountSlowedNotice(tenantId, email), '1', 'PX', windowMs, 'NX')) === 'OK';
        return { claimed, retryAfterSeconds: Math.max(1, Math.ceil(windowMs / 1000)) };
      },
      () => ({ claimed: false, retryAfterSeconds: 0 }),
    );
  }

  async report(tenantId: string, email: string, address: string | null, now: number): Promise<LoginThrottleReport> {
    const k = this.keys;
    const s = this.settings();
    const accountFailures = Number((await this.redis.get(k.accountFailures(tenantId, email))) ?? 0);
    const knownAddresses = await this.redis.zrangebyscore(k.knownAddresses(tenantId, email), now - s.knownAddressDays * 86_400_000, '+inf');
    const report: LoginThrottleReport = { accountFailures, slowed: isAccountSlowed(accountFailures, s), knownAddresses };
    if (address !== null) {
      const [failures, lock, pairFailures, pairLock] = await this.redis.mget(
        k.addressFailures(address),
        k.addressLock(address),
        k.accountAddressFailures(tenantId, email, address),
        k.accountAddressLock(tenantId, email, address),
      );
      const active = (value: string | null | undefined) => (value === null || value === undefined || !isLockActive(Number(value), now) ? null : Number(value));
      report.address = { failures: Number(failures ?? 0), lockedUntil: active(lock), accountFailures: Number(pairFailures ?? 0), accountLockedUntil: active(pairLock) };
    }
    return report;
  }

  /** An admin's reset: the account's counts and slot, and the address's when one is named. */
  async clear(tenantId: string, email: string, address: string | null): Promise<void> {
    const k = this.keys;
    const keys = [k.accountFailures(tenantId, email), k.accountSlot(tenantId, email), k.accountSlowedNotice(tenantId, email)];
    if (address !== null) keys.push(k.addressFailures(address), k.addressLock(address), k.accountAddressFailures(tenantId, email, address), k.accountAddressLock(tenantId, email, address));
    await this.redis.del(...keys);
  }

  private async count(counterKey: string, lockKey: string | null, max: number, deadline: number, s: LoginThrottleSettings): Promise<void> {
    const count = (await this.redis.eval(COUNT_FAILURE_SCRIPT, 1, counterKey, String(s.failureWindowSeconds))) as number;
    if (lockKey === null || !shouldLock(count, max)) return;
    // The lock starts a new window: after it expires the key gets `max` fresh attempts.
    await this.redis
      .multi()
      .set(lockKey, String(deadline), 'EX', s.lockoutSeconds + s.failureWindowSeconds)
      .del(counterKey)
      .exec();
  }
}

const MAX_KNOWN_ADDRESSES = 20;

// INCR and start the window on the first failure in one step, so a crash between the two can
// never leave a counter without expiry.
const COUNT_FAILURE_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1])) end
return count
`;

// KEYS[1] the account's slot (next allowed instant, ms); ARGV now, interval ms. Takes the slot
// when it is free and returns the instant that was stored before (<= now means taken).
const TAKE_SLOT_SCRIPT = `
local nextAllowed = tonumber(redis.call('GET', KEYS[1]) or '0')
local now = tonumber(ARGV[1])
if nextAllowed > now then return nextAllowed end
redis.call('SET', KEYS[1], tostring(now + tonumber(ARGV[2])), 'PX', tonumber(ARGV[2]) * 2)
return nextAllowed
`;
