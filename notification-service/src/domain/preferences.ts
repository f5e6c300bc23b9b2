import type { Channel } from './channels.js';
import { PROVIDER_CHANNELS } from './channels.js';
import type { NotificationTypeSpec } from './catalog.js';

export interface Preferences {
  channels: Channel[];
  mutedTypes: string[];
  locale: string;
  /** Where email goes instead of the account's address; null for the account's. */
  email: string | null;
  /** Where SMS goes instead of the account's number; null for the account's. */
  phone: string | null;
}

export const DEFAULT_PREFERENCES: Readonly<Preferences> = Object.freeze<Preferences>({
  channels: ['EMAIL', 'SMS', 'PUSH', 'IN_APP'],
  mutedTypes: [],
  locale: 'en',
  email: null,
  phone: null,
});

/**
 * The channels one notification goes to. Ordinary types: the type's channels the user kept, none
 * when muted. Critical types ignore mutes, and when the user's opt-outs would leave no way to
 * reach them outside the app, the type's first email/SMS channel goes out anyway (API.md: "where
 * the channel is the only way to reach the user"). `only` narrows to the requested channel (an
 * OTP goes where it was asked for, whatever the preferences).
 */
export function decideChannels(type: string, spec: NotificationTypeSpec, preferences: Preferences, only?: readonly Channel[]): Channel[] {
  if (only !== undefined) return spec.channels.filter((channel) => only.includes(channel));
  if (!spec.critical && preferences.mutedTypes.includes(type)) return [];
  const kept = spec.channels.filter((channel) => preferences.channels.includes(channel));
  if (!spec.critical) return kept;
  const reachesOutside = kept.some((channel) => (PROVIDER_CHANNELS as readonly Channel[]).includes(channel));
  const fallback = spec.channels.find((channel) => (PROVIDER_CHANNELS as readonly Channel[]).includes(channel));
  return reachesOutside || fallback === undefined ? kept : [fallback, ...kept];
}
