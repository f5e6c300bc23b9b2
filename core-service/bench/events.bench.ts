/**
 * Integration events end to end: emit → Redis Stream → consumer group → handler → ack.
 *
 *   npx tsx --conditions=source bench/events.bench.ts
 *   BENCH_EVENTS=20000 BENCH_RATE=1000 BENCH_SECONDS=10 npx tsx --conditions=source bench/events.bench.ts
 *
 * Uses REDIS_URL or starts a private redis-server; uses MONGO_URI or starts the embedded engine
 * (child process). Two set-ups: `transport` (bus without MongoDB: stream mechanics only) and
 * `exactly-once` (every handler runs in a MongoDB transaction with its processed-event record,
 * as services run it); the second is skipped, and says so, when no MongoDB is available.
 * For each: throughput (BENCH_EVENTS emitted as fast as 64 concurrent emitters go, timed until
 * the last handler finished) and latency at a steady BENCH_RATE events/s for BENCH_SECONDS
 * (measured from each event's scheduled send time, so a stalled emitter cannot hide queueing).
 * Emitter and consumer share one process. Writes bench/results/events.json.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { EventBus } from '../src/events/index.js';
import { startRedisServer } from '../src/testing/redis-server.js';
import { spawnEmbeddedMongo } from 'embedded-mongo';

const here = dirname(fileURLToPath(import.meta.url));
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 20_000);
const RATE = Number(process.env['BENCH_RATE'] ?? 1_000);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10);
const EMIT_CONCURRENCY = 64;
const TENANTS = 16;
const quiet = pino({ level: 'warn' });

interface Scenario {
  setup: string;
  throughputEventsPerSec: number;
  throughputEvents: number;
  steadyTargetRate: number;
  steadyAchievedRate: number;
  steadyEvents: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
}

async function startEngine(): Promise<{ uri: string; stop: () => Promise<void> }> {
  return spawnEmbeddedMongo();
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

async function runScenario(setup: string, redisUrl: string, mongo: { client: MongoClient; dbName: string } | undefined): Promise<Scenario> {
  const streamKey = `bench:events:${randomBytes(4).toString('hex')}`;
  const redis = new Redis(redisUrl);
  const bus = new EventBus({
    serviceName: 'bench-consumer',
    streamKey,
    redis,
    ...(mongo ? { mongo: { client: mongo.client, db: mongo.client.db(mongo.dbName) } } : {}),
    blockMs: 1_000,
    batchSize: 200,
    logger: quiet,
  });
  let handled = 0;
  let waiter: { target: number; resolve: () => void } | undefined;
  const latencies: number[] = [];
  let recordLatency = false;
  bus.on<{ scheduledAt: number }>('bench.tick', (event) => {
    if (recordLatency) latencies.push(performance.now() - event.data.scheduledAt);
    handled += 1;
    if (waiter && handled >= waiter.target) waiter.resolve();
  });
  const handledReaches = (target: number): Promise<void> => (handled >= target ? Promise.resolve() : new Promise<void>((resolve) => (waiter = { target, resolve })));
  await bus.startListening();

  try {
    // throughput: as fast as EMIT_CONCURRENCY emitters go
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: EMIT_CONCURRENCY }, async () => {
        while (next < EVENTS) {
          const i = next++;
          await bus.emit('bench.tick', `tenant-${i % TENANTS}`, `user-${i}`, { scheduledAt: performance.now() });
        }
      }),
    );
    await handledReaches(EVENTS);
    const throughputSeconds = (performance.now() - started) / 1000;

    // steady rate: emit on schedule, latency from the scheduled instant to the handler's end
    handled = 0;
    recordLatency = true;
    const total = RATE * SECONDS;
    const steadyStart = performance.now();
    let sent = 0;
    const inFlight = new Set<Promise<unknown>>();
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - steadyStart) / 1000) * RATE));
      for (; sent < due; sent++) {
        const scheduledAt = steadyStart + (sent * 1000) / RATE;
        const emitted = bus.emit('bench.tick', `tenant-${sent % TENANTS}`, `user-${sent}`, { scheduledAt });
        inFlight.add(emitted);
        void emitted.finally(() => inFlight.delete(emitted));
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await Promise.all(inFlight);
    await handledReaches(total);
    const steadySeconds = (performance.now() - steadyStart) / 1000;
    latencies.sort((a, b) => a - b);

    return {
      setup,
      throughputEvents: EVENTS,
      throughputEventsPerSec: Math.round(EVENTS / throughputSeconds),
      steadyTargetRate: RATE,
      steadyAchievedRate: Math.round(total / steadySeconds),
      steadyEvents: total,
      latencyP50Ms: round(percentile(latencies, 50)),
      latencyP99Ms: round(percentile(latencies, 99)),
      latencyMaxMs: round(latencies[latencies.length - 1] ?? Number.NaN),
    };
  } finally {
    await bus.close();
    await redis.del(streamKey, `${streamKey}:errors:bench-consumer`).catch(() => undefined);
    await redis.quit();
  }
}

async function main(): Promise<void> {
  const stops: Array<() => Promise<void>> = [];
  try {
    let redisUrl = process.env['REDIS_URL'] ?? '';
    if (!redisUrl) {
      const server = await startRedisServer();
      stops.push(() => server.stop());
      redisUrl = server.url;
    }
    let mongoUri = process.env['MONGO_URI'] ?? '';
    let mongoNote = mongoUri ? 'MONGO_URI' : 'embedded-mongo (child process)';
    if (!mongoUri) {
      try {
        const engine = await startEngine();
        stops.push(engine.stop);
        mongoUri = engine.uri;
      } catch (error) {
        mongoNote = `unavailable: ${error instanceof Error ? error.message : String(error)}`;
      }
    }

    const scenarios: Scenario[] = [await runScenario('transport (no MongoDB)', redisUrl, undefined)];
    const skipped: string[] = [];
    if (mongoUri) {
      const client = await new MongoClient(mongoUri).connect();
      stops.unshift(() => client.close());
      const dbName = `bench_events_${randomBytes(4).toString('hex')}`;
      try {
        scenarios.push(await runScenario('exactly-once (MongoDB transaction + processed-event record)', redisUrl, { client, dbName }));
      } catch (error) {
        skipped.push(`exactly-once: failed: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        if (process.env['MONGO_URI'])
          await client
            .db(dbName)
            .dropDatabase()
            .catch(() => undefined);
      }
    } else {
      skipped.push(`exactly-once: skipped, MongoDB ${mongoNote}`);
    }

    console.table(
      Object.fromEntries(
        scenarios.map((s) => [
          s.setup,
          {
            'events/s (emit → handler ack)': s.throughputEventsPerSec,
            [`steady target/s`]: s.steadyTargetRate,
            'steady achieved/s': s.steadyAchievedRate,
            'p50 ms': s.latencyP50Ms,
            'p99 ms': s.latencyP99Ms,
            'max ms': s.latencyMaxMs,
          },
        ]),
      ),
    );
    for (const line of skipped) process.stdout.write(`${line}\n`);

    const results = {
      benchmark: 'integration events end to end (emit → Redis Stream → consumer group → handler → ack)',
      date: new Date().toISOString(),
      node: process.version,
      redis: process.env['REDIS_URL'] ? 'REDIS_URL' : 'private redis-server',
      mongo: mongoNote,
      emitConcurrency: EMIT_CONCURRENCY,
      tenants: TENANTS,
      steadySeconds: SECONDS,
      scenarios,
      skipped,
    };
    const file = join(here, 'results', 'events.json');
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`wrote ${file}\n`);
  } finally {
    for (const stop of stops) await stop().catch(() => undefined);
  }
}

await main();
