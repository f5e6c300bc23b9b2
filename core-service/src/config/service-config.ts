import type { Redis } from 'ioredis';
import type { Db } from 'mongodb';
import { setDefaultConfigStore } from './config-api.js';
import { publishConfigCatalog } from './config-catalog.js';
import { createConfigStore, type ConfigStore } from './config-store.js';

export interface OpenServiceConfigOptions {
  /** The `core_service` database. */
  db: Db;
  redis?: Redis;
  service: string;
  /** Registers the service's keys (`registerServiceConfigDefaults`); runs before the catalog is published. */
  register: () => void;
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A service's config at start-up, in the one order that works: register the keys, open the
 * store (indexes, change listener, default for `getConfigWithDefault`), then publish the keys to
 * the catalog the admin API reads.
 */
export async function openServiceConfig(options: OpenServiceConfigOptions): Promise<ConfigStore> {
  options.register();
  const store = createConfigStore({ db: options.db, ...(options.redis !== undefined ? { redis: options.redis } : {}), ...(options.env !== undefined ? { env: options.env } : {}) });
  await store.ensureIndexes();
  await store.start();
  setDefaultConfigStore(store);
  await publishConfigCatalog(options.db, options.service, options.env ?? process.env);
  return store;
}
