/**
 * Deep-page versus first-page cost of `paginateCollection` (issue 4: aim <= 1.5 on 1M documents).
 *
 *   npx tsx --conditions=source bench/pagination.bench.ts          # 1,000,000 documents
 *   BENCH_DOCS=200000 BENCH_DEPTH=1000 npx tsx --conditions=source bench/pagination.bench.ts
 *
 * Starts the embedded engine in a child process (or uses MONGO_URI), loads BENCH_DOCS documents
 * with an index on { createdAt: -1, _id: -1 }, walks BENCH_DEPTH pages by cursor, then times the
 * first page and the deep page (re-fetched with its cursor) and writes bench/results/pagination.json.
 * For contrast it also times the same deep page reached with `skip`, the approach the cursor avoids.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient, ObjectId, type Collection } from 'mongodb';
import { paginateCollection } from '../src/pagination/index.js';
import { spawnEmbeddedMongo } from 'embedded-mongo';

interface Payment {
  _id: ObjectId;
  createdAt: Date;
  userId: string;
  amount: number;
}

const here = dirname(fileURLToPath(import.meta.url));
const DOCS = Number(process.env['BENCH_DOCS'] ?? 1_000_000);
const DEPTH = Number(process.env['BENCH_DEPTH'] ?? 1_000);
const PAGE_SIZE = Number(process.env['BENCH_PAGE_SIZE'] ?? 20);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 100);
const BATCH = 10_000;
const SORT = { createdAt: -1 } as const;

async function startEngine(): Promise<{ uri: string; stop: () => Promise<void> }> {
  return spawnEmbeddedMongo();
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Medians of several operations measured in alternation (a, b, a, b, ...), so drift in the
 * server (garbage collection, background work after the load) hits every operation alike.
 */
async function timeMedians(runs: number, operations: Array<() => Promise<unknown>>): Promise<number[]> {
  for (let warm = 0; warm < 5; warm += 1) for (const operation of operations) await operation();
  const samples: number[][] = operations.map(() => []);
  for (let run = 0; run < runs; run += 1) {
    for (const [index, operation] of operations.entries()) {
      const started = performance.now();
      await operation();
      samples[index]!.push(performance.now() - started);
    }
  }
  return samples.map(median);
}

async function load(payments: Collection<Payment>): Promise<number> {
  const started = performance.now();
  await payments.createIndex({ createdAt: -1, _id: -1 });
  const base = Date.UTC(2026, 0, 1);
  for (let offset = 0; offset < DOCS; offset += BATCH) {
    const batch: Payment[] = [];
    for (let n = offset; n < Math.min(offset + BATCH, DOCS); n += 1) {
      // Three documents per millisecond: equal sort values, so the _id tie-breaker is exercised.
      batch.push({ _id: new ObjectId(), createdAt: new Date(base + Math.floor(n / 3)), userId: `u${n % 1000}`, amount: n % 10_000 });
    }
    await payments.insertMany(batch, { ordered: false });
    if ((offset / BATCH) % 10 === 9) process.stdout.write(`  loaded ${offset + BATCH} documents\n`);
  }
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const external = process.env['MONGO_URI'];
  const engine = external ? { uri: external, stop: async () => {} } : await startEngine();
  const client = await new MongoClient(engine.uri, { minPoolSize: 0 }).connect();
  const payments = client.db(`bench_pagination_${Date.now()}`).collection<Payment>('payments');
  try {
    process.stdout.write(`loading ${DOCS} documents into ${external ? 'MONGO_URI' : 'the embedded engine'}...\n`);
    const loadSeconds = await load(payments);

    const walkStarted = performance.now();
    let after: string | undefined;
    let deepCursor: string | undefined;
    for (let page = 1; page < DEPTH; page += 1) {
      const result = await paginateCollection(payments, { first: PAGE_SIZE, sort: SORT, ...(after ? { after } : {}) });
      if (!result.pageInfo.hasNextPage) throw new Error(`only ${page} pages of ${PAGE_SIZE}: raise BENCH_DOCS or lower BENCH_DEPTH`);
      after = result.pageInfo.endCursor!;
    }
    deepCursor = after;
    const walkSeconds = (performance.now() - walkStarted) / 1000;

    const [firstPageMs, deepPageMs] = (await timeMedians(RUNS, [
      () => paginateCollection(payments, { first: PAGE_SIZE, sort: SORT }),
      () => paginateCollection(payments, { first: PAGE_SIZE, sort: SORT, after: deepCursor }),
    ])) as [number, number];
    const skip = (DEPTH - 1) * PAGE_SIZE;
    const [skipPageMs] = (await timeMedians(Math.min(RUNS, 5), [() => payments.find({}, { sort: { createdAt: -1, _id: -1 }, skip, limit: PAGE_SIZE + 1 }).toArray()])) as [number];

    // Same documents either way: the cursor lands exactly where skip does.
    const viaCursor = await paginateCollection(payments, { first: PAGE_SIZE, sort: SORT, after: deepCursor });
    const viaSkip = await payments.find({}, { sort: { createdAt: -1, _id: -1 }, skip, limit: PAGE_SIZE }).toArray();
    const samePage = viaCursor.nodes.every((node, index) => node._id.equals(viaSkip[index]!._id));

    const ratio = deepPageMs / firstPageMs;
    const results = {
      benchmark: 'paginateCollection deep page vs first page',
      date: new Date().toISOString(),
      server: external ? 'MONGO_URI' : 'embedded-mongo (child process)',
      documents: DOCS,
      pageSize: PAGE_SIZE,
      deepPage: DEPTH,
      runs: RUNS,
      sort: { ...SORT, _id: -1 },
      index: { createdAt: -1, _id: -1 },
      loadSeconds: Number(loadSeconds.toFixed(1)),
      walkSeconds: Number(walkSeconds.toFixed(1)),
      firstPageMedianMs: Number(firstPageMs.toFixed(3)),
      deepPageMedianMs: Number(deepPageMs.toFixed(3)),
      ratio: Number(ratio.toFixed(3)),
      aim: 1.5,
      meetsAim: ratio <= 1.5,
      skipDeepPageMedianMs: Number(skipPageMs.toFixed(3)),
      cursorPageEqualsSkipPage: samePage,
    };

    console.table({
      'first page (median ms)': results.firstPageMedianMs,
      [`page ${DEPTH} by cursor (median ms)`]: results.deepPageMedianMs,
      'ratio deep / first (aim <= 1.5)': results.ratio,
      [`page ${DEPTH} by skip (median ms, contrast)`]: results.skipDeepPageMedianMs,
    });
    const file = join(here, 'results', 'pagination.json');
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`wrote ${file}\n`);
    if (!samePage) throw new Error('the deep page reached by cursor differs from the one reached by skip');
  } finally {
    // A real server keeps what it is given; the embedded engine's data dies with its process.
    if (external) await payments.db.dropDatabase();
    await client.close();
    await engine.stop();
  }
}

await main();
