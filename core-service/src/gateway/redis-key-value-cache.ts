import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { Redis } from 'ioredis';
import { withRedisFallback } from '../redis/redis-fallback.js';

/**
 * Apollo's KeyValueCache on our ioredis connection, so automatic persisted queries registered on
 * one gateway instance are known to all. Hand-written rather than `@apollo/utils.keyvadapter` +
 * `@keyv/redis`: that pulls a second Redis client library for three commands.
 *
 * A cache only: while Redis is down every get misses and writes are dropped (the gateway plans
 * again; a persisted-query hash is answered PERSISTED_QUERY_NOT_FOUND and the client resends
 * the query).
 */
export class RedisKeyValueCache implements KeyValueCache<string> {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly defaultTtlSeconds = 24 * 3600,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return withRedisFallback(
      this.redis,
      'gateway plan/APQ cache',
      async (redis) => (await redis.get(this.prefix + key)) ?? undefined,
      () => undefined,
    );
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const ttl = options?.ttl ?? this.defaultTtlSeconds;
    await withRedisFallback(
      this.redis,
      'gateway plan/APQ cache',
      async (redis) => {
        if (ttl === null || ttl <= 0) await redis.set(this.prefix + key, value);
        else await redis.set(this.prefix + key, value, 'EX', Math.ceil(ttl));
      },
      () => undefined,
    );
  }

  async delete(key: string): Promise<boolean> {
    return withRedisFallback(
      this.redis,
      'gateway plan/APQ cache',
      async (redis) => (await redis.del(this.prefix + key)) > 0,
      () => false,
    );
  }
}
