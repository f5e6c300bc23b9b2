import twilio from 'twilio';
import { ProviderError, type NotificationProvider, type OutgoingMessage, type SendResult } from './provider.js';

type RequestOptions<TData> = Parameters<typeof twilio.RequestClient.prototype.request<TData>>[0];

/** Twilio credentials and sender; `apiBaseUrl` points the real client at a local stand-in. */
export interface TwilioSmsProviderOptions {
  accountSid: string;
  /** Never logged. */
  authToken: string;
  from: string;
  /** Another origin for Twilio's API (development and tests: the local recorder). */
  apiBaseUrl?: string;
  /** Public URL of this service's status callback route; the delivery id is added as a query. */
  statusCallbackUrl?: string;
  /** Recorded on deliveries (default `twilio`). */
  name?: string;
  /** Per-request timeout, ms (default 10 s). */
  timeoutMs?: number;
}

/**
 * SMS through the official Twilio client. With `apiBaseUrl`, a RequestClient that only swaps
 * the origin: the library's own request path (auth header, form encoding, axios, error
 * parsing) still runs up to the network edge.
 */
export function createTwilioSmsProvider(options: TwilioSmsProviderOptions): NotificationProvider {
  const timeout = options.timeoutMs ?? 10_000;
  const httpClient = new RedirectingRequestClient(options.apiBaseUrl, timeout);
  const client = twilio(options.accountSid, options.authToken, { httpClient, timeout });
  return {
    name: options.name ?? 'twilio',
    channel: 'SMS',
    async send(message: OutgoingMessage): Promise<SendResult> {
      try {
        const sent = await client.messages.create({
          to: message.to,
          from: options.from,
          body: message.text,
          ...(options.statusCallbackUrl !== undefined ? { statusCallback: `${options.statusCallbackUrl}?deliveryId=${encodeURIComponent(message.deliveryId)}` } : {}),
        });
        return { providerMessageId: sent.sid, status: 'SENT' };
      } catch (error) {
        throw toProviderError(error);
      }
    },
    async close() {},
  };
}

/** Twilio's RequestClient with every request sent to another origin (path and query kept). */
class RedirectingRequestClient extends twilio.RequestClient {
  readonly #origin: string | undefined;
  constructor(origin: string | undefined, timeout: number) {
    super({ timeout });
    this.#origin = origin?.replace(/\/+$/, '');
  }

  override request<TData>(opts: RequestOptions<TData>) {
    if (this.#origin === undefined) return super.request<TData>(opts);
    const uri = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: `${this.#origin}${uri.pathname}${uri.search}` });
  }
}

/**
 * Twilio answered: a 4xx other than 429 rejects this request as it is (invalid, unreachable or
 * opted-out number: 21211, 21614, 21610; bad credentials), so sending it again cannot help;
 * 429 and 5xx can pass later. No answer (refused, reset, timed out): retryable.
 */
function toProviderError(error: unknown): ProviderError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof twilio.RestException) {
    const { status, code } = error;
    const permanent = status >= 400 && status < 500 && status !== 429;
    return new ProviderError(`twilio ${status}${code !== undefined ? `/${code}` : ''}: ${message}`, !permanent, code ?? status);
  }
  const code = (error as { code?: unknown }).code;
  return new ProviderError(message, true, typeof code === 'string' ? code : undefined);
}

/**
 * Twilio's signature check of a status callback (`X-Twilio-Signature`), so forged receipts
 * cannot mark deliveries: `url` is exactly the URL Twilio was given, query included.
 */
export function verifyTwilioStatusCallback(input: { authToken: string; signature: string; url: string; params: Record<string, string> }): boolean {
  return twilio.validateRequest(input.authToken, input.signature, input.url, input.params);
}

/** What a status callback says about one message, in the delivery's terms. */
export interface TwilioStatus {
  /** From the callback URL's query, when the provider added it. */
  deliveryId?: string;
  messageSid: string;
  status: 'DELIVERED' | 'FAILED' | 'SENT';
  errorCode?: string;
}

/**
 * A status callback's parameters as a delivery status: delivered → DELIVERED,
 * failed/undelivered → FAILED, anything earlier (queued, sending, sent) → SENT.
 */
export function parseTwilioStatus(params: Record<string, string>): TwilioStatus {
  const raw = params['MessageStatus'] ?? params['SmsStatus'] ?? '';
  const status = raw === 'delivered' ? 'DELIVERED' : raw === 'failed' || raw === 'undelivered' ? 'FAILED' : 'SENT';
  return {
    messageSid: params['MessageSid'] ?? params['SmsSid'] ?? '',
    status,
    ...(params['deliveryId'] !== undefined ? { deliveryId: params['deliveryId'] } : {}),
    ...(params['ErrorCode'] !== undefined ? { errorCode: params['ErrorCode'] } : {}),
  };
}
