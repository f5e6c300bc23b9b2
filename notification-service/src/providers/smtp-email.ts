import nodemailer from 'nodemailer';
import { ProviderError, type NotificationProvider, type OutgoingMessage, type SendResult } from './provider.js';

export interface SmtpEmailProviderOptions {
  /** `smtp://user:pass@host:port` or `smtps://...`; never logged. */
  url: string;
  from: string;
  name?: string;
  /** Pooled connections: with one message per connection at a time, the most sends in flight (default 20, the email workers' default concurrency). */
  maxConnections?: number;
  /** Connection, greeting and socket timeouts, ms (default 10 s). */
  timeoutMs?: number;
}

/**
 * Email over SMTP with nodemailer's pooled transport. Permanent SMTP refusals (5xx: unknown
 * mailbox, rejected content) are not retryable; 4xx, refused connections and timeouts are.
 */
export function createSmtpEmailProvider(options: SmtpEmailProviderOptions): NotificationProvider {
  const timeout = options.timeoutMs ?? 10_000;
  const url = new URL(options.url);
  url.searchParams.set('pool', 'true');
  const transport = nodemailer.createTransport({ url: url.href, pool: true, maxConnections: options.maxConnections ?? 20, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout } as Parameters<typeof nodemailer.createTransport>[0]);
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

function toProviderError(error: unknown): ProviderError {
  const code = (error as { responseCode?: unknown }).responseCode;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'number') return new ProviderError(`smtp ${code}: ${message}`, !(code >= 500 && code < 600), code);
  return new ProviderError(message, true, (error as { code?: string }).code);
}
