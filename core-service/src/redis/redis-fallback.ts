import type { Redis } from 'ioredis';
import { getLogger } from '../logger/logger.js';

/**
 * One policy for every feature that uses Redis as an accelerator rather than as the source of
 * truth (MongoDB is): when Redis cannot answer, the feature takes its fallback instead of
 * failing the request. The README's "When Redis is down" table lists what each feature does.
 *
 * Two exits, both cheap when Redis is up (one property read, one try/catch):
 * - the client is not `ready` (disconnected, reconnecting): the fallback runs at once, the
 *   command is never sent, so nothing waits on a connect timeout or an offline queue;
 * - the command fails with a connection-level error (the connection dropped mid-command, a
 *   frozen server hit `commandTimeout`): the fallback runs. Any other error (a script's own
 *   error, WRONGTYPE) is a bug or a rule and propagates.
 */
export async function withRedisFallback<T>(redis: Redis | undefined, what: string, fn: (redis: Redis) => Promise<T>, fallback: () => T | Promise<T>): Promise<T> {
  if (redis === undefined || redis.status !== 'ready') {
    noteRedisDegradation(what, 'not connected');
    return fallback();
  }
  try {
    return await fn(redis);
  } catch (error) {
    if (!isRedisConnectionError(error)) throw error;
    noteRedisDegradation(what, (error as Error).message);
    return fallback();
  }
}

/** True when the client can take a command now (the check `withRedisFallback` makes first). */
export function isRedisReady(redis: Redis | undefined): redis is Redis {
  return redis?.status === 'ready';
}

// ioredis's own messages for a command that never reached a live server, and the socket
// errors it forwards. Matched on text: ioredis throws plain Errors for most of them.
const CONNECTION_ERROR_PATTERNS = [
  /Stream isn't writeable/,
  /Connection is closed/,
  /Command timed out/,
  /max retries per request/i,
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTCONN/,
  /^LOADING /,
];

export function isRedisConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|NOTCONN)$/.test(code)) return true;
  return CONNECTION_ERROR_PATTERNS.some((pattern) => pattern.test(error.message));
}

/** Degradations per feature since start: a counter operations can graph (`redisDegradations()`). */
const degradationCounts = new Map<string, number>();
const lastLoggedAt = new Map<string, number>();
let logIntervalMs = 30_000;

/**
 * Counts one fallback and logs it at most once per feature per interval: an outage under load
 * would otherwise write one warning per request.
 */
export function noteRedisDegradation(what: string, reason: string): void {
  degradationCounts.set(what, (degradationCounts.get(what) ?? 0) + 1);
  const now = Date.now();
  const last = lastLoggedAt.get(what);
  if (last !== undefined && now - last < logIntervalMs) return;
  lastLoggedAt.set(what, now);
  getLogger().warn({ redisFeature: what, reason }, 'redis unavailable: feature degraded to its fallback');
}

/** How many times each feature fell back since the process started. */
export function redisDegradations(): ReadonlyMap<string, number> {
  return degradationCounts;
}

/** Tests: a shorter log interval, and counters from zero. */
export function resetRedisDegradations(options: { logIntervalMs?: number } = {}): void {
  degradationCounts.clear();
  lastLoggedAt.clear();
  logIntervalMs = options.logIntervalMs ?? 30_000;
}
