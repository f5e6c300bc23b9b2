import type { Redis } from 'ioredis';
import { connectRedis, createRedisClient, getRedis, quitRedisClient, waitForRedisReady, type RedisConfig } from './connection.js';

export type RedisStrategy = 'shared' | 'per-brand';

export interface RedisStrategyConfig {
  strategy: RedisStrategy;
  defaultUrl: string;
  /** Brands with their own Redis under 'per-brand'; other brands use `defaultUrl`. */
  brandUrls?: Readonly<Record<string, string>>;
  /** Connection options applied to every connection. */
  options?: Omit<RedisConfig, 'url'>;
}

let strategyConfig: RedisStrategyConfig | undefined;
const brandClients = new Map<string, Redis>();

/** Chooses where each brand's keys live; call once at start-up. Connects the default Redis. */
export async function configureRedisStrategy(config: RedisStrategyConfig): Promise<void> {
  await resetRedisStrategy();
  strategyConfig = config;
  await connectRedis({ ...config.options, url: config.defaultUrl });
}

export function getRedisStrategy(): RedisStrategyConfig | undefined {
  return strategyConfig;
}

/** The connection holding `brand`'s keys under the configured strategy. */
export async function getRedisForBrand(brand: string): Promise<Redis> {
  const url = strategyConfig?.strategy === 'per-brand' ? strategyConfig.brandUrls?.[brand] : undefined;
  if (url === undefined) return getRedis();
  let client = brandClients.get(brand);
  if (client === undefined) {
    client = createRedisClient({ ...strategyConfig?.options, url }, `brand-${brand}`);
    brandClients.set(brand, client);
    await waitForRedisReady(client, strategyConfig?.options?.connectTimeout ?? 5_000);
  }
  return client;
}

export async function resetRedisStrategy(): Promise<void> {
  strategyConfig = undefined;
  const clients = [...brandClients.values()];
  brandClients.clear();
  await Promise.allSettled(clients.map((client) => quitRedisClient(client)));
}
