/**
 * Multi-level cache vs BentoCache, same process, same Redis, configured alike: memory L1
 * (10,000 entries, values kept as objects — BentoCache `serialize: false`) + Redis L2 + Redis
 * pub/sub bus. Each scenario runs ROUNDS times per cache, alternating, and reports the median.
 *
 * The scenarios that never need Redis (L1 hit, cached() miss then hit) are also run memory-only,
 * BentoCache configured as its documentation and its own benchmarks (benchmarks/all.ts, 'memory'
 * store) configure an in-memory tier: one store with only `useL1Layer(memoryDriver({ serialize:
 * false }))` — no L2, no bus — and grace periods off (`grace: false`, no timeouts). Ours is run
 * memory-only beside it (no Redis client). All four run in the same rounds, alternating, so the
 * ratios share the machine's load; the 1-minute load average is recorded with every scenario.
 *
 *   npm run bench -w core-service            (all benchmarks)
 *   npx tsx --conditions=source bench/cache.bench.ts
 *
 * Uses REDIS_URL when set, else starts a private redis-server.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import { Redis } from 'ioredis';
import { MultiLevelCache } from '../src/cache/index.js';
import { createRedisClient, quitRedisClient, waitForRedisReady } from '../src/redis/index.js';
import { startRedisServer, type RedisServerHandle } from '../src/testing/redis-server.js';

const LOAD_AT_START = loadavg();
// bentocache's exports map hides package.json; its entry point sits in build/.
const BENTOCACHE_VERSION = (JSON.parse(readFileSync(join(dirname(createRequire(import.meta.url).resolve('bentocache')), '..', 'package.json'), 'utf8')) as { version: string }).version;
const ROUNDS = 7;
const L1_KEYS = 1_000;
const L1_GETS = 200_000;
const L2_KEYS = 5_000;
const L2_CONCURRENCY = 32;
const MISS_HIT_KEYS = 3_000;
const TTL_SECONDS = 300;
const VALUE = { id: 'user-123', name: 'Ada Lovelace', roles: ['admin', 'ops'], balance: 120_000, active: true };

interface CacheUnderTest {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  getOrSet(key: string, loader: () => Promise<unknown>): Promise<unknown>;
  close(): Promise<void>;
}

let server: RedisServerHandle | undefined;
const redisUrl = process.env['REDIS_URL'] ?? (server = await startRedisServer()).url;
const parsed = new URL(redisUrl);
const redisOptions = { host: parsed.hostname, port: Number(parsed.port || 6379) };
const run = Date.now().toString(36);

async function ourCache(namespace: string): Promise<CacheUnderTest> {
  const client = createRedisClient({ url: redisUrl });
  await waitForRedisReady(client, 5_000);
  const cache = new MultiLevelCache({ redis: client, keyPrefix: `bench:${run}:ours:${namespace}:`, maxMemorySize: 10_000 });
  await cache.start();
  return {
    get: (key) => cache.get(key),
    set: (key, value) => cache.set(key, value, TTL_SECONDS),
    getOrSet: (key, loader) => cache.cached(key, TTL_SECONDS, loader),
    async close() {
      await cache.close();
      await quitRedisClient(client);
    },
  };
}

async function bentoCache(namespace: string): Promise<CacheUnderTest> {
  const client = new Redis(redisUrl);
  const bento = new BentoCache({
    default: 'multi',
    prefix: `bench:${run}:bento:${namespace}`,
    stores: {
      multi: bentostore()
        .useL1Layer(memoryDriver({ maxItems: 10_000, serialize: false }))
        .useL2Layer(redisDriver({ connection: client }))
        .useBus(redisBusDriver({ connection: redisOptions })),
    },
  });
  return {
    get: (key) => bento.get({ key }),
    set: async (key, value) => {
      await bento.set({ key, value, ttl: TTL_SECONDS * 1000 });
    },
    getOrSet: (key, loader) => bento.getOrSet({ key, factory: loader, ttl: TTL_SECONDS * 1000 }),
    async close() {
      await bento.disconnectAll();
      client.disconnect();
    },
  };
}

/** Ours with no Redis: memory tier only. */
async function ourMemoryCache(namespace: string): Promise<CacheUnderTest> {
  const cache = new MultiLevelCache({ keyPrefix: `bench:${run}:ours-mem:${namespace}:`, maxMemorySize: 10_000 });
  await cache.start();
  return {
    get: (key) => cache.get(key),
    set: (key, value) => cache.set(key, value, TTL_SECONDS),
    getOrSet: (key, loader) => cache.cached(key, TTL_SECONDS, loader),
    close: () => cache.close(),
  };
}

/** BentoCache as its documentation recommends for an in-memory tier: L1 only, serialize false, no bus, grace off. */
async function bentoMemoryCache(namespace: string): Promise<CacheUnderTest> {
  const bento = new BentoCache({
    default: 'memory',
    prefix: `bench:${run}:bento-mem:${namespace}`,
    grace: false,
    stores: {
      memory: bentostore().useL1Layer(memoryDriver({ maxItems: 10_000, serialize: false })),
    },
  });
  return {
    get: (key) => bento.get({ key }),
    set: async (key, value) => {
      await bento.set({ key, value, ttl: TTL_SECONDS * 1000 });
    },
    getOrSet: (key, loader) => bento.getOrSet({ key, factory: loader, ttl: TTL_SECONDS * 1000 }),
    async close() {
      await bento.disconnectAll();
    },
  };
}

type Factory = (namespace: string) => Promise<CacheUnderTest>;

async function l1HitRound(factory: Factory, round: number): Promise<number> {
  const cache = await factory(`l1-${round}`);
  try {
    for (let index = 0; index < L1_KEYS; index += 1) await cache.set(`k${index}`, VALUE);
    const started = performance.now();
    for (let index = 0; index < L1_GETS; index += 1) await cache.get(`k${index % L1_KEYS}`);
    return L1_GETS / ((performance.now() - started) / 1000);
  } finally {
    await cache.close();
  }
}

/** Keys written by one instance, read once each by a fresh instance: every read is L1 miss + L2 hit. */
async function l2HitRound(factory: Factory, round: number, concurrency: number): Promise<number> {
  const namespace = `l2-${concurrency}-${round}`;
  const writer = await factory(namespace);
  const reader = await factory(namespace);
  try {
    for (let index = 0; index < L2_KEYS; index += 1) await writer.set(`k${index}`, VALUE);
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < L2_KEYS) {
          const key = `k${next++}`;
          const value = await reader.get(key);
          if (value === undefined || value === null) throw new Error(`L2 miss for ${key}`);
        }
      }),
    );
    return L2_KEYS / ((performance.now() - started) / 1000);
  } finally {
    await writer.close();
    await reader.close();
  }
}

/** Each key: a miss that runs the loader and stores, then a hit. Reports pairs per second. */
async function missThenHitRound(factory: Factory, round: number): Promise<number> {
  const cache = await factory(`mh-${round}`);
  const loader = () => Promise.resolve(VALUE);
  try {
    const started = performance.now();
    for (let index = 0; index < MISS_HIT_KEYS; index += 1) {
      await cache.getOrSet(`k${index}`, loader);
      await cache.getOrSet(`k${index}`, loader);
    }
    return MISS_HIT_KEYS / ((performance.now() - started) / 1000);
  } finally {
    await cache.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const scenarios: Array<{ name: string; unit: string; memoryOnly: boolean; round: (factory: Factory, round: number) => Promise<number> }> = [
  { name: 'L1 hit get', unit: 'get/s', memoryOnly: true, round: l1HitRound },
  { name: 'L2 hit get (sequential)', unit: 'get/s', memoryOnly: false, round: (factory, round) => l2HitRound(factory, round, 1) },
  { name: `L2 hit get (${L2_CONCURRENCY} concurrent)`, unit: 'get/s', memoryOnly: false, round: (factory, round) => l2HitRound(factory, round, L2_CONCURRENCY) },
  { name: 'cached() miss then hit', unit: 'pairs/s', memoryOnly: true, round: missThenHitRound },
];

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

interface MemoryOnlyRow {
  /** Ours without Redis vs BentoCache configured as documented for an in-memory tier. */
  ours: number;
  bentocache: number;
  ratio: number;
  oursRounds: number[];
  bentoRounds: number[];
  bentoConfig: string;
}

const results: Array<{
  scenario: string;
  unit: string;
  ours: number;
  bentocache: number;
  ratio: number;
  oursRounds: number[];
  bentoRounds: number[];
  memoryOnly?: MemoryOnlyRow;
  loadAverage1m: { start: number; end: number };
}> = [];
try {
  for (const scenario of scenarios) {
    const load1Start = loadavg()[0] as number;
    const ours: number[] = [];
    const bento: number[] = [];
    const oursMem: number[] = [];
    const bentoMem: number[] = [];
    // Warm-up round for each (JIT), not recorded.
    await scenario.round(ourCache, -1);
    await scenario.round(bentoCache, -1);
    if (scenario.memoryOnly) {
      await scenario.round(ourMemoryCache, -1);
      await scenario.round(bentoMemoryCache, -1);
    }
    for (let round = 0; round < ROUNDS; round += 1) {
      ours.push(await scenario.round(ourCache, round));
      bento.push(await scenario.round(bentoCache, round));
      if (scenario.memoryOnly) {
        oursMem.push(await scenario.round(ourMemoryCache, round));
        bentoMem.push(await scenario.round(bentoMemoryCache, round));
      }
    }
    const row = {
      scenario: scenario.name,
      unit: scenario.unit,
      ours: Math.round(median(ours)),
      bentocache: Math.round(median(bento)),
      ratio: ratio(median(ours), median(bento)),
      oursRounds: ours.map(Math.round),
      bentoRounds: bento.map(Math.round),
      ...(scenario.memoryOnly
        ? {
            memoryOnly: {
              ours: Math.round(median(oursMem)),
              bentocache: Math.round(median(bentoMem)),
              ratio: ratio(median(oursMem), median(bentoMem)),
              oursRounds: oursMem.map(Math.round),
              bentoRounds: bentoMem.map(Math.round),
              bentoConfig: 'bentostore().useL1Layer(memoryDriver({ maxItems: 10_000, serialize: false })), grace: false, no L2, no bus',
            },
          }
        : {}),
      loadAverage1m: { start: load1Start, end: loadavg()[0] as number },
    };
    results.push(row);
    process.stdout.write(
      `${row.scenario}: ours ${row.ours} ${row.unit}, bentocache ${row.bentocache} ${row.unit} (x${row.ratio})` +
        (row.memoryOnly ? `; memory-only: ours ${row.memoryOnly.ours}, bentocache (documented in-memory config) ${row.memoryOnly.bentocache} (x${row.memoryOnly.ratio})` : '') +
        `; load ${row.loadAverage1m.start.toFixed(2)} -> ${row.loadAverage1m.end.toFixed(2)}\n`,
    );
  }

  console.table(
    results.flatMap(({ scenario, unit, ours, bentocache, ratio: r, memoryOnly }) => [
      { scenario, config: 'L1 + Redis L2 + bus (like for like)', unit, ours, bentocache, 'ours/bento': r },
      ...(memoryOnly ? [{ scenario, config: 'memory only (Bento as documented)', unit, ours: memoryOnly.ours, bentocache: memoryOnly.bentocache, 'ours/bento': memoryOnly.ratio }] : []),
    ]),
  );
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'cache.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        redis: server !== undefined ? 'private redis-server (bench-started)' : 'REDIS_URL',
        rounds: ROUNDS,
        statistic: 'median',
        config: { l1MaxEntries: 10_000, ttlSeconds: TTL_SECONDS, bentocacheMemorySerialize: false, bus: 'redis pub/sub' },
        memoryOnlyConfig: {
          ours: 'MultiLevelCache without redis',
          bentocache: 'bentostore().useL1Layer(memoryDriver({ maxItems: 10_000, serialize: false })), grace: false, no L2, no bus (as in bentocache docs and benchmarks/all.ts)',
        },
        bentocacheVersion: BENTOCACHE_VERSION,
        cpus: cpus().length,
        loadAverageAtStart: LOAD_AT_START,
        loadAverageAtEnd: loadavg(),
        results,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`written ${out}\n`);
} finally {
  await server?.stop();
}
