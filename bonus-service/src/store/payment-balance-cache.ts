import type { Redis } from 'ioredis';
import { MultiLevelCache } from 'core-service';

/**
 * payment-service caches each user's wallets (its BalanceCache, keyed `<tenant>:<user>` under
 * `<payment prefix>:balances:`) and drops the entry after every commit that moves the user's
 * money. Awards, conversions and forfeits move money in the same wallets from this service, so
 * they must drop the same entry, or `myWallets` would show the old bonus balance until the
 * cache's TTL. Deleting through the same two-level cache also tells every payment instance to
 * drop its in-memory copy (the cache's pub/sub channel).
 */
export class PaymentBalanceCache {
  readonly #cache: MultiLevelCache;

  constructor(options: { redis: Redis; paymentKeyPrefix: string }) {
    this.#cache = new MultiLevelCache({ redis: options.redis, keyPrefix: `${options.paymentKeyPrefix}:balances:` });
  }

  invalidate(tenantId: string, userId: string): Promise<void> {
    return this.#cache.delete(`${tenantId}:${userId}`);
  }

  close(): Promise<void> {
    return this.#cache.close();
  }
}
