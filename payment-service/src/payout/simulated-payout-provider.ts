import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { PayoutOutcome, PayoutProvider, PayoutRequest } from './payout-provider.js';

export interface SimulatedPayoutOptions {
  /** Milliseconds each payout takes. */
  latencyMs?: number;
  /** Share of payouts declined for good, 0..1. */
  declineRate?: number;
  /** Share of calls that fail transiently (the saga retries them), 0..1. */
  transientFailureRate?: number;
  random?: () => number;
}

/**
 * A stand-in provider for development and load tests, with configurable latency and failure
 * rates. Idempotent by key like a real PSP: a retried payout returns the first outcome.
 */
export class SimulatedPayoutProvider implements PayoutProvider {
  readonly name = 'simulated';
  readonly #outcomes = new Map<string, PayoutOutcome>();
  readonly #options: Required<SimulatedPayoutOptions>;

  constructor(options: SimulatedPayoutOptions = {}) {
    this.#options = { latencyMs: 0, declineRate: 0, transientFailureRate: 0, random: Math.random, ...options };
  }

  async payout(request: PayoutRequest, signal?: AbortSignal): Promise<PayoutOutcome> {
    if (this.#options.latencyMs > 0) await delay(this.#options.latencyMs, undefined, signal ? { signal } : {});
    const known = this.#outcomes.get(request.idempotencyKey);
    if (known !== undefined) return known;
    if (this.#options.random() < this.#options.transientFailureRate) throw new Error('simulated provider: temporarily unavailable');
    const outcome: PayoutOutcome =
      this.#options.random() < this.#options.declineRate ? { status: 'declined', reason: 'simulated decline' } : { status: 'paid', providerReference: `sim_${randomUUID()}` };
    this.#outcomes.set(request.idempotencyKey, outcome);
    return outcome;
  }
}
