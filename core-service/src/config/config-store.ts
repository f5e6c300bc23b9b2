import { EventEmitter } from 'node:events';
import { ArkErrors } from 'arktype';
import type { Redis } from 'ioredis';
import type { Collection, Db } from 'mongodb';
import { getLogger } from '../logger/logger.js';
import { quitRedisClient, waitForRedisReady, watchRedisClient } from '../redis/connection.js';
import { toInvalidFields } from '../validation/validation-error.js';
import { ConfigNotFoundError, ConfigValidationError, type ConfigSource } from './config-errors.js';
import { getRegisteredConfigDefault, getRegisteredConfigKeys } from './config-registry.js';
import { parseEnvConfigValue, toConfigEnvName } from './env-config.js';
import { maskSensitivePaths } from './sensitive-paths.js';

/** A document of `core_service.service_configs`. */
export interface ServiceConfigDocument {
  service: string;
  key: string;
  value: unknown;
  sensitivePaths: string[];
  updatedAt: Date;
  updatedBy?: string;
}

export interface ResolvedConfig<T = unknown> {
  value: T;
  source: ConfigSource;
  sensitivePaths: string[];
}

export interface ConfigStoreOptions {
  /** The `core_service` database (tests pass their own). */
  db: Db;
  collectionName?: string;
  /** For change notifications to and from other instances; without it changes stay local. */
  redis?: Redis;
  /** Prefix of the change channel (tests isolate with their key prefix). */
  channelPrefix?: string;
  /** Environment to read overrides from (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

interface ConfigChange {
  service: string;
  key: string;
  origin: string;
}

/**
 * Dynamic configuration: env > MongoDB (`core_service.service_configs`) > registered defaults.
 * Resolved values are kept in memory; a write anywhere publishes `{ service, key }` (never the
 * value) and every instance drops its copy and reloads on next read.
 *
 * Events: 'changed' ({ service, key }) after a local or remote change is applied.
 */
export class ConfigStore extends EventEmitter {
  private readonly collection: Collection<ServiceConfigDocument>;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly channel: string;
  private readonly origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  private readonly resolved = new Map<string, Promise<ResolvedConfig>>();
  private subscriber: Redis | undefined;

  constructor(private readonly options: ConfigStoreOptions) {
    super();
    this.collection = options.db.collection<ServiceConfigDocument>(options.collectionName ?? 'service_configs');
    this.env = options.env ?? process.env;
    this.channel = `${options.channelPrefix ?? ''}core:config:changed`;
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ service: 1, key: 1 }, { unique: true, name: 'service_key_unique' });
  }

  /** Listens for other instances' changes. */
  async start(): Promise<void> {
    if (this.options.redis === undefined || this.subscriber !== undefined) return;
    const subscriber = watchRedisClient(this.options.redis.duplicate({ lazyConnect: true }), 'config-subscriber');
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== this.channel) return;
      try {
        const change = JSON.parse(raw) as ConfigChange;
        if (change.origin !== this.origin) this.applyChange(change.service, change.key);
      } catch {
        getLogger().warn({ channel }, 'ignoring malformed config change message');
      }
    });
    // After a reconnect, changes published meanwhile were missed: forget everything resolved.
    let hasBeenReady = false;
    subscriber.on('ready', () => {
      if (hasBeenReady) this.resolved.clear();
      hasBeenReady = true;
    });
    await waitForRedisReady(subscriber, 5_000);
    await subscriber.subscribe(this.channel);
  }

  /** The value for use inside the service (secrets included). */
  async get<T>(service: string, key: string): Promise<T> {
    return (await this.resolve<T>(service, key, false)).value;
  }

  /** Like `get`, but writes the registered default to the store when no document exists yet. */
  async getWithDefault<T>(service: string, key: string): Promise<T> {
    return (await this.resolve<T>(service, key, true)).value;
  }

  /** Value, source and sensitive paths, secrets included (inside the service only). */
  resolveConfig<T>(service: string, key: string): Promise<ResolvedConfig<T>> {
    return this.resolve<T>(service, key, false);
  }

  /** The value with its sensitive paths masked: the only form that may leave the service. */
  async getMasked(service: string, key: string): Promise<ResolvedConfig> {
    const resolved = await this.resolve(service, key, false);
    return { ...resolved, value: maskSensitivePaths(key, resolved.value, resolved.sensitivePaths) };
  }

  /** Every key of a service (registered or stored), masked, for admin screens. */
  async list(service: string): Promise<Array<{ key: string } & ResolvedConfig>> {
    const stored = await this.collection.find({ service }, { projection: { key: 1 } }).toArray();
    const keys = [...new Set([...getRegisteredConfigKeys(service), ...stored.map((document) => document.key)])].sort();
    return Promise.all(keys.map(async (key) => ({ key, ...(await this.getMasked(service, key)) })));
  }

  /** Validates, stores and announces a new value. */
  async set(service: string, key: string, value: unknown, options: { sensitivePaths?: readonly string[]; updatedBy?: string } = {}): Promise<void> {
    this.validate(service, key, value, 'write');
    const registered = getRegisteredConfigDefault(service, key);
    const sensitivePaths = [...(options.sensitivePaths ?? registered?.sensitivePaths ?? [])];
    await this.collection.updateOne(
      { service, key },
      {
        $set: {
          value,
          sensitivePaths,
          updatedAt: new Date(),
          ...(options.updatedBy !== undefined ? { updatedBy: options.updatedBy } : {}),
        },
      },
      { upsert: true },
    );
    this.applyChange(service, key);
    await this.announce(service, key);
  }

  async delete(service: string, key: string): Promise<void> {
    await this.collection.deleteOne({ service, key });
    this.applyChange(service, key);
    await this.announce(service, key);
  }

  /**
   * For writers that store a value themselves (the admin API writes it in one transaction with
   * its audit entry): drops this instance's copy and tells the others to reload.
   */
  async notifyChanged(service: string, key: string): Promise<void> {
    this.applyChange(service, key);
    await this.announce(service, key);
  }

  async close(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber !== undefined) await quitRedisClient(subscriber);
    this.resolved.clear();
  }

  private resolve<T>(service: string, key: string, persistDefault: boolean): Promise<ResolvedConfig<T>> {
    const cacheKey = `${service}\u0000${key}`;
    let pending = this.resolved.get(cacheKey);
    if (pending === undefined) {
      pending = this.load(service, key, persistDefault);
      this.resolved.set(cacheKey, pending);
      // A failed load (store down, bad value) is not cached: the next read tries again.
      pending.catch(() => this.resolved.delete(cacheKey));
    }
    return pending as Promise<ResolvedConfig<T>>;
  }

  private async load(service: string, key: string, persistDefault: boolean): Promise<ResolvedConfig> {
    const registered = getRegisteredConfigDefault(service, key);
    const envRaw = this.env[toConfigEnvName(service, key)];
    const document = await this.collection.findOne({ service, key });
    const sensitivePaths = [...(document?.sensitivePaths ?? registered?.sensitivePaths ?? [])];

    if (envRaw !== undefined) {
      const value = parseEnvConfigValue(envRaw);
      this.validate(service, key, value, 'env');
      return { value, source: 'env', sensitivePaths };
    }
    if (document !== null) {
      this.validate(service, key, document.value, 'store');
      return { value: document.value, source: 'store', sensitivePaths };
    }
    if (registered !== undefined) {
      this.validate(service, key, registered.value, 'default');
      if (persistDefault) {
        // $setOnInsert: two instances starting together both "create" it, and neither
        // overwrites a value an operator stored in between.
        await this.collection.updateOne({ service, key }, { $setOnInsert: { value: registered.value, sensitivePaths, updatedAt: new Date(), updatedBy: 'defaults' } }, { upsert: true });
      }
      return { value: registered.value, source: 'default', sensitivePaths };
    }
    throw new ConfigNotFoundError(service, key);
  }

  private validate(service: string, key: string, value: unknown, source: ConfigSource): void {
    const schema = getRegisteredConfigDefault(service, key)?.schema;
    if (schema === undefined) return;
    const out = schema(value);
    if (out instanceof ArkErrors) throw new ConfigValidationError(service, key, source, toInvalidFields(out));
  }

  private applyChange(service: string, key: string): void {
    this.resolved.delete(`${service}\u0000${key}`);
    this.emit('changed', { service, key });
  }

  private async announce(service: string, key: string): Promise<void> {
    const redis = this.options.redis;
    if (redis === undefined) return;
    const change: ConfigChange = { service, key, origin: this.origin };
    try {
      await redis.publish(this.channel, JSON.stringify(change));
    } catch (error) {
      // The write is stored; other instances pick it up after their next reconnect or restart.
      getLogger().warn({ service, key, error: error instanceof Error ? error.message : String(error) }, 'config change not announced');
    }
  }
}

export function createConfigStore(options: ConfigStoreOptions): ConfigStore {
  return new ConfigStore(options);
}
