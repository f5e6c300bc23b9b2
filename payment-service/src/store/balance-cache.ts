import type { Redis } from 'ioredis';
import { MultiLevelCache, type WalletDocument } from 'core-service';

/**
 * A user's wallets, cached per (tenant, user) in the core two-level cache so `myWallets`,
 * `wallet` and `User.wallets` rarely reach MongoDB.
 *
 * Invalidated, not rewritten, after each commit that moves the user's money: the hook runs
 * through `runAfterCommit` (see `service.ts`), never before commit, so a concurrent reader
 * cannot put the pre-commit balance back; and the cache's change epochs keep a read that
 * started before the delete from caching its older result. Invalidation rather than
 * write-through because one movement changes one currency of a list; re-reading the list on
 * the next read costs one indexed query, and writing a partial list would be wrong.
 */
export class BalanceCache {
  readonly cache: MultiLevelCache;

  constructor(options: { redis: Redis; keyPrefix: string; ttlSeconds?: number }) {
    this.cache = new MultiLevelCache({
      redis: options.redis,
      keyPrefix: `${options.keyPrefix}:balances:`,
      defaultTtl: options.ttlSeconds ?? 300,
      // Other instances learn of a change through pub/sub; this bounds a lost notice.
      memoryMaxTtl: 30,
    });
  }

  static key(tenantId: string, userId: string): string {
    return `${tenantId}:${userId}`;
  }

  async walletsOf(tenantId: string, userId: string, load: () => Promise<WalletDocument[]>): Promise<WalletDocument[]> {
    const cached = await this.cache.cached(BalanceCache.key(tenantId, userId), undefined, load);
    return cached.map(reviveDates);
  }

  invalidate(tenantId: string, userId: string): Promise<void> {
    return this.cache.delete(BalanceCache.key(tenantId, userId));
  }

  start(): Promise<void> {
    return this.cache.start();
  }

  close(): Promise<void> {
    return this.cache.close();
  }
}

/** L2 holds JSON: dates come back as strings. */
function reviveDates(wallet: WalletDocument): WalletDocument {
  if (wallet.updatedAt instanceof Date) return wallet;
  return {
    ...wallet,
    createdAt: new Date(wallet.createdAt),
    updatedAt: new Date(wallet.updatedAt),
    ...(wallet.lastActivityAt !== undefined ? { lastActivityAt: new Date(wallet.lastActivityAt) } : {}),
  };
}
