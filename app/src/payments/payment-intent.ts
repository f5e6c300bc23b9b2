/**
 * One idempotency key per payment a person means to make. The key is minted when the details
 * are first sent and kept while the outcome is unknown (the request failed on the network, the
 * server answered 5xx): a retry then carries the same key and the platform answers with the
 * first result instead of moving money twice. A click while a send is in flight is ignored.
 * Only a definitive answer lets the key go: success ends the intent, a business refusal
 * (MSPayment* codes are raised before anything is written) lets the next try start afresh, and
 * changing the details makes it a different payment with a different key.
 */
export interface PaymentIntentState {
  key: string | null;
  fingerprint: string | null;
  inFlight: boolean;
  done: boolean;
}

export type AttemptOutcome = 'succeeded' | 'refused' | 'unknown';

export const initialPaymentIntent: PaymentIntentState = { key: null, fingerprint: null, inFlight: false, done: false };

/** Stable text for the details that make a payment "the same payment". */
export function paymentFingerprint(details: Record<string, string | number | null | undefined>): string {
  return JSON.stringify(
    Object.keys(details)
      .sort()
      .map((name) => [name, details[name] ?? null]),
  );
}

/**
 * Starts an attempt: the key to send, or null when this click must not send (one is in flight,
 * or this payment already went through).
 */
export function beginAttempt(state: PaymentIntentState, fingerprint: string, mintKey: () => string): { state: PaymentIntentState; key: string | null } {
  if (state.inFlight) return { state, key: null };
  if (state.done && state.fingerprint === fingerprint) return { state, key: null };
  const key = state.key !== null && state.fingerprint === fingerprint && !state.done ? state.key : mintKey();
  return { state: { key, fingerprint, inFlight: true, done: false }, key };
}

export function finishAttempt(state: PaymentIntentState, outcome: AttemptOutcome): PaymentIntentState {
  switch (outcome) {
    case 'succeeded':
      return { ...state, inFlight: false, done: true };
    case 'refused':
      return { key: null, fingerprint: null, inFlight: false, done: false };
    case 'unknown':
      return { ...state, inFlight: false };
  }
}

export function newIdempotencyKey(): string {
  return `app-${crypto.randomUUID()}`;
}

/**
 * A mutable holder for components: the state lives in a ref, not React state, because a double
 * click delivers two events before React re-renders, and the second must see the first.
 */
export class PaymentIntent {
  private state: PaymentIntentState = initialPaymentIntent;
  constructor(private readonly mintKey: () => string = newIdempotencyKey) {}

  begin(details: Record<string, string | number | null | undefined>): string | null {
    const next = beginAttempt(this.state, paymentFingerprint(details), this.mintKey);
    this.state = next.state;
    return next.key;
  }

  finish(outcome: AttemptOutcome): void {
    this.state = finishAttempt(this.state, outcome);
  }

  /** A new payment: the form was reset after a success. */
  reset(): void {
    this.state = initialPaymentIntent;
  }

  get isInFlight(): boolean {
    return this.state.inFlight;
  }
}
