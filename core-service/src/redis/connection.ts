import { Redis, type RedisOptions } from 'ioredis';
import { getLogger } from '../logger/logger.js';
import { computeReconnectDelay } from './reconnect-backoff.js';
import { isRedisConnectionError } from './redis-fallback.js';

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
  resubscribeUntilConfirmed(client);
  return client;
}

/**
 * ioredis resubscribes after a reconnect only to the channels the server confirmed, and sends
 * that resubscription at `ready` without handling its answer: when the connection drops again
 * before the answer, the rejection is unhandled (which ends a Node process by default) and the
 * channels are forgotten for good (live pushes and cache invalidations stop until a restart). A
 * subscription command that fails for want of a connection therefore answers 0 and is sent again
 * at the next `ready`, until the server confirms it; subscribing twice to one channel is
 * harmless. Any other error (a refused ACL) still fails the call.
 */
function resubscribeUntilConfirmed(client: Redis): void {
  for (const name of ['subscribe', 'psubscribe', 'ssubscribe'] as const) {
    wrapRedisCommand(client, name, (send) => {
      const subscribe = (...args: unknown[]): Promise<unknown> =>
        send(...args).catch((error: unknown) => {
          if (!isRedisConnectionError(error)) throw error;
          client.once('ready', () => void subscribe(...args));
          return 0;
        });
      return subscribe;
    });
  }
}

type RedisCommandCall = (...args: unknown[]) => Promise<unknown>;

/**
 * Replaces one command method of `client` with `wrap(original)`: for commands that code we do
 * not own (ioredis itself, the Socket.IO adapter) sends without handling the answer.
 */
export function wrapRedisCommand(
  client: Redis,
  name: 'publish' | 'subscribe' | 'psubscribe' | 'ssubscribe' | 'unsubscribe' | 'punsubscribe',
  wrap: (send: RedisCommandCall) => RedisCommandCall,
): void {
  const send = client[name].bind(client) as RedisCommandCall;
  Object.defineProperty(client, name, { value: wrap(send), configurable: true, writable: true });
}

export function createRedisClient(config: RedisConfig, role = 'master', url = config.url): Redis {
  const options = buildRedisOptions(config, role);
  const client =
    config.sentinel !== undefined
      ? new Redis({
          ...options,
          // The servers' own credentials and database come from the URL; Sentinel gives the address.
          ...urlCredentials(url),
          sentinels: config.sentinel.hosts,
          name: config.sentinel.name,
          ...(config.sentinel.password !== undefined ? { sentinelPassword: config.sentinel.password } : {}),
          role: role === 'master' ? 'master' : 'slave',
        })
      : new Redis(url, options);
  return watchRedisClient(client, role);
}

/** The user name, password and database number a `redis://` URL carries (what Sentinel mode still needs from it). */
function urlCredentials(url: string): Pick<RedisOptions, 'username' | 'password' | 'db'> {
  if (url === '') return {};
  const parsed = new URL(url);
  const db = Number(parsed.pathname.slice(1));
  return {
    ...(parsed.username !== '' ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password !== '' ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.pathname.length > 1 && Number.isInteger(db) ? { db } : {}),
  };
}

/**
 * A service's Redis from its environment:
 *   REDIS_URL                `redis://[user:password@]host:port[/db]`; default redis://localhost:6379,
 *                            except with NODE_ENV=production, where a Redis must be named (this
 *                            or REDIS_SENTINELS): a production process on a localhost default is
 *                            a misconfiguration that would otherwise start
 *   REDIS_SENTINELS          `host:port,host:port,...`: find the master through these Sentinels
 *                            and follow it across failovers; REDIS_URL then gives only the
 *                            credentials and database
 *   REDIS_SENTINEL_MASTER    the master group the Sentinels monitor (default `mymaster`)
 *   REDIS_SENTINEL_PASSWORD  the Sentinels' own password, if they require one
 * Throws, naming the variable, on a malformed value: a typo must stop start-up, not fall back to
 * a Redis nobody meant.
 */
export function redisConfigFromEnv(env: Readonly<Record<string, string | undefined>> = process.env, base: Omit<RedisConfig, 'url' | 'sentinel'> = {}): RedisConfig {
  const sentinels = (env['REDIS_SENTINELS'] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  // Empty counts as unset.
  const given = env['REDIS_URL'] || undefined;
  if (given === undefined && sentinels.length === 0 && env['NODE_ENV'] === 'production') {
    throw new Error('REDIS_URL (or REDIS_SENTINELS) is required in production');
  }
  const url = given ?? 'redis://localhost:6379';
  if (!/^rediss?:\/\//.test(url) || !URL.canParse(url)) throw new Error('REDIS_URL must be a redis:// or rediss:// URL');
  if (sentinels.length === 0) return { ...base, url };
  const hosts = sentinels.map((entry) => {
    const match = /^(\[[0-9a-fA-F:]+\]|[^:\s]+):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[2]);
    if (match === null || port < 1 || port > 65_535) throw new Error(`REDIS_SENTINELS: '${entry}' is not host:port`);
    return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
  });
  const password = env['REDIS_SENTINEL_PASSWORD'];
  return {
    ...base,
    url,
    sentinel: { hosts, name: env['REDIS_SENTINEL_MASTER'] ?? 'mymaster', ...(password !== undefined && password !== '' ? { password } : {}) },
  };
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
