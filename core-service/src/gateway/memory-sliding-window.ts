import { LRUCache } from 'lru-cache';
import type { SlidingWindowResult, SlidingWindowSpend } from '../redis/sliding-window.js';

/**
 * The sliding-window counter of `spendSlidingWindows` (redis/sliding-window.ts) kept in this
 * process: what `useRateLimit` spends in while Redis is down. Same arithmetic and the same
 * all-or-nothing spend, so the limits stay the same; but per instance, so N gateway instances
 * allow up to N times the limit until Redis is back. Bounded by an LRU: the least recently seen
 * callers are forgotten first (forgetting only errs towards allowing).
 */
export class MemorySlidingWindows {
  readonly #counts: LRUCache<string, number>;

  constructor(maxKeys = 100_000) {
    this.#counts = new LRUCache<string, number>({ max: maxKeys });
  }

  spend(requests: readonly SlidingWindowSpend[]): SlidingWindowResult[] {
    const windows = requests.map((request) => {
      const now = request.now ?? Date.now();
      const window = Math.floor(now / request.windowMs);
      const currentKey = `${request.key}:${window}`;
      const previous = this.#counts.get(`${request.key}:${window - 1}`) ?? 0;
      const current = this.#counts.get(currentKey) ?? 0;
      const used = Math.floor(previous * (1 - (now % request.windowMs) / request.windowMs) + current);
      return { request, currentKey, current, used, allowed: used + request.spend <= request.limit, resetMs: request.windowMs - (now % request.windowMs) };
    });
    const allAllowed = windows.every((window) => window.allowed);
    return windows.map(({ request, currentKey, current, used, allowed, resetMs }) => {
      const spent = allAllowed ? used + request.spend : used;
      if (allAllowed) this.#counts.set(currentKey, current + request.spend, { ttl: request.windowMs * 2 });
      return { allowed, used: spent, remaining: Math.max(0, request.limit - spent), resetMs };
    });
  }
}
