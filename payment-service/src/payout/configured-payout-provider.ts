import type { PayoutSettings } from '../settings.js';
import { HttpPayoutProvider } from './http-payout-provider.js';
import type { PayoutOutcome, PayoutProvider, PayoutRequest } from './payout-provider.js';
import { SimulatedPayoutProvider } from './simulated-payout-provider.js';

export class SimulatedPayoutsInProductionError extends Error {
  constructor() {
    super('payment-service: no payout provider configured (payout.providerUrl / PAYOUT_PROVIDER_URL); production never pays withdrawals with the simulated provider');
    this.name = 'SimulatedPayoutsInProductionError';
  }
}

/**
 * The provider the settings name. Without a URL the simulated provider "pays" every withdrawal,
 * which is right for development and tests and a loss of money anywhere else: production refuses.
 */
export function payoutProviderFor(settings: PayoutSettings, { isProduction }: { isProduction: boolean }): PayoutProvider {
  if (settings.providerUrl === null || settings.providerUrl === '') {
    if (isProduction) throw new SimulatedPayoutsInProductionError();
    return new SimulatedPayoutProvider({ latencyMs: settings.simulatedLatencyMs, declineRate: settings.simulatedDeclineRate });
  }
  return new HttpPayoutProvider({ baseUrl: settings.providerUrl, ...(settings.apiKey ? { apiKey: settings.apiKey } : {}) });
}

/**
 * The saga holds one provider for the life of the process; this one forwards to whatever the
 * live settings name, so an admin's change of URL or key applies to the next payout.
 */
export class ConfiguredPayoutProvider implements PayoutProvider {
  #current: PayoutProvider;

  constructor(initial: PayoutProvider) {
    this.#current = initial;
  }

  get name(): string {
    return this.#current.name;
  }

  replace(next: PayoutProvider): void {
    this.#current = next;
  }

  payout(request: PayoutRequest, signal?: AbortSignal): Promise<PayoutOutcome> {
    return this.#current.payout(request, signal);
  }
}
