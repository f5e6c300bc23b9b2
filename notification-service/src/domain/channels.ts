/** The API's `NotificationChannel`. */
export const CHANNELS = ['EMAIL', 'SMS', 'PUSH', 'IN_APP'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Channels that leave the platform through a provider (queued, retried, breaker-guarded). */
export const PROVIDER_CHANNELS = ['EMAIL', 'SMS'] as const;
export type ProviderChannelName = (typeof PROVIDER_CHANNELS)[number];

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

export function isProviderChannel(channel: Channel): channel is ProviderChannelName {
  return channel === 'EMAIL' || channel === 'SMS';
}

/** The API's `DeliveryStatus`. */
export type DeliveryStatus = 'QUEUED' | 'SENT' | 'DELIVERED' | 'FAILED' | 'SUPPRESSED';
