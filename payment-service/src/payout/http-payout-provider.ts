import type { PayoutOutcome, PayoutProvider, PayoutRequest } from './payout-provider.js';

export interface HttpPayoutProviderOptions {
  /** Base URL of the payout API; `POST {baseUrl}/payouts`. */
  baseUrl: string;
  /** Sent as a bearer token; never logged. */
  apiKey?: string;
  timeoutMs?: number;
}

/**
 * A payout API over HTTP: JSON body, `Idempotency-Key` header carrying the saga step's key so a
 * retry is the same payout. 2xx with `{ status: 'paid' | 'declined' }` is an answer; 4xx other
 * than 409/429 is a decline (the request itself is wrong and retrying will not help); anything
 * else throws so the saga retries.
 */
export class HttpPayoutProvider implements PayoutProvider {
  readonly name = 'http';
  readonly #options: HttpPayoutProviderOptions;

  constructor(options: HttpPayoutProviderOptions) {
    this.#options = options;
  }

  async payout(request: PayoutRequest, signal?: AbortSignal): Promise<PayoutOutcome> {
    const timeout = AbortSignal.timeout(this.#options.timeoutMs ?? 10_000);
    const response = await fetch(new URL('payouts', ensureTrailingSlash(this.#options.baseUrl)), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': request.idempotencyKey,
        ...(this.#options.apiKey !== undefined ? { authorization: `Bearer ${this.#options.apiKey}` } : {}),
      },
      body: JSON.stringify({
        reference: request.transferId,
        tenantId: request.tenantId,
        userId: request.userId,
        amount: request.amount,
        currency: request.currency,
      }),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    if (response.ok) {
      const body = (await response.json()) as { status?: string; reference?: string; reason?: string };
      if (body.status === 'paid') return { status: 'paid', providerReference: String(body.reference ?? '') };
      if (body.status === 'declined') return { status: 'declined', reason: String(body.reason ?? 'declined') };
      throw new Error(`payout provider answered an unknown status ${JSON.stringify(body.status)}`);
    }
    if (response.status >= 400 && response.status < 500 && response.status !== 409 && response.status !== 429) {
      return { status: 'declined', reason: `provider refused the request (HTTP ${response.status})` };
    }
    throw new Error(`payout provider failed with HTTP ${response.status}`);
  }
}

function ensureTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
