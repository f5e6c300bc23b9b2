import type { Channel } from './channels.js';
import type { NotificationType } from './catalog.js';

/**
 * Built-in templates: what every tenant gets until an admin saves its own (`upsertNotificationTemplate`
 * for the same type, channel and locale). English for every type and channel it may use; German
 * for a few, to show the locale fallback (a missing locale falls back to `en`). PUSH shows the
 * IN_APP text.
 */
export interface TemplateText {
  subject?: string;
  body: string;
}

type Texts = Partial<Record<'EMAIL' | 'SMS' | 'IN_APP', TemplateText>>;

const EN: Record<NotificationType, Texts> = {
  'account.welcome': {
    EMAIL: { subject: 'Welcome, {{displayName}}', body: 'Hello {{displayName}},\n\nyour account is ready. Welcome aboard.' },
    IN_APP: { subject: 'Welcome', body: 'Your account is ready, {{displayName}}.' },
  },
  'security.otp': {
    EMAIL: { subject: 'Your verification code', body: 'Your code is {{code}}. It expires in {{expiresInMinutes}} minutes. If you did not ask for it, ignore this message.' },
    SMS: { body: 'Your code is {{code}} (valid {{expiresInMinutes}} min). Never share it.' },
  },
  'security.new_device': {
    EMAIL: { subject: 'New sign-in to your account', body: 'We noticed a sign-in from {{clientAddress}} at {{at}}. If this was not you, change your password now.' },
    IN_APP: { subject: 'New sign-in', body: 'Sign-in from {{clientAddress}} at {{at}}.' },
  },
  'security.password_changed': {
    EMAIL: { subject: 'Your password was changed', body: 'Your password was changed at {{at}}. If this was not you, contact support at once.' },
    IN_APP: { subject: 'Password changed', body: 'Your password was changed at {{at}}.' },
  },
  'security.account_locked': {
    EMAIL: { subject: 'Sign-in paused after failed attempts', body: 'After several failed sign-in attempts we paused sign-ins to your account for {{retryAfterMinutes}} minutes.' },
    IN_APP: { subject: 'Sign-in paused', body: 'Failed sign-in attempts paused sign-ins for {{retryAfterMinutes}} minutes.' },
  },
  'payment.deposit_received': {
    EMAIL: { subject: 'Deposit received: {{amount}}', body: 'We received your deposit of {{amount}}.' },
    IN_APP: { subject: 'Deposit received', body: '{{amount}} was added to your wallet.' },
  },
  'payment.transfer_sent': {
    IN_APP: { subject: 'Transfer sent', body: 'You sent {{amount}} to {{counterparty}}.' },
  },
  'payment.transfer_received': {
    EMAIL: { subject: 'You received {{amount}}', body: '{{counterparty}} sent you {{amount}}.' },
    IN_APP: { subject: 'Money received', body: '{{counterparty}} sent you {{amount}}.' },
  },
  'payment.withdrawal_completed': {
    EMAIL: { subject: 'Withdrawal completed: {{amount}}', body: 'Your withdrawal of {{amount}} was paid out.' },
    IN_APP: { subject: 'Withdrawal completed', body: 'Your withdrawal of {{amount}} was paid out.' },
  },
  'payment.withdrawal_failed': {
    EMAIL: { subject: 'Withdrawal not completed', body: 'Your withdrawal of {{amount}} could not be paid out ({{reason}}). The money is back in your wallet.' },
    IN_APP: { subject: 'Withdrawal failed', body: 'Your withdrawal of {{amount}} failed ({{reason}}); the money is back in your wallet.' },
  },
  'bonus.awarded': {
    EMAIL: { subject: 'You got a bonus of {{amount}}', body: 'A bonus of {{amount}} ({{templateCode}}) was added. Use it before {{expiresAt}}.' },
    IN_APP: { subject: 'Bonus awarded', body: '{{amount}} bonus ({{templateCode}}) until {{expiresAt}}.' },
  },
  'bonus.converted': {
    IN_APP: { subject: 'Bonus converted', body: 'Your {{templateCode}} bonus of {{amount}} is now real balance.' },
  },
  'bonus.expiring': {
    EMAIL: { subject: 'Your bonus expires on {{expiresAt}}', body: 'Your {{templateCode}} bonus of {{amount}} expires on {{expiresAt}}.' },
    IN_APP: { subject: 'Bonus expiring', body: 'Your {{templateCode}} bonus of {{amount}} expires on {{expiresAt}}.' },
  },
  test: {
    EMAIL: { subject: 'Test notification', body: 'Hello {{displayName}}, this is a test notification.' },
    SMS: { body: 'Test notification for {{displayName}}.' },
    IN_APP: { subject: 'Test notification', body: 'Hello {{displayName}}, this is a test notification.' },
  },
};

const DE: Partial<Record<NotificationType, Texts>> = {
  'security.otp': {
    EMAIL: { subject: 'Ihr Bestätigungscode', body: 'Ihr Code lautet {{code}}. Er ist {{expiresInMinutes}} Minuten gültig.' },
    SMS: { body: 'Ihr Code: {{code}} ({{expiresInMinutes}} Min. gültig). Nicht weitergeben.' },
  },
  'payment.transfer_received': {
    EMAIL: { subject: 'Sie haben {{amount}} erhalten', body: '{{counterparty}} hat Ihnen {{amount}} gesendet.' },
    IN_APP: { subject: 'Geld erhalten', body: '{{counterparty}} hat Ihnen {{amount}} gesendet.' },
  },
};

const BY_LOCALE: Record<string, Partial<Record<NotificationType, Texts>>> = { en: EN, de: DE };

/** PUSH shows what the inbox shows. */
const textChannel = (channel: Channel): 'EMAIL' | 'SMS' | 'IN_APP' => (channel === 'PUSH' ? 'IN_APP' : channel);

/** The built-in text for exactly this locale, or undefined. */
export function builtInTemplate(type: NotificationType, channel: Channel, locale: string): TemplateText | undefined {
  return BY_LOCALE[locale]?.[type]?.[textChannel(channel)];
}

/** Every built-in template, for the admin listing. */
export function* builtInTemplates(): Generator<{ type: NotificationType; channel: Channel; locale: string; text: TemplateText }> {
  for (const [locale, types] of Object.entries(BY_LOCALE)) {
    for (const [type, channels] of Object.entries(types) as [NotificationType, Texts][]) {
      for (const [channel, text] of Object.entries(channels) as ['EMAIL' | 'SMS' | 'IN_APP', TemplateText][]) yield { type, channel, locale, text };
    }
  }
}
