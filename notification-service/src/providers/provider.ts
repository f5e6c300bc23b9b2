/**
 * What a delivery provider is to the delivery workers: one channel, one `send`, and errors that
 * say whether trying again can help. Workers own retries, breakers and fallbacks; providers only
 * talk to their network edge.
 */
export type ProviderChannel = 'EMAIL' | 'SMS';

export interface OutgoingMessage {
  /** The delivery record's id: sent as a header / status-callback key so answers find it. */
  deliveryId: string;
  tenantId: string;
  /** An email address (EMAIL) or an E.164 phone number (SMS). */
  to: string;
  /** EMAIL only. */
  subject?: string;
  text: string;
  /** EMAIL only: the HTML body (values already escaped by the renderer). */
  html?: string;
  /** EMAIL only: extra headers (`X-Notification-Type`, ...). */
  headers?: Record<string, string>;
}

export interface SendResult {
  /** The provider's id for the message (SMTP Message-ID, Twilio message SID). */
  providerMessageId: string;
  /** SENT: handed over; DELIVERED: the provider confirmed receipt by the recipient. */
  status: 'SENT' | 'DELIVERED';
}

export interface NotificationProvider {
  /** Recorded on the delivery (`Delivery.provider`): `smtp`, `smtp-fallback`, `twilio`. */
  readonly name: string;
  readonly channel: ProviderChannel;
  send(message: OutgoingMessage): Promise<SendResult>;
  close(): Promise<void>;
}

/**
 * A provider's refusal or failure. `retryable` false means the same message will never be
 * accepted (bad recipient, rejected content): the delivery fails at once instead of burning its
 * retries. Network errors, timeouts, 5xx and 429 are retryable.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly providerCode?: string | number,
  ) {
    super(message);
  }
}
