/**
 * Where withdrawn money goes: a bank or PSP payout API. The saga calls `payout` at least once
 * per withdrawal with the same idempotency key, so a provider must treat a repeated key as the
 * same payout (real PSPs do: Stripe's Idempotency-Key, Adyen's reference).
 */
export interface PayoutRequest {
  idempotencyKey: string;
  tenantId: string;
  userId: string;
  amount: number;
  currency: string;
  transferId: string;
}

export type PayoutOutcome =
  | { status: 'paid'; providerReference: string }
  /** The provider refused for good (closed account, compliance): the hold is released. */
  | { status: 'declined'; reason: string };

export interface PayoutProvider {
  readonly name: string;
  /** Throws on transient failures (network, 5xx): the saga retries with the same key. */
  payout(request: PayoutRequest, signal?: AbortSignal): Promise<PayoutOutcome>;
}
