import type { Redis } from 'ioredis';

/**
 * The tracker's state changes as Redis scripts (named commands, as BullMQ does): every
 * transition reads the current status and writes the next one atomically, so a completion and
 * a recovery claim racing on the same operation cannot both win. Timestamps come from the
 * Redis clock (`TIME`), so the staleness of a heartbeat written by one host and judged by
 * another does not depend on their clocks agreeing.
 *
 * State: hash `operation_state:{type}:{id}`. Index: sorted set `operation_state_index:{type}`
 * of in-progress ids scored by their last heartbeat, which lets the sweep find stale
 * operations with one range query instead of scanning every key.
 */

const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: state, index. ARGV: type, id, meta, ttlSeconds, staleAfterMs, correlationId. → now, or -1 while recovery holds it. */
const START = `${NOW}
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'recovering' then return -1 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'type', ARGV[1], 'id', ARGV[2], 'status', 'in_progress', 'meta', ARGV[3],
  'startedAt', now, 'lastHeartbeat', now, 'updatedAt', now, 'staleAfter', ARGV[5], 'correlationId', ARGV[6])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], now, ARGV[2])
return now`;

/** KEYS: state, index. ARGV: id, ttlSeconds. → now, or 0 when the operation is not in progress. */
const HEARTBEAT = `${NOW}
if redis.call('HGET', KEYS[1], 'status') ~= 'in_progress' then return 0 end
redis.call('HSET', KEYS[1], 'lastHeartbeat', now, 'updatedAt', now)
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], now, ARGV[1])
return now`;

/**
 * KEYS: state, index. ARGV: id, status (completed | failed), reason, ttlSeconds.
 * → 1, or 0 when recovery already claimed the operation (its owner was presumed dead).
 */
const FINISH = `${NOW}
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'recovering' or status == 'recovered' then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'updatedAt', now, 'finishedAt', now)
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'reason', ARGV[3]) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1`;

/**
 * KEYS: state. ARGV: token.
 * Claims the operation for recovery only while it is in progress with a stale heartbeat (or
 * held by a recovery attempt that itself went stale). Completed, failed and recovered
 * operations are never claimed.
 * → { 'claimed', fields... } | { 'fresh', dueAt } | { 'busy', dueAt } | { 'missing' } | { status }
 */
const CLAIM = `${NOW}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return {'missing'} end
local stale = tonumber(redis.call('HGET', KEYS[1], 'staleAfter'))
if status == 'in_progress' then
  local last = tonumber(redis.call('HGET', KEYS[1], 'lastHeartbeat'))
  if now - last < stale then return {'fresh', tostring(last + stale)} end
elseif status == 'recovering' then
  local claimed = tonumber(redis.call('HGET', KEYS[1], 'recoveryClaimedAt'))
  if now - claimed < stale then return {'busy', tostring(claimed + stale)} end
else
  return {status}
end
redis.call('HSET', KEYS[1], 'status', 'recovering', 'recoveryToken', ARGV[1], 'recoveryClaimedAt', now, 'updatedAt', now)
redis.call('HINCRBY', KEYS[1], 'recoveryAttempts', 1)
local result = {'claimed'}
for _, value in ipairs(redis.call('HGETALL', KEYS[1])) do table.insert(result, value) end
return result`;

/**
 * KEYS: state, index. ARGV: id, token, outcome (recovered | in_progress), ttlSeconds.
 * Ends a claim: `recovered` is final; `in_progress` hands a failed attempt back (still stale,
 * so the next check or sweep claims it again). → 1, or 0 when the claim was lost.
 */
const RELEASE = `${NOW}
if redis.call('HGET', KEYS[1], 'recoveryToken') ~= ARGV[2] or redis.call('HGET', KEYS[1], 'status') ~= 'recovering' then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'updatedAt', now)
if ARGV[3] == 'recovered' then
  redis.call('HSET', KEYS[1], 'finishedAt', now)
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return 1`;

export type ClaimReply = [string, ...string[]];

export interface OperationStateCommands {
  operationStateStart(state: string, index: string, type: string, id: string, meta: string, ttl: number, staleAfter: number, correlationId: string): Promise<number>;
  operationStateHeartbeat(state: string, index: string, id: string, ttl: number): Promise<number>;
  operationStateFinish(state: string, index: string, id: string, status: string, reason: string, ttl: number): Promise<number>;
  operationStateClaim(state: string, token: string): Promise<ClaimReply>;
  operationStateRelease(state: string, index: string, id: string, token: string, outcome: string, ttl: number): Promise<number>;
}

const COMMANDS: Record<keyof OperationStateCommands, { numberOfKeys: number; lua: string }> = {
  operationStateStart: { numberOfKeys: 2, lua: START },
  operationStateHeartbeat: { numberOfKeys: 2, lua: HEARTBEAT },
  operationStateFinish: { numberOfKeys: 2, lua: FINISH },
  operationStateClaim: { numberOfKeys: 1, lua: CLAIM },
  operationStateRelease: { numberOfKeys: 2, lua: RELEASE },
};

/** Defines the scripts on `redis` once (ioredis sends EVALSHA and falls back to EVAL). */
export function operationStateCommands(redis: Redis): Redis & OperationStateCommands {
  const client = redis as Redis & Partial<OperationStateCommands>;
  for (const [name, definition] of Object.entries(COMMANDS)) {
    if (typeof client[name as keyof OperationStateCommands] !== 'function') client.defineCommand(name, definition);
  }
  return client as Redis & OperationStateCommands;
}

export function operationStateKey(prefix: string, type: string, id: string): string {
  return `${prefix}operation_state:${type}:${id}`;
}

export function operationIndexKey(prefix: string, type: string): string {
  return `${prefix}operation_state_index:${type}`;
}
