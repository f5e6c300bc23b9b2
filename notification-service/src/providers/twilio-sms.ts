import twilio from 'twilio';

type RequestOptions<TData> = Parameters<typeof twilio.RequestClient.prototype.request<TData>>[0];
import { ProviderError, type NotificationProvider, type OutgoingMessage, type SendResult } from './provider.js';

export interface TwilioSmsProviderOptions {
  accountSid: string;
  /** Never logged. */
  authToken: string;
  from: string;
  /** Another origin for Twilio's API (development and tests: the local recorder). */
  apiBaseUrl?: string;
  /** Public URL of this service's status callback route; the delivery id is added as a query. */
  statusCallbackUrl?: string;
  name?: string;
  timeoutMs?: number;
}

/** Twilio error codes that mean this number will never take the message. */
const PERMANENT_CODES = new Set([21211, 21214, 21408, 21610, 21612, 21614, 30003, 30005, 30006]);

/**
 * SMS through the official Twilio client. With `apiBaseUrl`, a RequestClient that only swaps
 * the origin: the library's own request path (auth header, form encoding, axios, error
 * parsing) still runs up to the network edge.
 */
export function createTwilioSmsProvider(options: TwilioSmsProviderOptions): NotificationProvider {
  const timeout = options.timeoutMs ?? 10_000;
  const httpClient = new RedirectingRequestClient(options.apiBaseUrl, timeout);
  const client = twilio(options.accountSid, options.authToken, { httpClient, timeout } as never);
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
        return { providerMessageId: sent.sid, status: sent.status === 'delivered' ? 'DELIVERED' : 'SENT' };
      } catch (error) {
        throw toProviderError(error);
      }
    },
    async close() {},
  };
}

class RedirectingRequestClient extends twilio.RequestClient {
  readonly #origin: string | undefined;
  constructor(origin: string | undefined, timeout: number) {
    super({ timeout });
    this.#origin = origin?.replace(/\/$/, '');
  }

  override request<TData>(opts: RequestOptions<TData>) {
    if (this.#origin === undefined) return super.request<TData>(opts);
    const uri = new URL(opts.uri);
    return super.request<TData>({ ...opts, uri: `${this.#origin}${uri.pathname}${uri.search}` });
  }
}

function toProviderError(error: unknown): ProviderError {
  const status = (error as { status?: unknown }).status;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof status === 'number') {
    const permanent = (status === 400 && (typeof code !== 'number' || PERMANENT_CODES.has(code))) || status === 401 || status === 403 || status === 404;
    return new ProviderError(`twilio ${status}${typeof code === 'number' ? `/${code}` : ''}: ${message}`, !permanent, typeof code === 'number' ? code : status);
  }
  return new ProviderError(message, true, typeof code === 'string' ? code : undefined);
}

/** Twilio's signature check of a status callback (`X-Twilio-Signature`). */
export function verifyTwilioStatusCallback(input: { authToken: string; signature: string; url: string; params: Record<string, string> }): boolean {
  return twilio.validateRequest(input.authToken, input.signature, input.url, input.params);
}

export interface TwilioStatus {
  deliveryId?: string;
  messageSid: string;
  status: 'DELIVERED' | 'FAILED' | 'SENT';
  errorCode?: string;
}

/** A status callback's parameters as a delivery status. */
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
