import type { Redis } from 'ioredis';
import { getRedisForRead, quitRedisClient, waitForRedisReady, watchRedisClient } from './connection.js';
import { deleteKeysByPattern, escapeRedisPattern, scanKeysArray } from './scan.js';
import { getRedisForBrand } from './strategy.js';
import { getLogger } from '../logger/logger.js';

export interface ServiceRedisInitOptions {
  brand: string;
  /** Use this connection instead of the one the strategy picks (tests, dedicated instances). */
  client?: Redis;
  /** Serve get/mget/keys from a read replica when one is ready (tolerates replica lag). */
  readFromReplica?: boolean;
}

export interface RedisEntry<T = unknown> {
  key: string;
  value: T;
  /** Seconds; no expiry when absent. */
  ttl?: number;
}

export interface RedisHealth {
  healthy: boolean;
  latencyMs: number;
  error?: string;
}

export type MessageHandler<T = unknown> = (message: T, channel: string) => void;

export interface ServiceRedisAccessor {
  readonly serviceName: string;
  initialize(options: ServiceRedisInitOptions): Promise<void>;
  isInitialized(): boolean;
  /** `{brand}:{service}:{key}` */
  key(key: string): string;
  get<T>(key: string): Promise<T | null>;
  set(key: string, value: unknown, ttlSeconds?: number): Promise<void>;
  del(keys: string | string[]): Promise<number>;
  mget<T>(keys: string[]): Promise<Map<string, T | null>>;
  mset(entries: RedisEntry[]): Promise<void>;
  /** Keys (without the prefix) matching `pattern`, found with SCAN. */
  keys(pattern: string, options?: { maxKeys?: number }): Promise<string[]>;
  deletePattern(pattern: string): Promise<number>;
  publish(channel: string, message: unknown): Promise<number>;
  /** Subscribes on a dedicated connection; resolves to the unsubscribe function. */
  subscribe<T>(channel: string, handler: MessageHandler<T>): Promise<() => Promise<void>>;
  checkHealth(): Promise<RedisHealth>;
  /** Closes the subscriber connection (the shared connection stays open). */
  close(): Promise<void>;
}

/** 'payment-service' → 'payment', as in the brief's key examples (`acme:payment:tx:123`). */
export function toServiceKeySegment(serviceName: string): string {
  return serviceName.replace(/-service$/, '');
}

/**
 * A service's view of Redis: every key and channel is prefixed `{brand}:{service}:`, so services
 * and brands sharing one Redis cannot read or delete each other's data. Values are JSON.
 */
export function createServiceRedisAccess(serviceName: string): ServiceRedisAccessor {
  const segment = toServiceKeySegment(serviceName);
  let client: Redis | undefined;
  let readFromReplica = false;
  let prefix = '';
  let subscriber: Promise<Redis> | undefined;
  const handlers = new Map<string, Set<MessageHandler>>();

  const requireClient = (): Redis => {
    if (client === undefined) throw new Error(`redis accessor for ${serviceName} is not initialized`);
    return client;
  };
  const reader = (): Redis => {
    const master = requireClient();
    return readFromReplica ? getRedisForRead() : master;
  };
  const unprefix = (key: string): string => key.slice(prefix.length);

  const ensureSubscriber = (): Promise<Redis> => {
    if (subscriber !== undefined) return subscriber;
    // A connection in subscriber mode cannot run other commands: pub/sub gets its own.
    // ioredis re-subscribes it to every channel after a reconnect (autoResubscribe).
    const created = watchRedisClient(requireClient().duplicate({ lazyConnect: true }), `${serviceName}-subscriber`);
    created.on('message', (channel: string, raw: string) => {
      const set = handlers.get(channel);
      if (set === undefined) return;
      let message: unknown;
      try {
        message = JSON.parse(raw);
      } catch {
        message = raw;
      }
      for (const handler of set) {
        try {
          handler(message, channel.slice(prefix.length));
        } catch (error) {
          getLogger().error({ err: error, channel }, 'redis message handler failed');
        }
      }
    });
    subscriber = waitForRedisReady(created, 5_000).then(
      () => created,
      (error: unknown) => {
        subscriber = undefined;
        created.disconnect();
        throw error;
      },
    );
    return subscriber;
  };

  return {
    serviceName,
    async initialize(options) {
      prefix = `${options.brand}:${segment}:`;
      readFromReplica = options.readFromReplica === true;
      client = options.client ?? (await getRedisForBrand(options.brand));
    },
    isInitialized: () => client !== undefined,
    key: (key) => `${prefix}${key}`,
    async get<T>(key: string) {
      const raw = await reader().get(`${prefix}${key}`);
      return raw === null ? null : (JSON.parse(raw) as T);
    },
    async set(key, value, ttlSeconds) {
      const payload = JSON.stringify(value);
      if (ttlSeconds !== undefined && ttlSeconds > 0) await requireClient().set(`${prefix}${key}`, payload, 'EX', ttlSeconds);
      else await requireClient().set(`${prefix}${key}`, payload);
    },
    async del(keys) {
      const list = (Array.isArray(keys) ? keys : [keys]).map((key) => `${prefix}${key}`);
      return list.length === 0 ? 0 : requireClient().unlink(...list);
    },
    async mget<T>(keys: string[]) {
      const result = new Map<string, T | null>();
      if (keys.length === 0) return result;
      const values = await reader().mget(...keys.map((key) => `${prefix}${key}`));
      keys.forEach((key, index) => {
        const raw = values[index];
        result.set(key, raw == null ? null : (JSON.parse(raw) as T));
      });
      return result;
    },
    async mset(entries) {
      if (entries.length === 0) return;
      // MSET cannot carry TTLs; one pipelined SET per entry is one round trip all the same.
      const pipeline = requireClient().pipeline();
      for (const entry of entries) {
        const payload = JSON.stringify(entry.value);
        if (entry.ttl !== undefined && entry.ttl > 0) pipeline.set(`${prefix}${entry.key}`, payload, 'EX', entry.ttl);
        else pipeline.set(`${prefix}${entry.key}`, payload);
      }
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error !== null);
      if (failed?.[0]) throw failed[0];
    },
    async keys(pattern, options) {
      const found = await scanKeysArray({
        client: reader(),
        pattern: `${escapeRedisPattern(prefix)}${pattern}`,
        ...(options?.maxKeys !== undefined ? { maxKeys: options.maxKeys } : {}),
      });
      return found.map(unprefix);
    },
    deletePattern(pattern) {
      return deleteKeysByPattern({ client: requireClient(), pattern: `${escapeRedisPattern(prefix)}${pattern}` });
    },
    publish(channel, message) {
      return requireClient().publish(`${prefix}${channel}`, JSON.stringify(message));
    },
    async subscribe<T>(channel: string, handler: MessageHandler<T>) {
      const fullChannel = `${prefix}${channel}`;
      const connection = await ensureSubscriber();
      let set = handlers.get(fullChannel);
      if (set === undefined) {
        set = new Set();
        handlers.set(fullChannel, set);
        await connection.subscribe(fullChannel);
      }
      set.add(handler as MessageHandler);
      return async () => {
        const current = handlers.get(fullChannel);
        current?.delete(handler as MessageHandler);
        if (current !== undefined && current.size === 0) {
          handlers.delete(fullChannel);
          await connection.unsubscribe(fullChannel).catch(() => undefined);
        }
      };
    },
    async checkHealth() {
      const started = performance.now();
      try {
        await requireClient().ping();
        return { healthy: true, latencyMs: Math.round((performance.now() - started) * 100) / 100 };
      } catch (error) {
        return {
          healthy: false,
          latencyMs: Math.round((performance.now() - started) * 100) / 100,
          error: error instanceof Error ? error.message : String(error),
        };
      }
    },
    async close() {
      const current = subscriber;
      subscriber = undefined;
      handlers.clear();
      const connection = await current?.catch(() => undefined);
      if (connection !== undefined) await quitRedisClient(connection);
    },
  };
}
