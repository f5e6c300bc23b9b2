import type { Redis } from 'ioredis';

export interface SlidingWindowSpend {
  /** The caller's key, without the window suffix (`<prefix>ratelimit:<scope>:<id>`). */
  key: string;
  /** Units this request spends. */
  spend: number;
  /** Units allowed per window. */
  limit: number;
  windowMs: number;
  /** Default `Date.now()`. */
  now?: number;
}

export interface SlidingWindowResult {
  allowed: boolean;
  /** Units spent in the window, this request included when allowed. */
  used: number;
  remaining: number;
  /** Ms until the current fixed window ends. */
  resetMs: number;
}

/**
 * One check-and-spend on a "sliding window counter" (current fixed window plus the previous one
 * weighted by how much of it still overlaps) rather than a sorted set of every request: two
 * integers per caller and one round trip, which is what a check on every request can afford;
 * the approximation errs by at most the previous window's share. One Lua script makes it atomic
 * across instances; a refused request spends nothing. Shared by the gateway's `useRateLimit`
 * and services limiting one operation (payment-service's `lookupRecipient`).
 */
export async function spendSlidingWindow(redis: Redis, request: SlidingWindowSpend): Promise<SlidingWindowResult> {
  const now = request.now ?? Date.now();
  const window = Math.floor(now / request.windowMs);
  const elapsed = (now % request.windowMs) / request.windowMs;
  const [allowed, used] = (await redis.eval(
    SLIDING_WINDOW_SCRIPT,
    2,
    `${request.key}:${window}`,
    `${request.key}:${window - 1}`,
    String(request.spend),
    String(request.limit),
    String(1 - elapsed),
    String(Math.ceil((request.windowMs * 2) / 1000)),
  )) as [number, number];
  return { allowed: allowed === 1, used, remaining: Math.max(0, request.limit - used), resetMs: request.windowMs - (now % request.windowMs) };
}

// KEYS[1] current window, KEYS[2] previous; ARGV spend, limit, previous weight, ttl seconds.
// Returns {allowed, used}; a refused request spends nothing.
const SLIDING_WINDOW_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local spend = tonumber(ARGV[1])
local used = math.floor(previous * tonumber(ARGV[3]) + current)
if used + spend > tonumber(ARGV[2]) then return {0, used} end
redis.call('INCRBY', KEYS[1], spend)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return {1, used + spend}
`;
