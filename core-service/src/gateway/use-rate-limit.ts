import type { Redis } from 'ioredis';
import { CORE_ERRORS } from '../errors/core-errors.js';
import { createServiceError } from '../errors/graphql-error.js';
import { withRedisFallback } from '../redis/redis-fallback.js';
import { spendSlidingWindows } from '../redis/sliding-window.js';
import type { GatewayPlugin } from './gateway-plugin.js';
import { MemorySlidingWindows } from './memory-sliding-window.js';

export interface UseRateLimitConfig {
  redis: Redis;
  /** Key prefix (brand). */
  keyPrefix?: string;
  /** Window length. Default 60 s. */
  windowMs?: number;
  /** Cost units per window for an identified user. Default 20 000. */
  userLimit?: number;
  /** Cost units per window per client address. Default 10 000. */
  ipLimit?: number;
  /** Cost charged at least per operation, so free operations still count. Default 1. */
  minimumCost?: number;
  /** Called when an operation is refused (metrics). */
  onLimited?: (scope: 'user' | 'ip') => void;
  /** Callers the in-memory fallback remembers while Redis is down. Default 100 000. */
  fallbackMaxKeys?: number;
}

/**
 * Sliding-window limiter, cost-weighted: each operation spends its computed cost (at least
 * `minimumCost`), so one expensive query counts like many cheap ones. Runs after the cost limit
 * in the plugin list and reads the cost it left on the context. The window itself is
 * `spendSlidingWindow` (redis/sliding-window.ts).
 *
 * While Redis is down the same windows are kept in this instance's memory (same limits, per
 * instance instead of shared); the memory counts are dropped, not merged, when Redis is back.
 */
export function useRateLimit(config: UseRateLimitConfig): GatewayPlugin {
  const windowMs = config.windowMs ?? 60_000;
  const prefix = config.keyPrefix ? `${config.keyPrefix}:` : '';
  const limits = { user: config.userLimit ?? 20_000, ip: config.ipLimit ?? 10_000 };
  let fallback: MemorySlidingWindows | undefined;
  return {
    name: 'rate-limit',
    async onOperation({ context }) {
      const spend = Math.max(config.minimumCost ?? 1, Math.ceil(context.costOfLastOperation ?? 0));
      const checks: Array<{ scope: 'user' | 'ip'; id: string }> = [{ scope: 'ip', id: context.ip }];
      if (context.caller.userId !== undefined) checks.unshift({ scope: 'user', id: `${context.caller.tenantId ?? ''}:${context.caller.userId}` });
      // All windows in one atomic step: a request one limit refuses spends in none of them.
      const requests = checks.map((check) => ({ key: `${prefix}ratelimit:${check.scope}:${check.id}`, spend, limit: limits[check.scope], windowMs }));
      const results = await withRedisFallback(
        config.redis,
        'gateway rate limit',
        (redis) => spendSlidingWindows(redis, requests),
        () => (fallback ??= new MemorySlidingWindows(config.fallbackMaxKeys)).spend(requests),
      );
      let tightest: { scope: 'user' | 'ip'; remaining: number; limit: number; resetMs: number; allowed: boolean } | undefined;
      for (const [index, spent] of results.entries()) {
        const scope = checks[index]!.scope;
        const result = { scope, limit: limits[scope], remaining: spent.remaining, resetMs: spent.resetMs, allowed: spent.allowed };
        // The refusing window names the answer; among equals, the one with less room left.
        if (tightest === undefined || (!result.allowed && tightest.allowed) || (result.allowed === tightest.allowed && result.remaining < tightest.remaining)) tightest = result;
      }
      if (tightest === undefined) return;
      context.responseHeaders.set('x-ratelimit-limit', String(tightest.limit));
      context.responseHeaders.set('x-ratelimit-remaining', String(tightest.remaining));
      context.responseHeaders.set('x-ratelimit-reset', String(Math.ceil(tightest.resetMs / 1000)));
      if (!tightest.allowed) {
        config.onLimited?.(tightest.scope);
        context.responseHeaders.set('retry-after', String(Math.ceil(tightest.resetMs / 1000)));
        throw createServiceError(CORE_ERRORS.RateLimited, 'Too many requests; retry later', {
          scope: tightest.scope,
          limit: tightest.limit,
          retryAfterSeconds: Math.ceil(tightest.resetMs / 1000),
          http: { status: 429 },
        });
      }
    },
  };
}
