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
  const [result] = await spendSlidingWindows(redis, [request]);
  return result!;
}

/**
 * Several windows in one atomic step (a user's and its address's): the request is allowed only
 * when every window has room, and then spends in all of them; refused by any, it spends in none,
 * so an address limit that refuses a request does not also eat the user's budget.
 */
export async function spendSlidingWindows(redis: Redis, requests: readonly SlidingWindowSpend[]): Promise<SlidingWindowResult[]> {
  if (requests.length === 0) return [];
  const keys: string[] = [];
  const args: string[] = [];
  const clock = requests.map((request) => {
    const now = request.now ?? Date.now();
    const window = Math.floor(now / request.windowMs);
    keys.push(`${request.key}:${window}`, `${request.key}:${window - 1}`);
    args.push(String(request.spend), String(request.limit), String(1 - (now % request.windowMs) / request.windowMs), String(Math.ceil((request.windowMs * 2) / 1000)));
    return { resetMs: request.windowMs - (now % request.windowMs) };
  });
  const replies = (await slidingWindowCommand(redis)(keys.length, ...keys, ...args)) as Array<[number, number]>;
  return replies.map(([allowed, used], index) => {
    const { limit } = requests[index]!;
    return { allowed: allowed === 1, used, remaining: Math.max(0, limit - used), resetMs: clock[index]!.resetMs };
  });
}

type SlidingWindowCommand = (numKeys: number, ...keysAndArgs: string[]) => Promise<unknown>;
const defined = new WeakSet<Redis>();

/**
 * The script as a named command: ioredis sends EVALSHA and loads the script only when Redis
 * does not have it (NOSCRIPT, e.g. after a restart), instead of the whole script per request.
 */
function slidingWindowCommand(redis: Redis): SlidingWindowCommand {
  if (!defined.has(redis)) {
    redis.defineCommand('spendSlidingWindows', { lua: SLIDING_WINDOWS_SCRIPT });
    defined.add(redis);
  }
  const command = (redis as unknown as { spendSlidingWindows: SlidingWindowCommand }).spendSlidingWindows;
  return command.bind(redis);
}

// KEYS: per window, its current and previous fixed window. ARGV: per window, spend, limit,
// previous weight, ttl seconds. Returns one {allowed, used} per window; spends only when every
// window allows.
const SLIDING_WINDOWS_SCRIPT = `
local results = {}
local allAllowed = true
for i = 1, #KEYS / 2 do
  local current = tonumber(redis.call('GET', KEYS[2 * i - 1]) or '0')
  local previous = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
  local spend = tonumber(ARGV[4 * i - 3])
  local used = math.floor(previous * tonumber(ARGV[4 * i - 1]) + current)
  local allowed = used + spend <= tonumber(ARGV[4 * i - 2])
  if not allowed then allAllowed = false end
  results[i] = {allowed and 1 or 0, used}
end
if allAllowed then
  for i = 1, #KEYS / 2 do
    redis.call('INCRBY', KEYS[2 * i - 1], tonumber(ARGV[4 * i - 3]))
    redis.call('EXPIRE', KEYS[2 * i - 1], tonumber(ARGV[4 * i]))
    results[i][2] = results[i][2] + tonumber(ARGV[4 * i - 3])
  end
end
return results
`;
