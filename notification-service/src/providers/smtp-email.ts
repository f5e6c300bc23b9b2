import nodemailer from 'nodemailer';
import { ProviderError, type NotificationProvider, type OutgoingMessage, type SendResult } from './provider.js';

/** Where and as whom the email provider sends; the URL carries the relay's credentials. */
export interface SmtpEmailProviderOptions {
  /** `smtp://user:pass@host:port` or `smtps://...`; never logged. */
  url: string;
  from: string;
  /** Recorded on deliveries: `smtp` (default), `smtp-fallback` for a second relay. */
  name?: string;
  /** Pooled connections: with one message per connection at a time, the most sends in flight (default 20, the email workers' default concurrency). */
  maxConnections?: number;
  /** Connection, greeting and socket timeouts, ms (default 10 s). */
  timeoutMs?: number;
}

/**
 * Email over SMTP with nodemailer's pooled transport, so a busy worker reuses connections
 * instead of paying a handshake per message. Permanent SMTP refusals (5xx: unknown mailbox,
 * rejected content) are not retryable; 4xx, refused or dropped connections and timeouts are.
 */
export function createSmtpEmailProvider(options: SmtpEmailProviderOptions): NotificationProvider {
  const timeout = options.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    url: options.url,
    pool: true,
    maxConnections: options.maxConnections ?? 20,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    name: options.name ?? 'smtp',
    channel: 'EMAIL',
    async send(message: OutgoingMessage): Promise<SendResult> {
      try {
        const info = await transport.sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject ?? '',
          text: message.text,
          ...(message.html !== undefined ? { html: message.html } : {}),
          headers: { ...message.headers, 'X-Delivery-Id': message.deliveryId },
        });
        return { providerMessageId: String(info.messageId), status: 'SENT' };
      } catch (error) {
        throw toProviderError(error);
      }
    },
    async close() {
      transport.close();
    },
  };
}

/** An SMTP reply code decides; without one (network, timeout) the relay may take it later. */
function toProviderError(error: unknown): ProviderError {
  const { responseCode, code } = error as { responseCode?: unknown; code?: unknown };
  const message = error instanceof Error ? error.message : String(error);
  if (typeof responseCode === 'number') {
    const permanent = responseCode >= 500 && responseCode < 600;
    return new ProviderError(`smtp ${responseCode}: ${message}`, !permanent, responseCode);
  }
  return new ProviderError(message, true, typeof code === 'string' ? code : undefined);
}
