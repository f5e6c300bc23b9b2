export interface CacheKeyFactory {
  /** `product:123` */
  one(id: string | number): string;
  /** `products:active` */
  list(name: string): string;
  /** `product*`: every key of the entity, singles and lists, for `deleteCachePattern`. */
  pattern(): string;
}

/** Key helpers for one entity, so every caller spells an entity's keys the same way. */
export function createCacheKeys(entity: string): CacheKeyFactory {
  return {
    one: (id) => `${entity}:${id}`,
    list: (name) => `${entity}s:${name}`,
    pattern: () => `${entity}*`,
  };
}

/** Key factories for the entities the platform's services share. */
export const CacheKeys = {
  user: createCacheKeys('user'),
  wallet: createCacheKeys('wallet'),
  transaction: createCacheKeys('transaction'),
  transfer: createCacheKeys('transfer'),
  session: createCacheKeys('session'),
  config: createCacheKeys('config'),
} as const;
