import { ConfigNotFoundError, getLogger, type BalanceCaps, type ConfigStore } from 'core-service';

const PAYMENT_SERVICE = 'payment-service';
const KEY = 'balanceCaps';

/**
 * payment-service's per-currency balance caps (its config key `balanceCaps`), read live from
 * the config store, so that an award or a conversion cannot credit a customer past the cap a
 * transfer could not: the same check (`assertBalanceWithinCap`, inside the movement's
 * transaction) with the same value. Only what an admin stored (`setServiceConfig`) is seen here;
 * an environment override of payment-service's own process is not (README, configuration).
 */
export class PaymentBalanceCaps {
  #current: BalanceCaps = {};

  private constructor(private readonly store: ConfigStore) {
    store.on('changed', (change: { service: string; key: string }) => {
      if (change.service === PAYMENT_SERVICE && change.key === KEY) void this.reload();
    });
  }

  static async load(store: ConfigStore): Promise<PaymentBalanceCaps> {
    const caps = new PaymentBalanceCaps(store);
    await caps.reload();
    return caps;
  }

  get current(): BalanceCaps {
    return this.#current;
  }

  async reload(): Promise<void> {
    try {
      this.#current = await this.store.get<BalanceCaps>(PAYMENT_SERVICE, KEY);
    } catch (error) {
      if (error instanceof ConfigNotFoundError) {
        this.#current = {};
        return;
      }
      // Keep the caps in force rather than dropping them on a failed read.
      getLogger('bonus-service').error({ err: error }, 'payment-service balance caps not reloaded; previous caps kept');
    }
  }
}
