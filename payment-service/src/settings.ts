import { type } from 'arktype';
import { getLogger, isSupportedCurrency, registerServiceConfigDefaults, type BalanceCaps, type ConfigStore } from 'core-service';

export const SETTINGS_SERVICE = 'payment-service';

/**
 * payment-service's dynamic settings, in the config store (`core_service.service_configs`,
 * env > stored > default; env names `PAYMENT_SERVICE_<KEY>`, objects as JSON). Read through
 * `LivePaymentSettings`, so an admin's `setServiceConfig` takes effect in every instance without
 * a restart.
 */
export interface PayoutSettings {
  /** The payout provider's API; null: the simulated provider (refused under NODE_ENV=production). */
  providerUrl: string | null;
  apiKey: string | null;
  simulatedLatencyMs: number;
  simulatedDeclineRate: number;
}

export interface PaymentLimits {
  /** `lookupRecipient` calls per caller per minute. */
  recipientLookupsPerMinute: number;
  /** How long a party missing from the users projection is looked for again before a refusal. */
  unknownUserGraceMs: number;
}

export interface PaymentSettings {
  /** Sub-wallets of the external funding account (domain/system-accounts.ts). */
  fundingShards: number;
  payout: PayoutSettings;
  limits: PaymentLimits;
  /**
   * Most a customer wallet may hold per currency, in minor units (currency code → cap); a
   * currency without an entry is bounded only by the safe-integer limit. Passed with every
   * movement, so an edited cap applies to the next one in every instance.
   */
  balanceCaps: BalanceCaps;
}

export const DEFAULT_PAYMENT_SETTINGS: PaymentSettings = {
  fundingShards: 8,
  payout: { providerUrl: null, apiKey: null, simulatedLatencyMs: 50, simulatedDeclineRate: 0 },
  limits: { recipientLookupsPerMinute: 30, unknownUserGraceMs: 1_000 },
  balanceCaps: {},
};

const fundingShards = type('1 <= number.integer <= 1024');
const payout = type({
  providerUrl: 'string.url | null',
  apiKey: 'string | null',
  simulatedLatencyMs: '0 <= number.integer <= 60000',
  simulatedDeclineRate: '0 <= number <= 1',
});
const limits = type({ recipientLookupsPerMinute: '1 <= number.integer <= 10000', unknownUserGraceMs: '0 <= number.integer <= 30000' });
// A cap is a positive safe integer of minor units (a cap at or past 2^53 − 1 would say nothing
// the built-in limit does not), keyed by a currency the platform moves: a typo in a code must be
// refused, not silently cap nothing.
const balanceCaps = type({ '[string]': `1 <= number.integer <= ${Number.MAX_SAFE_INTEGER - 1}` }).narrow((caps, ctx) => {
  const unknown = Object.keys(caps).filter((code) => !isSupportedCurrency(code));
  return unknown.length === 0 || ctx.reject({ expected: 'keys that are supported currency codes', actual: unknown.join(', ') });
});

export function registerPaymentConfigDefaults(): void {
  registerServiceConfigDefaults(SETTINGS_SERVICE, {
    fundingShards: { value: DEFAULT_PAYMENT_SETTINGS.fundingShards, schema: fundingShards as never, description: 'Sub-wallets of the external funding account (hot-wallet split)' },
    payout: { value: DEFAULT_PAYMENT_SETTINGS.payout, schema: payout as never, sensitivePaths: ['payout.apiKey'], description: 'Payout provider: URL and API key, or the simulated provider' },
    limits: { value: DEFAULT_PAYMENT_SETTINGS.limits, schema: limits as never, description: 'Recipient lookups per caller and minute; grace for users not yet projected' },
    balanceCaps: {
      value: DEFAULT_PAYMENT_SETTINGS.balanceCaps,
      schema: balanceCaps as never,
      description: 'Most a customer wallet may hold per currency, in minor units (e.g. {"EUR": 100000000}); none: only the safe-integer limit',
    },
  });
}

/**
 * The environment names payment-service documented before the config store (FUNDING_SHARDS,
 * PAYOUT_*), as config-store overrides, so existing deployments keep their settings. A
 * `PAYMENT_SERVICE_*` variable wins over them.
 */
export function legacyEnvOverrides(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const overrides: Record<string, string> = {};
  if (env['FUNDING_SHARDS'] !== undefined) overrides['PAYMENT_SERVICE_FUNDING_SHARDS'] = env['FUNDING_SHARDS'];
  const hasLegacyPayout = ['PAYOUT_PROVIDER_URL', 'PAYOUT_PROVIDER_API_KEY', 'PAYOUT_SIMULATED_LATENCY_MS', 'PAYOUT_SIMULATED_DECLINE_RATE'].some((name) => env[name] !== undefined);
  if (hasLegacyPayout) {
    const d = DEFAULT_PAYMENT_SETTINGS.payout;
    overrides['PAYMENT_SERVICE_PAYOUT'] = JSON.stringify({
      providerUrl: env['PAYOUT_PROVIDER_URL'] || d.providerUrl,
      apiKey: env['PAYOUT_PROVIDER_API_KEY'] || d.apiKey,
      simulatedLatencyMs: env['PAYOUT_SIMULATED_LATENCY_MS'] !== undefined ? Number(env['PAYOUT_SIMULATED_LATENCY_MS']) : d.simulatedLatencyMs,
      simulatedDeclineRate: env['PAYOUT_SIMULATED_DECLINE_RATE'] !== undefined ? Number(env['PAYOUT_SIMULATED_DECLINE_RATE']) : d.simulatedDeclineRate,
    });
  }
  for (const name of Object.keys(overrides)) if (env[name] !== undefined) delete overrides[name];
  return overrides;
}

/** The current settings, reloaded whenever the store reports a change of one of payment-service's keys. */
export class LivePaymentSettings {
  #current: PaymentSettings;
  readonly #listeners: Array<(settings: PaymentSettings) => void> = [];

  private constructor(
    private readonly store: ConfigStore,
    initial: PaymentSettings,
  ) {
    this.#current = initial;
    store.on('changed', (change: { service: string }) => {
      if (change.service !== SETTINGS_SERVICE) return;
      void this.reload();
    });
  }

  static async load(store: ConfigStore): Promise<LivePaymentSettings> {
    return new LivePaymentSettings(store, await read(store));
  }

  get current(): PaymentSettings {
    return this.#current;
  }

  /** Called with every reloaded value; a listener that throws keeps the previous value in force. */
  onChange(listener: (settings: PaymentSettings) => void): void {
    this.#listeners.push(listener);
  }

  async reload(): Promise<void> {
    try {
      const next = await read(this.store);
      for (const listener of this.#listeners) listener(next);
      this.#current = next;
    } catch (error) {
      // An invalid or refused value (e.g. no payout provider in production) must not stop a
      // running service: the previous settings stay in force and the refusal is logged.
      getLogger(SETTINGS_SERVICE).error({ err: error }, 'payment-service settings change refused; previous settings kept');
    }
  }
}

async function read(store: ConfigStore): Promise<PaymentSettings> {
  const [shards, payoutSettings, limitSettings, caps] = await Promise.all([
    store.getWithDefault<number>(SETTINGS_SERVICE, 'fundingShards'),
    store.getWithDefault<PayoutSettings>(SETTINGS_SERVICE, 'payout'),
    store.getWithDefault<PaymentLimits>(SETTINGS_SERVICE, 'limits'),
    store.getWithDefault<BalanceCaps>(SETTINGS_SERVICE, 'balanceCaps'),
  ]);
  return { fundingShards: shards, payout: payoutSettings, limits: limitSettings, balanceCaps: caps };
}
