/**
 * Tunables with production defaults. Tests shorten the clocks; operators set them through the
 * service's options (see index.ts for the environment variables).
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** First back-off, ms; doubled per attempt, capped by maxDelayMs, with full jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ChannelSettings {
  retry: RetryPolicy;
  /** Jobs one instance sends at once: the backpressure toward the provider. */
  concurrency: number;
  /** Most jobs on the channel's queue (waiting, delayed, active); the rest wait in MongoDB. */
  maxQueueDepth: number;
  /** Non-critical messages per user per hour; over it, the delivery is SUPPRESSED. */
  perUserPerHour: number;
}

export interface BreakerSettings {
  /** Retryable provider failures within `windowMs` that open the breaker. */
  failureThreshold: number;
  windowMs: number;
  /** How long an open breaker refuses before one trial send. */
  resetTimeoutMs: number;
}

export interface NotificationSettings {
  email: ChannelSettings;
  sms: ChannelSettings;
  breaker: BreakerSettings;
  /** Days an inbox entry and its deliveries are kept. */
  retentionDays: number;
  /** Fallback poll of the dispatcher (after-commit kicks are the fast path), ms. */
  dispatchPollMs: number;
  /** A queued delivery whose job is gone after this long is put on the queue again, ms. */
  requeueAfterMs: number;
  /** Attempts to find a user's address before giving up (the read model may lag). */
  addressLookupAttempts: number;
}

export const DEFAULT_SETTINGS: NotificationSettings = {
  email: { retry: { attempts: 10, baseDelayMs: 2_000, maxDelayMs: 300_000 }, concurrency: 20, maxQueueDepth: 5_000, perUserPerHour: 30 },
  sms: { retry: { attempts: 6, baseDelayMs: 3_000, maxDelayMs: 120_000 }, concurrency: 10, maxQueueDepth: 2_000, perUserPerHour: 10 },
  breaker: { failureThreshold: 5, windowMs: 30_000, resetTimeoutMs: 30_000 },
  retentionDays: 180,
  dispatchPollMs: 1_000,
  requeueAfterMs: 300_000,
  addressLookupAttempts: 3,
};

export type SettingsOverrides = DeepPartial<NotificationSettings>;
type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** The defaults with whatever `overrides` names replaced, at any depth. */
export function resolveSettings(overrides: SettingsOverrides = {}): NotificationSettings {
  return deepMerge(DEFAULT_SETTINGS, overrides);
}

function deepMerge<T>(base: T, over: DeepPartial<T> | undefined): T {
  if (over === undefined) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(over as Record<string, unknown>)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = value !== null && typeof value === 'object' && typeof current === 'object' && current !== null ? deepMerge(current, value) : value;
  }
  return out as T;
}
