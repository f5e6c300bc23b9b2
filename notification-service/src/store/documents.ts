import type { Channel, DeliveryStatus } from '../domain/channels.js';
import type { Preferences } from '../domain/preferences.js';

/** One notification for one user. `inbox` says whether it is listed by `notifications` (IN_APP). */
export interface NotificationDocument {
  _id: string;
  tenantId: string;
  userId: string;
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown> | null;
  critical: boolean;
  channels: Channel[];
  inbox: boolean;
  /** `<event id>:<type>:<user>`: one notification per event and recipient, whatever the redelivery. */
  dedupeKey: string;
  locale: string;
  readAt: Date | null;
  createdAt: Date;
  /** Retention: MongoDB's TTL monitor removes the entry after this instant. */
  expiresAt: Date;
}

/**
 * One delivery attempt chain: a notification on one channel. Holds what the worker needs to
 * render and send without reading the event again; an OTP's code only sealed (`sealed`), and
 * dropped once sent.
 */
export interface DeliveryDocument {
  _id: string;
  tenantId: string;
  userId: string;
  notificationId: string;
  channel: Channel;
  /** The provider that handled the last attempt (`smtp`, `twilio`, `inbox`, `live`), or the planned one. */
  provider: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  type: string;
  critical: boolean;
  locale: string;
  variables: Record<string, unknown>;
  /** Explicit destination (OTP address, test send); null: the user's address at send time. */
  to: string | null;
  sealed: { otpId: string; sealedCode: unknown } | null;
  test: boolean;
  providerMessageId: string | null;
  /** When the dispatcher last put it on its queue; null: not yet (see delivery/dispatcher.ts). */
  enqueuedAt: Date | null;
  createdAt: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
  expiresAt: Date;
  /** W3C trace context of the handler that queued it: the send joins that trace (see delivery/channel-workers.ts). */
  traceparent?: string;
  tracestate?: string;
}

export interface PreferencesDocument extends Preferences {
  _id: string;
  tenantId: string;
  updatedAt: Date;
}

export interface TemplateDocument {
  _id: string;
  tenantId: string;
  type: string;
  channel: Channel;
  locale: string;
  subject: string | null;
  body: string;
  updatedAt: Date;
  updatedBy: string | null;
}

/** What notification-service knows of a user, from auth-service's events. */
export interface RecipientDocument {
  _id: string;
  tenantId: string;
  email: string | null;
  phone: string | null;
  displayName: string | null;
  status: string;
  updatedAt: Date;
}
