import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { CircuitBreaker } from '../resilience/circuit-breaker.js';
import { getLogger } from '../logger/logger.js';
import { escapeRedisPattern } from '../redis/scan.js';
import { DEFAULT_CACHE_SETTINGS, type CacheSettings } from './cache-settings.js';
import { CacheCounters, hitRate, type CacheStats } from './cache-stats.js';
import { InvalidationBus, type InvalidationMessage } from './invalidation-bus.js';
import { globToRegExp } from './key-pattern.js';

export interface MultiLevelCacheOptions extends Partial<CacheSettings> {
  /** L2 connection, or a function returning it once available (the process-wide Redis). */
  redis?: Redis | (() => Redis | undefined);
}

export interface CachedOptions {
  /** Seconds a stale value may be served while one refresh runs; overrides `gracePeriod`. */
  grace?: number;
}

export interface CacheEntryInput<T = unknown> {
  key: string;
  value: T;
  /** Seconds; `defaultTtl` when absent. */
  ttl?: number;
}

export interface WarmCacheEntry<T = unknown> {
  key: string;
  fetchFn: () => Promise<T>;
  ttl?: number;
}

/**
 * L1 entry. `staleUntil === 0` means "no grace": lru-cache's own TTL (never longer than the
 * logical TTL) then decides freshness, and the hot path needs no clock read.
 */
interface MemoryEntry {
  value: unknown;
  expiresAt: number;
  staleUntil: number;
  size: number;
}

/** L2 values are `<expiresAtMs>|<json>`: freshness without parsing the value, one string per key. */
function encodeL2(value: unknown, expiresAt: number): string {
  return `${expiresAt}|${JSON.stringify(value)}`;
}

function decodeL2(raw: string): { value: unknown; expiresAt: number } | undefined {
  const separator = raw.indexOf('|');
  if (separator <= 0) return undefined;
  const expiresAt = Number(raw.slice(0, separator));
  if (!Number.isFinite(expiresAt)) return undefined;
  try {
    return { value: JSON.parse(raw.slice(separator + 1)), expiresAt };
  } catch {
    return undefined;
  }
}

/**
 * Two-level cache: an in-process LRU (L1) in front of Redis (L2).
 *
 * - L2 hits are promoted to L1; writes go to both and tell other instances over pub/sub to drop
 *   the key from their L1 (keys only, never values).
 * - Concurrent misses for one key share one loader call (per process).
 * - With a grace period, an expired value is served while a single refresh runs, and kept while
 *   the source fails.
 * - Redis is optional at every step: when it is down or its circuit is open, calls use L1 and the
 *   source only, and an open circuit costs one synchronous check per call.
 *
 * Values are shared, not copied, between L1 readers: treat cached values as immutable.
 *
 * Hand-written rather than BentoCache (which the benchmark compares against): BentoCache's
 * options and bus are its own, it serialises every L1 value by default, and the brief's API
 * (`cached(key, ttl, fn)`, stats per layer, pattern deletes) would sit on top of it anyway.
 *
 * Events: 'invalidated' (message), 'flushed-after-reconnect', 'redis-error' (error),
 * 'refresh-failed' (key, error), 'l2-repaired' ({ keys, patterns }).
 */
export class MultiLevelCache extends EventEmitter {
  readonly instanceId = randomUUID();
  readonly settings: CacheSettings;
  private readonly memory: LRUCache<string, MemoryEntry>;
  private readonly counters = new CacheCounters();
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly refreshing = new Set<string>();
  private readonly breaker: CircuitBreaker;
  private readonly resolveRedis: () => Redis | undefined;
  private readonly channel: string;
  private bus: InvalidationBus | undefined;
  private isClosed = false;
  /**
   * Change tracking against read/write races: every change to a key (local write or delete,
   * remote invalidation) takes a new epoch. A Redis read or a loader that started before the
   * key's last change must not put its (older) result into the cache.
   */
  private epoch = 0;
  private readonly changedAt: LRUCache<string, number>;
  /** Reads started before this epoch cannot be trusted (pattern deletes, flushes, forgotten records). */
  private uncertainBefore = 0;
  /**
   * Keys and patterns changed while Redis could not be reached: L2 may still hold their old
   * values for other instances, so they are deleted from L2 (and announced) once it is back.
   */
  private readonly unreachedKeys = new Set<string>();
  private readonly unreachedPatterns = new Set<string>();
  private isRepairing = false;
  /**
   * Deletes asked for in the same tick, sent to Redis together: a transfer's commit drops both
   * parties' balances at once, and each notice costs every other instance a message to parse.
   */
  private pendingDeletes: { keys: Set<string>; sent: Promise<void> } | undefined;
  private watchedClient: Redis | undefined;
  private readonly onClientReady = (): void => void this.repairL2();

  constructor(options: MultiLevelCacheOptions = {}) {
    super();
    const { redis, ...settings } = options;
    this.settings = { ...DEFAULT_CACHE_SETTINGS, ...settings };
    this.resolveRedis = typeof redis === 'function' ? redis : () => redis;
    this.channel = `${this.settings.keyPrefix}__invalidate`;
    this.breaker = new CircuitBreaker({ name: 'cache-redis', ...this.settings.redisCircuitBreaker });
    this.memory = new LRUCache<string, MemoryEntry>({
      max: this.settings.maxMemorySize,
      ...(this.settings.maxMemoryBytes !== undefined ? { maxSize: this.settings.maxMemoryBytes, sizeCalculation: (entry: MemoryEntry) => entry.size } : {}),
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.counters.evictions += 1;
      },
    });
    this.changedAt = new LRUCache<string, number>({
      max: Math.max(1_000, this.settings.maxMemorySize),
      // Forgetting a record must not make an old read look safe: raise the floor instead.
      dispose: (changed, _key, reason) => {
        if (reason === 'evict' && changed > this.uncertainBefore) this.uncertainBefore = changed;
      },
    });
  }

  // ---------------------------------------------------------------- reads

  async get<T>(key: string): Promise<T | null> {
    const entry = this.readMemory(key);
    if (entry !== undefined && (entry.staleUntil === 0 || Date.now() < entry.expiresAt)) {
      this.counters.memoryHits += 1;
      return entry.value as T;
    }
    this.counters.memoryMisses += 1;
    const started = this.epoch;
    const remote = await this.readRedis(key);
    if (remote !== undefined && remote.expiresAt > Date.now()) {
      this.counters.redisHits += 1;
      this.promote(key, remote.value, remote.expiresAt, 0, started);
      return remote.value as T;
    }
    if (this.isRedisUsable()) this.counters.redisMisses += 1;
    return null;
  }

  /**
   * Cache-aside: the cached value, or `loader()`'s result stored for `ttl` seconds. Concurrent
   * misses for `key` in this process run `loader` once.
   */
  cached<T>(key: string, ttl: number | undefined, loader: () => Promise<T>, options: CachedOptions = {}): Promise<T> {
    const entry = this.readMemory(key);
    if (entry !== undefined) {
      if (entry.staleUntil === 0 || Date.now() < entry.expiresAt) {
        this.counters.memoryHits += 1;
        return Promise.resolve(entry.value as T);
      }
      // Expired but within grace: serve it, refresh once in the background.
      this.counters.memoryHits += 1;
      this.counters.staleServed += 1;
      this.refreshInBackground(key, ttl, loader, options);
      return Promise.resolve(entry.value as T);
    }
    this.counters.memoryMisses += 1;
    const running = this.inflight.get(key);
    if (running !== undefined) return running as Promise<T>;
    const load = this.loadThrough(key, ttl, loader, options);
    this.inflight.set(key, load);
    // Remove on settle either way, so a failed load is retried by the next caller.
    load.then(
      () => this.inflight.delete(key),
      () => this.inflight.delete(key),
    );
    return load;
  }

  async getMany<T>(keys: readonly string[]): Promise<Map<string, T | null>> {
    const result = new Map<string, T | null>();
    const missing: string[] = [];
    const now = Date.now();
    for (const key of keys) {
      const entry = this.readMemory(key);
      if (entry !== undefined && (entry.staleUntil === 0 || now < entry.expiresAt)) {
        this.counters.memoryHits += 1;
        result.set(key, entry.value as T);
      } else {
        this.counters.memoryMisses += 1;
        missing.push(key);
        result.set(key, null);
      }
    }
    if (missing.length === 0) return result;
    const client = this.acquireRedis();
    if (client === undefined) return result;
    const started = this.epoch;
    try {
      const raws = await client.mget(...missing.map((key) => this.redisKey(key)));
      this.breaker.recordSuccess();
      missing.forEach((key, index) => {
        const raw = raws[index];
        const decoded = raw == null ? undefined : decodeL2(raw);
        if (decoded !== undefined && decoded.expiresAt > Date.now()) {
          this.counters.redisHits += 1;
          this.promote(key, decoded.value, decoded.expiresAt, 0, started);
          result.set(key, decoded.value as T);
        } else this.counters.redisMisses += 1;
      });
    } catch (error) {
      this.onRedisError(error);
    }
    return result;
  }

  // ---------------------------------------------------------------- writes

  async set(key: string, value: unknown, ttl?: number, options: CachedOptions = {}): Promise<void> {
    await this.setMany([{ key, value, ...(ttl !== undefined ? { ttl } : {}) }], options);
  }

  async setMany(entries: readonly CacheEntryInput[], options: CachedOptions = {}): Promise<void> {
    if (entries.length === 0) return;
    const grace = options.grace ?? this.settings.gracePeriod;
    const now = Date.now();
    const payloads: Array<{ key: string; payload: string; ttlMs: number }> = [];
    const isRedisOn = this.settings.redisEnabled;
    for (const entry of entries) {
      const ttlMs = (entry.ttl ?? this.settings.defaultTtl) * 1000;
      const expiresAt = now + ttlMs;
      this.counters.writes += 1;
      this.markChanged(entry.key);
      const payload = isRedisOn || this.settings.maxMemoryBytes !== undefined ? encodeL2(entry.value, expiresAt) : '';
      this.writeMemory(entry.key, entry.value, expiresAt, grace, payload.length);
      if (isRedisOn) payloads.push({ key: entry.key, payload, ttlMs: ttlMs + grace * 1000 });
    }
    if (!isRedisOn) return;
    const keys = payloads.map((item) => item.key);
    const client = this.acquireRedis();
    if (client === undefined) {
      this.recordUnreached(keys);
      return;
    }
    // One round trip: the writes and the invalidation notice share a pipeline.
    const pipeline = client.pipeline();
    for (const item of payloads) pipeline.set(this.redisKey(item.key), item.payload, 'PX', Math.max(1, item.ttlMs));
    pipeline.publish(this.channel, this.encodeInvalidation({ k: keys }));
    if (!(await this.runPipeline(pipeline))) this.recordUnreached(keys);
  }

  async delete(key: string): Promise<void> {
    await this.deleteMany([key]);
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    for (const key of keys) {
      this.markChanged(key);
      this.memory.delete(key);
      this.counters.deletes += 1;
    }
    if (!this.settings.redisEnabled) return;
    let batch = this.pendingDeletes;
    if (batch === undefined) {
      const keysOfBatch = new Set<string>();
      batch = {
        keys: keysOfBatch,
        // A microtask later: every delete of this synchronous run has joined by then.
        sent: Promise.resolve().then(() => {
          this.pendingDeletes = undefined;
          return this.sendDeletes([...keysOfBatch]);
        }),
      };
      this.pendingDeletes = batch;
    }
    for (const key of keys) batch.keys.add(key);
    await batch.sent;
  }

  /** Removes keys from L2 and from other instances' L1 (one UNLINK and one notice). */
  private async sendDeletes(keys: string[]): Promise<void> {
    const client = this.acquireRedis();
    if (client === undefined) {
      this.recordUnreached(keys);
      return;
    }
    const pipeline = client.pipeline();
    pipeline.unlink(...keys.map((key) => this.redisKey(key)));
    pipeline.publish(this.channel, this.encodeInvalidation({ k: keys }));
    if (!(await this.runPipeline(pipeline))) this.recordUnreached(keys);
  }

  /**
   * Deletes keys matching a Redis glob from both layers (SCAN, never KEYS) and from other
   * instances' L1. Resolves to the number of distinct keys removed.
   */
  async deletePattern(pattern: string): Promise<number> {
    this.markAllChanged();
    const deleted = new Set(this.deleteMemoryPattern(pattern));
    if (!this.settings.redisEnabled) return deleted.size;
    const client = this.acquireRedis();
    if (client === undefined) {
      this.unreachedPatterns.add(pattern);
      return deleted.size;
    }
    try {
      const prefixLength = this.settings.keyPrefix.length;
      const match = `${escapeRedisPattern(this.settings.keyPrefix)}${pattern}`;
      let cursor = '0';
      do {
        const [next, found] = await client.scan(cursor, 'MATCH', match, 'COUNT', 500);
        cursor = next;
        if (found.length > 0) {
          await client.unlink(...found);
          for (const key of found) deleted.add(key.slice(prefixLength));
        }
      } while (cursor !== '0');
      await client.publish(this.channel, this.encodeInvalidation({ p: pattern }));
      this.breaker.recordSuccess();
    } catch (error) {
      this.unreachedPatterns.add(pattern);
      this.onRedisError(error);
    }
    return deleted.size;
  }

  /** Empties both layers (this cache's key prefix only) and other instances' L1. */
  async clear(): Promise<void> {
    this.memory.clear();
    // Pattern '*' reaches other instances as a pattern invalidation, which empties their L1.
    await this.deletePattern('*');
  }

  /** Loads and stores each entry; one failure does not stop the others. */
  async warm(entries: readonly WarmCacheEntry[]): Promise<{ warmed: number; failed: number }> {
    const results = await Promise.allSettled(entries.map(async (entry) => this.set(entry.key, await entry.fetchFn(), entry.ttl)));
    const failed = results.filter((result) => result.status === 'rejected').length;
    return { warmed: results.length - failed, failed };
  }

  // ---------------------------------------------------------------- lifecycle and stats

  /** Starts listening for other instances' invalidations (done lazily on first Redis use too). */
  async start(): Promise<void> {
    const client = this.resolveRedis();
    if (client === undefined || !this.settings.redisEnabled) return;
    this.ensureBus(client);
    await this.bus?.whenSubscribed();
  }

  async close(): Promise<void> {
    this.isClosed = true;
    this.watchedClient?.off('ready', this.onClientReady);
    this.watchedClient = undefined;
    const bus = this.bus;
    this.bus = undefined;
    await bus?.close();
    this.memory.clear();
  }

  getStats(): CacheStats {
    const c = this.counters;
    const size = this.memory.size;
    const hitsTotal = c.memoryHits + c.redisHits;
    // A lookup missed overall when it missed L1 and was not answered by L2.
    const missesTotal = Math.max(0, c.memoryMisses - c.redisHits);
    return {
      memory: {
        size,
        maxSize: this.settings.maxMemorySize,
        utilizationPercent: Math.round((size / this.settings.maxMemorySize) * 10_000) / 100,
        ...this.countMemoryEntries(),
        calculatedSize: this.settings.maxMemoryBytes !== undefined ? this.memory.calculatedSize : undefined,
        evictions: c.evictions,
      },
      hits: { memory: c.memoryHits, redis: c.redisHits, total: hitsTotal },
      misses: { memory: c.memoryMisses, redis: c.redisMisses, total: missesTotal },
      hitRate: {
        memory: hitRate(c.memoryHits, c.memoryMisses),
        redis: hitRate(c.redisHits, c.redisMisses),
        overall: hitRate(hitsTotal, missesTotal),
      },
      operations: { writes: c.writes, deletes: c.deletes, loads: c.loads, staleServed: c.staleServed, redisErrors: c.redisErrors },
      redis: { enabled: this.settings.redisEnabled, available: this.isRedisUsable(), circuit: this.breaker.state },
      invalidation: { published: c.published, received: c.received, flushesAfterReconnect: c.flushesAfterReconnect },
    };
  }

  /** O(entries): for stats calls, never on a request path. */
  private countMemoryEntries(): { validEntries: number; expiredEntries: number } {
    const now = Date.now();
    let validEntries = 0;
    let expiredEntries = 0;
    for (const key of this.memory.keys()) {
      const entry = this.memory.peek(key, { allowStale: true });
      const isExpired = entry === undefined || this.memory.getRemainingTTL(key) <= 0 || (entry.staleUntil !== 0 && now >= entry.expiresAt);
      if (isExpired) expiredEntries += 1;
      else validEntries += 1;
    }
    return { validEntries, expiredEntries };
  }

  /** The L2 circuit breaker (exposed for health reporting and tests). */
  get redisCircuit(): CircuitBreaker {
    return this.breaker;
  }

  // ---------------------------------------------------------------- internals

  private readMemory(key: string): MemoryEntry | undefined {
    return this.settings.memoryEnabled ? this.memory.get(key) : undefined;
  }

  private writeMemory(key: string, value: unknown, expiresAt: number, grace: number, size: number): void {
    if (!this.settings.memoryEnabled) return;
    const now = Date.now();
    const staleUntil = grace > 0 ? expiresAt + grace * 1000 : 0;
    // lru-cache's TTL is the backstop (`memoryMaxTtl`) and, without grace, the freshness check.
    const lruTtl = Math.min((staleUntil || expiresAt) - now, this.settings.memoryMaxTtl * 1000);
    if (lruTtl <= 0) return;
    this.memory.set(key, { value, expiresAt, staleUntil, size: Math.max(1, size) }, { ttl: lruTtl });
  }

  /** Puts a value read from L2 into L1, unless the key changed since the read started. */
  private promote(key: string, value: unknown, expiresAt: number, grace: number, startedAt: number): void {
    if (this.isChangedSince(key, startedAt)) return;
    this.writeMemory(key, value, expiresAt, grace, this.settings.maxMemoryBytes !== undefined ? JSON.stringify(value).length : 1);
  }

  private async loadThrough<T>(key: string, ttl: number | undefined, loader: () => Promise<T>, options: CachedOptions): Promise<T> {
    const grace = options.grace ?? this.settings.gracePeriod;
    const started = this.epoch;
    const remote = await this.readRedis(key);
    if (remote !== undefined) {
      const now = Date.now();
      if (remote.expiresAt > now) {
        this.counters.redisHits += 1;
        this.promote(key, remote.value, remote.expiresAt, grace, started);
        return remote.value as T;
      }
      if (grace > 0 && remote.expiresAt + grace * 1000 > now) {
        this.counters.redisHits += 1;
        this.counters.staleServed += 1;
        this.promote(key, remote.value, remote.expiresAt, grace, started);
        this.refreshInBackground(key, ttl, loader, options);
        return remote.value as T;
      }
    }
    if (this.isRedisUsable()) this.counters.redisMisses += 1;
    this.counters.loads += 1;
    const value = await loader();
    // Changed while loading (another instance wrote it, or this one did): the loaded value may
    // predate that change, so it is returned to this caller but not cached over the newer one.
    if (!this.isChangedSince(key, started)) await this.set(key, value, ttl, options);
    return value;
  }

  private refreshInBackground<T>(key: string, ttl: number | undefined, loader: () => Promise<T>, options: CachedOptions): void {
    if (this.refreshing.has(key) || this.inflight.has(key)) return;
    this.refreshing.add(key);
    this.counters.loads += 1;
    const started = this.epoch;
    loader()
      .then((value) => (this.isChangedSince(key, started) ? undefined : this.set(key, value, ttl, options)))
      // The stale value stays until its grace ends: a failing source does not empty the cache.
      .catch((error: unknown) => {
        getLogger().warn({ key, err: error }, 'cache refresh failed; serving stale value');
        this.emit('refresh-failed', key, error);
      })
      .finally(() => this.refreshing.delete(key));
  }

  private deleteMemoryPattern(pattern: string): string[] {
    const matcher = globToRegExp(pattern);
    const deleted: string[] = [];
    for (const key of [...this.memory.keys()]) {
      if (matcher.test(key)) {
        this.memory.delete(key);
        deleted.push(key);
      }
    }
    this.counters.deletes += deleted.length;
    return deleted;
  }

  private redisKey(key: string): string {
    return `${this.settings.keyPrefix}${key}`;
  }

  private isRedisUsable(): boolean {
    if (!this.settings.redisEnabled || this.isClosed) return false;
    const client = this.resolveRedis();
    return client !== undefined && client.status === 'ready' && this.breaker.state !== 'open';
  }

  /** The L2 client when a call may go to it now; reserves a trial slot when half-open. */
  private acquireRedis(): Redis | undefined {
    if (!this.settings.redisEnabled || this.isClosed) return undefined;
    const client = this.resolveRedis();
    // A disconnected client fails at once anyway (no offline queue); skipping it here also keeps
    // an outage from counting against the breaker on every call.
    if (client === undefined || client.status !== 'ready') return undefined;
    if (!this.breaker.isCallPermitted()) return undefined;
    if (this.bus === undefined) this.ensureBus(client);
    if (this.unreachedKeys.size > 0 || this.unreachedPatterns.size > 0) void this.repairL2();
    return client;
  }

  private async readRedis(key: string): Promise<{ value: unknown; expiresAt: number } | undefined> {
    const client = this.acquireRedis();
    if (client === undefined) return undefined;
    try {
      const raw = await client.get(this.redisKey(key));
      this.breaker.recordSuccess();
      return raw === null ? undefined : decodeL2(raw);
    } catch (error) {
      this.onRedisError(error);
      return undefined;
    }
  }

  private async runPipeline(pipeline: ReturnType<Redis['pipeline']>): Promise<boolean> {
    try {
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error !== null);
      if (failed?.[0]) throw failed[0];
      this.breaker.recordSuccess();
      this.counters.published += 1;
      return true;
    } catch (error) {
      this.onRedisError(error);
      return false;
    }
  }

  private markChanged(key: string): void {
    this.epoch += 1;
    this.changedAt.set(key, this.epoch);
  }

  private markAllChanged(): void {
    this.epoch += 1;
    this.uncertainBefore = this.epoch;
  }

  private isChangedSince(key: string, startedAt: number): boolean {
    return startedAt < this.uncertainBefore || (this.changedAt.peek(key) ?? 0) > startedAt;
  }

  private recordUnreached(keys: readonly string[]): void {
    for (const key of keys) this.unreachedKeys.add(key);
    // Past this many keys, remembering them costs more than clearing the prefix once.
    if (this.unreachedKeys.size > this.settings.maxMemorySize) {
      this.unreachedKeys.clear();
      this.unreachedPatterns.add('*');
    }
  }

  /**
   * Once Redis is reachable again, deletes from L2 what this instance changed while it was not
   * (other instances would otherwise keep reading the old values from L2) and announces it.
   */
  private async repairL2(): Promise<void> {
    if (this.isRepairing || this.isClosed) return;
    if (this.unreachedKeys.size === 0 && this.unreachedPatterns.size === 0) return;
    const client = this.resolveRedis();
    if (client === undefined || client.status !== 'ready') return;
    this.isRepairing = true;
    const keys = [...this.unreachedKeys];
    const patterns = [...this.unreachedPatterns];
    this.unreachedKeys.clear();
    this.unreachedPatterns.clear();
    try {
      for (let index = 0; index < keys.length; index += 500) {
        const batch = keys.slice(index, index + 500);
        await client.unlink(...batch.map((key) => this.redisKey(key)));
        await client.publish(this.channel, this.encodeInvalidation({ k: batch }));
      }
      for (const pattern of patterns) {
        const match = `${escapeRedisPattern(this.settings.keyPrefix)}${pattern}`;
        let cursor = '0';
        do {
          const [next, found] = await client.scan(cursor, 'MATCH', match, 'COUNT', 500);
          cursor = next;
          if (found.length > 0) await client.unlink(...found);
        } while (cursor !== '0');
        await client.publish(this.channel, this.encodeInvalidation({ p: pattern }));
      }
      this.emit('l2-repaired', { keys, patterns });
    } catch (error) {
      this.recordUnreached(keys);
      for (const pattern of patterns) this.unreachedPatterns.add(pattern);
      this.onRedisError(error);
    } finally {
      this.isRepairing = false;
    }
  }

  private onRedisError(error: unknown): void {
    this.counters.redisErrors += 1;
    this.breaker.recordFailure(error);
    // Debug, not warn: the connection's own listener already reported the outage once.
    getLogger().debug({ err: error }, 'cache redis call failed; serving from memory and source');
    if (this.listenerCount('redis-error') > 0) this.emit('redis-error', error);
  }

  private encodeInvalidation(message: Omit<InvalidationMessage, 's'>): string {
    return JSON.stringify({ s: this.instanceId, ...message });
  }

  private ensureBus(client: Redis): void {
    if (this.bus !== undefined || this.isClosed) return;
    if (this.watchedClient !== client) {
      this.watchedClient?.off('ready', this.onClientReady);
      this.watchedClient = client;
      client.on('ready', this.onClientReady);
    }
    this.bus = new InvalidationBus({
      channel: this.channel,
      instanceId: this.instanceId,
      source: client,
      onMessage: (message) => this.applyInvalidation(message),
      onReconnect: () => {
        this.markAllChanged();
        this.memory.clear();
        this.counters.flushesAfterReconnect += 1;
        this.emit('flushed-after-reconnect');
      },
    });
    this.bus.start();
  }

  private applyInvalidation(message: InvalidationMessage): void {
    this.counters.received += 1;
    if (message.c === 1) {
      this.markAllChanged();
      this.memory.clear();
    }
    if (message.k !== undefined) {
      for (const key of message.k) {
        this.markChanged(key);
        this.memory.delete(key);
      }
    }
    if (message.p !== undefined) {
      this.markAllChanged();
      this.deleteMemoryPattern(message.p);
    }
    this.emit('invalidated', message);
  }
}
