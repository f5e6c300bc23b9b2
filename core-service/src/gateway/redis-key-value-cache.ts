import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { Redis } from 'ioredis';

/**
 * Apollo's KeyValueCache on our ioredis connection, so automatic persisted queries registered on
 * one gateway instance are known to all. Hand-written rather than `@apollo/utils.keyvadapter` +
 * `@keyv/redis`: that pulls a second Redis client library for three commands.
 */
export class RedisKeyValueCache implements KeyValueCache<string> {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly defaultTtlSeconds = 24 * 3600,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const ttl = options?.ttl ?? this.defaultTtlSeconds;
    if (ttl === null || ttl <= 0) await this.redis.set(this.prefix + key, value);
    else await this.redis.set(this.prefix + key, value, 'EX', Math.ceil(ttl));
  }

  async delete(key: string): Promise<boolean> {
    return (await this.redis.del(this.prefix + key)) > 0;
  }
}
