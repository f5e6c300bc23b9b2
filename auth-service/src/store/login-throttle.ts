import type { Redis } from 'ioredis';
import { isLockActive, shouldLock, type LoginThrottleSettings } from '../domain/login-throttle-rules.js';
import type { AuthRedisKeys } from './redis-keys.js';

export interface LoginLocks {
  /** Deadline (ms) of the account key's lock, or null. */
  accountLockedUntil: number | null;
  addressLockedUntil: number | null;
}

/**
 * Failed-login counters and locks in Redis, shared by every instance. A lock's value is its
 * deadline on the domain clock, so expiry is decided by `isLockActive(deadline, now)` (tests move
 * the clock instead of sleeping); the key's own TTL only cleans up afterwards.
 */
export class LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly keys: AuthRedisKeys,
    private readonly settings: () => LoginThrottleSettings,
  ) {}

  async locks(tenantId: string, email: string, address: string | null, now: number): Promise<LoginLocks> {
    const [account, byAddress] = await this.redis.mget(
      this.keys.accountLock(tenantId, email),
      address === null ? this.keys.addressLock('-') : this.keys.addressLock(address),
    );
    const accountDeadline = account === null || account === undefined ? null : Number(account);
    const addressDeadline = address === null || byAddress === null || byAddress === undefined ? null : Number(byAddress);
    return {
      accountLockedUntil: isLockActive(accountDeadline, now) ? accountDeadline : null,
      addressLockedUntil: isLockActive(addressDeadline, now) ? addressDeadline : null,
    };
  }

  /** Counts a failure for the account key and the address; locks whichever reached its limit. */
  async recordFailure(tenantId: string, email: string, address: string | null, now: number): Promise<LoginLocks> {
    const s = this.settings();
    const deadline = now + s.lockoutSeconds * 1000;
    const account = await this.count(this.keys.accountFailures(tenantId, email), this.keys.accountLock(tenantId, email), s.maxFailuresPerAccount, deadline, s);
    const byAddress =
      address === null ? false : await this.count(this.keys.addressFailures(address), this.keys.addressLock(address), s.maxFailuresPerAddress, deadline, s);
    return { accountLockedUntil: account ? deadline : null, addressLockedUntil: byAddress ? deadline : null };
  }

  /** A successful login forgets the account's failures (the address keeps its count). */
  async clearAccount(tenantId: string, email: string): Promise<void> {
    await this.redis.del(this.keys.accountFailures(tenantId, email), this.keys.accountLock(tenantId, email));
  }

  private async count(counterKey: string, lockKey: string, max: number, deadline: number, s: LoginThrottleSettings): Promise<boolean> {
    const count = (await this.redis.eval(
      COUNT_FAILURE_SCRIPT,
      1,
      counterKey,
      String(s.failureWindowSeconds),
    )) as number;
    if (!shouldLock(count, max)) return false;
    // The lock starts a new window: after it expires the account gets `max` fresh attempts.
    await this.redis
      .multi()
      .set(lockKey, String(deadline), 'EX', s.lockoutSeconds + s.failureWindowSeconds)
      .del(counterKey)
      .exec();
    return true;
  }
}

// INCR and start the window on the first failure in one step, so a crash between the two can
// never leave a counter without expiry.
const COUNT_FAILURE_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1])) end
return count
`;
