import type { RetryPolicy } from '../settings.js';

/**
 * Exponential back-off with full jitter (delay drawn from [0, min(max, base·2^(n-1))]): retries
 * of many messages failing together spread out instead of hitting a recovering provider in
 * waves.
 */
export function retryDelayMs(policy: RetryPolicy, attemptsMade: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attemptsMade - 1));
  return Math.max(Math.min(policy.baseDelayMs, ceiling) / 4, Math.round(random() * ceiling));
}
