import { Redis, type RedisOptions } from 'ioredis';
import { getLogger } from '../logger/logger.js';
import { computeReconnectDelay } from './reconnect-backoff.js';

export interface RedisSentinelConfig {
  hosts: Array<{ host: string; port: number }>;
  /** Master group name the sentinels monitor. */
  name: string;
  password?: string;
}

export interface RedisReplicaConfig {
  enabled: boolean;
  urls: string[];
}

export interface RedisConfig {
  url: string;
  /** ms to establish a connection (default 5 000). */
  connectTimeout?: number;
  /** ms a command may take before it fails (default 2 000); a hung Redis must not hang requests. */
  commandTimeout?: number;
  /** Idle socket timeout, ms (default: none). */
  socketTimeout?: number;
  autoReconnect?: boolean;
  /** Reconnect attempts before giving up (default: unlimited). */
  maxReconnectRetries?: number;
  /** Base reconnect delay, ms (default 200); grows exponentially to `maxReconnectDelay`. */
  reconnectDelay?: number;
  maxReconnectDelay?: number;
  clientName?: string;
  /**
   * Queue commands while disconnected (default false: commands fail at once). A queue turns an
   * outage into piling latency and memory; failing fast lets callers degrade (the cache serves
   * from memory and the source). When enabled, queued commands fail after
   * `maxRetriesPerRequest` reconnect attempts.
   */
  enableOfflineQueue?: boolean;
  maxRetriesPerRequest?: number;
  /** Wait for the first `ready` in `connectRedis` (default true). */
  waitForReady?: boolean;
  sentinel?: RedisSentinelConfig;
  readReplicas?: RedisReplicaConfig;
}

export type RedisMode = 'standalone' | 'sentinel';

interface RedisConnections {
  master: Redis;
  replicas: Redis[];
  mode: RedisMode;
  config: RedisConfig;
}

let connections: RedisConnections | undefined;
let nextReplica = 0;

/**
 * ioredis options implementing the outage policy: reconnect forever with backoff and jitter,
 * fail commands fast while down, and a `commandTimeout` so a frozen server fails calls too.
 */
export function buildRedisOptions(config: RedisConfig, role: string): RedisOptions {
  const base = config.reconnectDelay ?? 200;
  const cap = config.maxReconnectDelay ?? 10_000;
  const maxRetries = config.maxReconnectRetries ?? Number.POSITIVE_INFINITY;
  const options: RedisOptions = {
    connectTimeout: config.connectTimeout ?? 5_000,
    commandTimeout: config.commandTimeout ?? 2_000,
    enableOfflineQueue: config.enableOfflineQueue ?? false,
    maxRetriesPerRequest: config.maxRetriesPerRequest ?? 1,
    keepAlive: 10_000,
    noDelay: true,
    lazyConnect: true,
    retryStrategy: (times) => (config.autoReconnect === false || times > maxRetries ? null : computeReconnectDelay(times, base, cap)),
    // READONLY after a failover means we talk to a demoted master: reconnect to find the new one.
    reconnectOnError: (error) => error.message.startsWith('READONLY'),
  };
  if (config.clientName !== undefined) options.connectionName = `${config.clientName}:${role}`;
  if (config.socketTimeout !== undefined) options.socketTimeout = config.socketTimeout;
  return options;
}

/**
 * Attaches the listeners every client needs. Without an 'error' listener an EventEmitter throws
 * on 'error' and the process dies: a Redis outage must degrade features, never crash. Errors are
 * logged once per outage, not once per reconnect attempt.
 */
export function watchRedisClient(client: Redis, label: string): Redis {
  let isDown = false;
  client.on('error', (error: Error) => {
    if (isDown) return;
    isDown = true;
    getLogger().warn({ redis: label, error: error.message }, 'redis connection error; reconnecting in the background');
  });
  client.on('ready', () => {
    if (isDown) getLogger().info({ redis: label }, 'redis connection restored');
    isDown = false;
  });
  return client;
}

export function createRedisClient(config: RedisConfig, role = 'master', url = config.url): Redis {
  const options = buildRedisOptions(config, role);
  const client =
    config.sentinel !== undefined
      ? new Redis({
          ...options,
          sentinels: config.sentinel.hosts,
          name: config.sentinel.name,
          ...(config.sentinel.password !== undefined ? { sentinelPassword: config.sentinel.password } : {}),
          role: role === 'master' ? 'master' : 'slave',
        })
      : new Redis(url, options);
  return watchRedisClient(client, role);
}

/** Waits for `ready`, rejecting on timeout; the client keeps reconnecting either way. */
export async function waitForRedisReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return;
  if (client.status === 'wait') void client.connect().catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`redis not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    function onReady(): void {
      clearTimeout(timer);
      resolve();
    }
    client.once('ready', onReady);
  });
}

/**
 * Connects the process-wide Redis: standalone (`'redis://...'`), Sentinel (`sentinel`) or
 * master + read replicas (`readReplicas`). Connecting again closes the previous connections.
 */
export async function connectRedis(urlOrConfig: string | RedisConfig): Promise<Redis> {
  const config: RedisConfig = typeof urlOrConfig === 'string' ? { url: urlOrConfig } : urlOrConfig;
  await closeRedis();
  const master = createRedisClient(config, 'master');
  // With Sentinel the replicas are discovered through it (role 'slave'); otherwise they are listed.
  const replicas =
    config.readReplicas?.enabled !== true
      ? []
      : config.sentinel !== undefined
        ? [createRedisClient(config, 'replica')]
        : config.readReplicas.urls.map((url, index) => createRedisClient(config, `replica-${index}`, url));
  connections = { master, replicas, mode: config.sentinel !== undefined ? 'sentinel' : 'standalone', config };
  for (const client of [master, ...replicas]) {
    if (client.status === 'wait') void client.connect().catch(() => undefined);
  }
  if (config.waitForReady !== false) {
    try {
      await waitForRedisReady(master, config.connectTimeout ?? 5_000);
    } catch (error) {
      await closeRedis();
      throw error;
    }
  }
  return master;
}

/** The master connection (writes). Throws when `connectRedis` was not called. */
export function getRedis(): Redis {
  if (connections === undefined) throw new Error('redis is not connected: call connectRedis() first');
  return connections.master;
}

/** The master connection, or undefined when Redis was never connected (optional features). */
export function findRedis(): Redis | undefined {
  return connections?.master;
}

/**
 * A replica for reads (round-robin over the ready ones), or the master when no replica is ready.
 * Replicas lag: use it only for reads that tolerate slightly stale data.
 */
export function getRedisForRead(): Redis {
  const current = connections;
  if (current === undefined) throw new Error('redis is not connected: call connectRedis() first');
  const count = current.replicas.length;
  for (let tried = 0; tried < count; tried += 1) {
    const replica = current.replicas[((nextReplica++ % count) + count) % count];
    if (replica !== undefined && replica.status === 'ready') return replica;
  }
  return current.master;
}

export function hasReadReplica(): boolean {
  return (connections?.replicas.length ?? 0) > 0;
}

export function isRedisConnected(): boolean {
  return connections?.master.status === 'ready';
}

export interface RedisConnectionStats {
  connected: boolean;
  mode: RedisMode | 'none';
  hasReadReplica: boolean;
  masterStatus: string;
  replicas: Array<{ status: string }>;
}

export function getRedisConnectionStats(): RedisConnectionStats {
  if (connections === undefined) {
    return { connected: false, mode: 'none', hasReadReplica: false, masterStatus: 'none', replicas: [] };
  }
  return {
    connected: connections.master.status === 'ready',
    mode: connections.mode,
    hasReadReplica: connections.replicas.length > 0,
    masterStatus: connections.master.status,
    replicas: connections.replicas.map((replica) => ({ status: replica.status })),
  };
}

/** Closes the process-wide connections (QUIT when possible, else drop). */
export async function closeRedis(): Promise<void> {
  const current = connections;
  connections = undefined;
  if (current === undefined) return;
  await Promise.allSettled([current.master, ...current.replicas].map((client) => quitRedisClient(client)));
}

export async function quitRedisClient(client: Redis): Promise<void> {
  if (client.status === 'ready') {
    try {
      await client.quit();
      return;
    } catch {
      // fall through to a hard disconnect
    }
  }
  client.disconnect();
}
