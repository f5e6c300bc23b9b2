import type { IntegrationEvent } from 'core-service';
import type { Channel } from './channels.js';

/**
 * The notification types and which integration events produce them: data, read by one
 * consumer (events/source-events.ts), so adding a notification is adding an entry here and its
 * default templates (default-templates.ts), not a branch somewhere else.
 */
export interface NotificationTypeSpec {
  /** Security notifications: delivered even when muted (see decideChannels). */
  critical: boolean;
  /** Where the type goes unless the user opted out. */
  channels: readonly Channel[];
  /** Values a template of this type may use, with sample values for test sends. */
  sample: Readonly<Record<string, string>>;
}

export const NOTIFICATION_TYPES = {
  'account.welcome': { critical: false, channels: ['EMAIL', 'IN_APP'], sample: { displayName: 'Ada' } },
  'security.otp': { critical: true, channels: ['EMAIL', 'SMS'], sample: { code: '123456', purpose: 'withdrawal', expiresInMinutes: '10' } },
  'security.new_device': { critical: true, channels: ['EMAIL', 'PUSH', 'IN_APP'], sample: { clientAddress: '203.0.113.7', at: '2026-01-01T12:00:00.000Z' } },
  'security.password_changed': { critical: true, channels: ['EMAIL', 'PUSH', 'IN_APP'], sample: { at: '2026-01-01T12:00:00.000Z' } },
  'security.account_locked': { critical: true, channels: ['EMAIL', 'IN_APP'], sample: { retryAfterMinutes: '15' } },
  'payment.deposit_received': { critical: false, channels: ['EMAIL', 'PUSH', 'IN_APP'], sample: { amount: '€12.50', currency: 'EUR' } },
  'payment.transfer_sent': { critical: false, channels: ['PUSH', 'IN_APP'], sample: { amount: '€12.50', currency: 'EUR', counterparty: 'Grace' } },
  'payment.transfer_received': { critical: false, channels: ['EMAIL', 'PUSH', 'IN_APP'], sample: { amount: '€12.50', currency: 'EUR', counterparty: 'Ada' } },
  'payment.withdrawal_completed': { critical: false, channels: ['EMAIL', 'PUSH', 'IN_APP'], sample: { amount: '€12.50', currency: 'EUR' } },
  'payment.withdrawal_failed': { critical: false, channels: ['EMAIL', 'PUSH', 'IN_APP'], sample: { amount: '€12.50', currency: 'EUR', reason: 'payout refused' } },
  'bonus.awarded': { critical: false, channels: ['EMAIL', 'PUSH', 'IN_APP'], sample: { amount: '€5.00', currency: 'EUR', templateCode: 'WELCOME10', expiresAt: '2026-02-01' } },
  'bonus.converted': { critical: false, channels: ['PUSH', 'IN_APP'], sample: { amount: '€5.00', currency: 'EUR', templateCode: 'WELCOME10' } },
  'bonus.expiring': { critical: false, channels: ['EMAIL', 'IN_APP'], sample: { amount: '€5.00', currency: 'EUR', templateCode: 'WELCOME10', expiresAt: '2026-02-01' } },
  /** What `sendTestNotification` sends unless told another type. */
  test: { critical: false, channels: ['EMAIL', 'SMS', 'PUSH', 'IN_APP'], sample: { displayName: 'Ada' } },
} as const satisfies Record<string, NotificationTypeSpec>;

export type NotificationType = keyof typeof NOTIFICATION_TYPES;

export function isNotificationType(value: unknown): value is NotificationType {
  return typeof value === 'string' && Object.hasOwn(NOTIFICATION_TYPES, value);
}

export function typeSpec(type: NotificationType): NotificationTypeSpec {
  return NOTIFICATION_TYPES[type];
}

/** The channels a type's templates exist for: PUSH shows the IN_APP text. */
export function templateChannels(spec: NotificationTypeSpec): Channel[] {
  return [...new Set(spec.channels.map((channel) => (channel === 'PUSH' ? 'IN_APP' : channel)))];
}

/** One notification an event asks for. */
export interface NotificationIntent {
  type: NotificationType;
  userId: string;
  /** Template variables (amounts already formatted by `formatAmount` at render time). */
  variables: Record<string, string | number>;
  /** Extra data on the Notification (`data`), for the app's links. */
  data?: Record<string, unknown>;
  /** Only these channels (an OTP goes where it was requested). */
  onlyChannels?: readonly Channel[];
  /** An explicit destination (the OTP's address), instead of the user's own. */
  destination?: string | null;
  /** Sealed secret the worker opens at send time (OTP code); never stored in clear. */
  sealed?: { otpId: string; sealedCode: unknown };
}

type Data = Record<string, unknown>;
type Rule = (event: IntegrationEvent<Data>) => NotificationIntent[];

const str = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));
const money = (data: Data): { amount: number; currency: string } => ({ amount: Number(data['amount'] ?? 0), currency: str(data['currency']) });
const forUser = (userId: unknown, intent: Omit<NotificationIntent, 'userId'>): NotificationIntent[] =>
  typeof userId === 'string' && userId !== '' && !userId.startsWith('system:') ? [{ ...intent, userId }] : [];
const minutesUntil = (iso: unknown, occurredAt: string): number => Math.max(1, Math.round((Date.parse(str(iso)) - Date.parse(occurredAt)) / 60_000));

/**
 * Integration event type → the notifications it produces. Payment events name both parties;
 * system accounts (`system:*`) get nothing. Amounts stay numbers here and are formatted in the
 * recipient's locale when rendered.
 */
export const EVENT_RULES: Readonly<Record<string, Rule>> = {
  'user.registered': (event) => forUser(event.userId, { type: 'account.welcome', variables: { displayName: str(event.data['displayName']) || str(event.data['email']) } }),
  'auth.otp.requested': (event) =>
    forUser(event.userId, {
      type: 'security.otp',
      variables: { purpose: str(event.data['purpose']), expiresInMinutes: minutesUntil(event.data['expiresAt'], event.occurredAt) },
      onlyChannels: [event.data['channel'] === 'SMS' ? 'SMS' : 'EMAIL'],
      destination: typeof event.data['destination'] === 'string' ? event.data['destination'] : null,
      sealed: { otpId: str(event.data['otpId']), sealedCode: event.data['sealedCode'] },
    }),
  'auth.login.new_device': (event) =>
    forUser(event.userId, { type: 'security.new_device', variables: { clientAddress: str(event.data['clientAddress']) || 'unknown', at: str(event.data['at']) || event.occurredAt } }),
  'auth.password_changed': (event) => forUser(event.userId, { type: 'security.password_changed', variables: { at: str(event.data['at']) || event.occurredAt } }),
  'auth.account_locked': (event) =>
    forUser(event.userId, { type: 'security.account_locked', variables: { retryAfterMinutes: Math.max(1, Math.ceil(Number(event.data['retryAfterSeconds'] ?? 60) / 60)) } }),
  'deposit.completed': (event) => forUser(event.data['toUserId'], { type: 'payment.deposit_received', variables: money(event.data), data: { transferId: event.data['transferId'] } }),
  'transfer.completed': (event) => {
    if (event.data['type'] !== undefined && event.data['type'] !== 'transfer') return [];
    const data = { transferId: event.data['transferId'] };
    return [
      ...forUser(event.data['fromUserId'], { type: 'payment.transfer_sent', variables: { ...money(event.data), counterparty: str(event.data['toUserId']) }, data }),
      ...forUser(event.data['toUserId'], { type: 'payment.transfer_received', variables: { ...money(event.data), counterparty: str(event.data['fromUserId']) }, data }),
    ];
  },
  'withdrawal.completed': (event) => forUser(event.data['fromUserId'], { type: 'payment.withdrawal_completed', variables: money(event.data), data: { transferId: event.data['transferId'] } }),
  'transfer.failed': (event) =>
    event.data['type'] === 'withdrawal'
      ? forUser(event.data['fromUserId'], {
          type: 'payment.withdrawal_failed',
          variables: { ...money(event.data), reason: str(event.data['reason']) || 'refused' },
          data: { transferId: event.data['transferId'] },
        })
      : [],
  'bonus.awarded': (event) => bonusIntent(event, 'bonus.awarded'),
  'bonus.converted': (event) => bonusIntent(event, 'bonus.converted'),
  'bonus.expiring': (event) => bonusIntent(event, 'bonus.expiring'),
};

function bonusIntent(event: IntegrationEvent<Data>, type: 'bonus.awarded' | 'bonus.converted' | 'bonus.expiring'): NotificationIntent[] {
  const bonus = (event.data['bonus'] ?? event.data) as Data;
  return forUser(bonus['userId'] ?? event.userId, {
    type,
    variables: { ...money(bonus), templateCode: str(bonus['templateCode']), expiresAt: str(bonus['expiresAt']).slice(0, 10) },
    data: { bonusId: bonus['id'] },
  });
}

/** The notifications an event asks for; none for events no rule names. */
export function intentsFor(event: IntegrationEvent<Data>): NotificationIntent[] {
  const rule = EVENT_RULES[event.type];
  return rule === undefined ? [] : rule(event);
}
