/**
 * Benchmark of the embedded engine through the official driver.
 *
 *   npm run bench -w embedded-mongo            # full run (1,000,000 documents for the page/RSS figures)
 *   BENCH_DOCS=100000 npm run bench -w embedded-mongo   # quick run
 *
 * Environment: BENCH_DOCS (default 1000000), BENCH_ROUNDS (default 3), BENCH_ROUND_SECONDS (default 3,
 * the length of each throughput round), BENCH_TX_SECONDS (default 8, split over the rounds),
 * BENCH_TX_CLIENTS (default 2: client processes sharing the 16 sessions in the second transfer
 * measurement, since one driver process saturates its core first), BENCH_PIN=1 to pin the engine and
 * the client to one core each.
 *
 * Process layout: the engine runs as its own process (the CLI, exactly as services use it) and this
 * script is the single client process, so on the 2-core machines we develop on each gets a core of
 * its own and neither's event loop delays the other's. They are not pinned by default: measured on
 * a shared, busy machine, pinning (engine to core 1, client to core 0) cut the measured rates by
 * half because the scheduler could no longer move either away from other work; BENCH_PIN=1 pins
 * them for runs on a quiet machine. Next to each measured rate the table gives the engine's own CPU
 * time per operation (from /proc/<pid>/stat) and the rate that implies for the engine on one core,
 * which stays meaningful when the client or the machine is the bottleneck. Throughput figures are
 * medians of BENCH_ROUNDS time-boxed rounds; page costs are medians over 101 repeats.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { cpus, loadavg } from 'node:os';
import { MongoClient } from 'mongodb';
import { startCli } from '../test/helpers/cli.js';
import { runTransferSessions } from './transfer-workload.js';

const DOCS = Number(process.env.BENCH_DOCS ?? 1_000_000);
const TX_SECONDS = Number(process.env.BENCH_TX_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 3);
const PIN = process.env.BENCH_PIN === '1' && cpus().length >= 2 && hasTaskset();
const CONCURRENCY = 16;
/** Client processes sharing the 16 sessions in the second transfer measurement. */
const TX_CLIENTS = Number(process.env.BENCH_TX_CLIENTS ?? 2);
const PAGE_SIZE = 50;
const RESULTS_PATH = fileURLToPath(new URL('./results.json', import.meta.url));

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function pin(pid: number, core: number): void {
  // -a: every thread of the process (V8 GC and libuv threads too).
  execFileSync('taskset', ['-a', '-p', '-c', String(core), String(pid)], { stdio: 'ignore' });
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

let enginePid = 0;

/** CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}
const CLOCK_TICKS_PER_SECOND = 100;

interface Round {
  perSecond: number;
  units: number;
  seconds: number;
  /** Engine CPU time per unit: what one operation costs the engine, independent of client speed. */
  engineCpuMicrosPerUnit: number;
  /** Share of one core the engine used during the round (1 = saturated). */
  engineBusy: number;
  /** Share of one core this client process used (near 1: the client, not the engine, limits the rate). */
  clientBusy: number;
}

/** Measures `body` (which performs `units()` units of work) for engine CPU and wall time. */
async function measured(body: () => Promise<void>, units: () => number): Promise<Round> {
  const cpuBefore = cpuSeconds(enginePid);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  await body();
  const seconds = (performance.now() - started) / 1000;
  const engineCpu = cpuSeconds(enginePid) - cpuBefore;
  const clientUsage = process.cpuUsage(clientBefore);
  const clientCpu = (clientUsage.user + clientUsage.system) / 1e6;
  const done = units();
  return {
    perSecond: done / seconds,
    units: done,
    seconds,
    engineCpuMicrosPerUnit: (engineCpu / done) * 1e6,
    engineBusy: engineCpu / seconds,
    clientBusy: clientCpu / seconds,
  };
}

/**
 * Runs `op` from `concurrency` loops for `seconds` (time-boxed, so a slow engine still finishes
 * in minutes); each op counts as `unitsPerOp` units (documents for insertMany).
 */
function throughput(seconds: number, concurrency: number, op: (i: number) => Promise<void>, unitsPerOp = 1): Promise<Round> {
  let next = 0;
  let done = 0;
  return measured(
    async () => {
      const deadline = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < deadline) {
            await op(next++);
            done += 1;
          }
        }),
      );
    },
    () => done * unitsPerOp,
  );
}

interface Summary {
  perSecond: number;
  rounds: number[];
  engineCpuMicrosPerUnit: number;
  /** What the engine could sustain if it had one core to itself: 1e6 / engineCpuMicrosPerUnit. */
  engineBoundPerSecond: number;
  engineBusy: number;
  clientBusy: number;
}

async function medianOfRounds(label: string, round: (r: number) => Promise<Round>): Promise<Summary> {
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r += 1) rounds.push(await round(r));
  const cpu = median(rounds.map((x) => x.engineCpuMicrosPerUnit));
  const summary: Summary = {
    perSecond: median(rounds.map((x) => x.perSecond)),
    rounds: rounds.map((x) => Math.round(x.perSecond)),
    engineCpuMicrosPerUnit: cpu,
    engineBoundPerSecond: 1e6 / cpu,
    engineBusy: median(rounds.map((x) => x.engineBusy)),
    clientBusy: median(rounds.map((x) => x.clientBusy)),
  };
  log(
    `${label}: ${summary.rounds.join(', ')} -> median ${Math.round(summary.perSecond)}; engine ${cpu.toFixed(0)} µs CPU each, ` +
      `busy ${(summary.engineBusy * 100).toFixed(0)}% of a core; client busy ${(summary.clientBusy * 100).toFixed(0)}%`,
  );
  return summary;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function randomInt(n: number): number {
  return Math.floor(Math.random() * n);
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  // Other work on the machine skews every figure; record how busy it was.
  const loadAtStart = loadavg();
  const engine = await startCli(['--port', '0']);
  if (PIN) {
    pin(engine.pid, 1);
    pin(process.pid, 0);
  }
  enginePid = engine.pid;
  log(`engine pid ${engine.pid} at ${engine.uri}; pinned: ${PIN}; documents: ${DOCS}`);
  const client = await new MongoClient(engine.uri, { maxPoolSize: CONCURRENCY * 2 }).connect();
  const db = client.db('bench');
  const results: Record<string, unknown> = {};

  try {
    // --- 1. Load DOCS small documents into an indexed collection; RSS before and after. ---
    const pages = db.collection<{ _id: number; k: number; g: number; s: string }>('pages');
    await pages.createIndex({ k: 1 });
    const rssBefore = rssBytes(engine.pid);
    const batch = 10_000;
    const loadStarted = performance.now();
    let loaded = 0;
    await Promise.all(
      Array.from({ length: 2 }, async () => {
        for (;;) {
          const from = loaded;
          if (from >= DOCS) return;
          loaded = Math.min(DOCS, from + batch);
          const docs = [];
          // Keys are shuffled relative to _id so the k index, not insertion order, gives the sort.
          for (let i = from; i < loaded; i += 1) docs.push({ _id: i, k: (i * 7919) % DOCS, g: i % 100, s: `item-${i}` });
          await pages.insertMany(docs, { ordered: false });
        }
      }),
    );
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const rssAfterLoad = rssBytes(engine.pid);
    // Let the engine's GC catch up with the load's garbage before reading the resident size again.
    await client.db('admin').command({ ping: 1 });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const rssSettled = rssBytes(engine.pid);
    const count = await pages.estimatedDocumentCount();
    if (count !== DOCS) throw new Error(`loaded ${count} documents, expected ${DOCS}`);
    results.load = {
      documents: DOCS,
      seconds: loadSeconds,
      insertManyDocsPerSecond: DOCS / loadSeconds,
      rssBeforeBytes: rssBefore,
      rssAfterLoadBytes: rssAfterLoad,
      rssSettledBytes: rssSettled,
      rssBytesPerDocument: (rssSettled - rssBefore) / DOCS,
      rssBytesPerDocumentImmediate: (rssAfterLoad - rssBefore) / DOCS,
      rssMiBPerMillionDocuments: ((rssSettled - rssBefore) / DOCS) * 1_000_000 / 1024 / 1024,
    };
    log(`loaded ${DOCS} in ${loadSeconds.toFixed(1)} s; RSS ${(rssBefore / 2 ** 20).toFixed(0)} -> ${(rssSettled / 2 ** 20).toFixed(0)} MiB`);

    // --- 2. Deep page vs first page through a range cursor on the indexed key. ---
    const pageAt = async (fromKey: number): Promise<number> => {
      const t = performance.now();
      const page = await pages.find({ k: { $gte: fromKey } }).sort({ k: 1 }).limit(PAGE_SIZE).toArray();
      const elapsed = performance.now() - t;
      if (page.length !== Math.min(PAGE_SIZE, DOCS - fromKey) || page[0]?.k !== fromKey) {
        throw new Error(`wrong page at ${fromKey}: ${page.length} docs starting at ${page[0]?.k}`);
      }
      return elapsed;
    };
    const deepKey = Math.max(0, DOCS - PAGE_SIZE);
    for (let i = 0; i < 10; i += 1) {
      await pageAt(0);
      await pageAt(deepKey);
    }
    const firstTimes: number[] = [];
    const deepTimes: number[] = [];
    for (let i = 0; i < 101; i += 1) {
      firstTimes.push(await pageAt(0));
      deepTimes.push(await pageAt(deepKey));
    }
    const firstMs = median(firstTimes);
    const deepMs = median(deepTimes);
    // The same lookup on an unindexed field, for contrast: what the pages would cost without the index.
    const scanTimes: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const wanted = `item-${DOCS - 1 - i}`;
      const t = performance.now();
      const found = await pages.find({ s: wanted }).limit(1).toArray();
      scanTimes.push(performance.now() - t);
      if (found[0]?.s !== wanted) throw new Error(`unindexed lookup of ${wanted} missed`);
    }
    const scanMs = median(scanTimes);
    results.pagination = {
      pageSize: PAGE_SIZE,
      deepOffset: deepKey,
      firstPageMedianMs: firstMs,
      deepPageMedianMs: deepMs,
      ratio: deepMs / firstMs,
      unindexedLookupMedianMs: scanMs,
    };
    log(`first page ${firstMs.toFixed(3)} ms, deep page ${deepMs.toFixed(3)} ms; unindexed lookup of the last document ${scanMs.toFixed(1)} ms`);

    // --- 3. Indexed point reads on the loaded collection. ---
    results.pointReads = await medianOfRounds('point reads/s', () =>
      throughput(ROUND_SECONDS, CONCURRENCY, async () => {
        const k = randomInt(DOCS);
        const doc = await pages.findOne({ k });
        if (doc?.k !== k) throw new Error(`point read of ${k} missed`);
      }),
    );

    // --- 4. insertMany (batches of 1,000) and single insertOne. ---
    results.insertMany = await medianOfRounds('insertMany docs/s', async (r) => {
      const coll = db.collection(`insertMany${r}`);
      return throughput(
        ROUND_SECONDS,
        2,
        async (b) => {
          await coll.insertMany(Array.from({ length: 1_000 }, (_, i) => ({ b, i, s: 'payload-0123456789' })));
        },
        1_000,
      );
    });
    results.insertOne = await medianOfRounds('insertOne/s', async (r) => {
      const coll = db.collection(`insertOne${r}`);
      return throughput(ROUND_SECONDS, CONCURRENCY, async (i) => {
        await coll.insertOne({ i, s: 'payload-0123456789' });
      });
    });

    // --- 5. $inc updates by _id. ---
    const counters = db.collection<{ _id: number; n: number }>('counters');
    await counters.insertMany(Array.from({ length: 10_000 }, (_, i) => ({ _id: i, n: 0 })));
    results.incUpdates = await medianOfRounds('$inc updates/s', () =>
      throughput(ROUND_SECONDS, CONCURRENCY, async () => {
        const result = await counters.updateOne({ _id: randomInt(10_000) }, { $inc: { n: 1 } });
        if (result.modifiedCount !== 1) throw new Error('$inc did not modify');
      }),
    );

    // --- 6. Transfer-shaped transactions: 2 conditional $inc + 3 inserts, 16 sessions. ---
    results.transfers = await transferBenchmark(client);
    results.transfersMultiProcess = await multiProcessTransferBenchmark(client, engine.uri);

    results.meta = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      pinnedEngineCore1ClientCore0: PIN,
      documents: DOCS,
      rounds: ROUNDS,
      concurrency: CONCURRENCY,
      totalSeconds: (Date.now() - startedAt) / 1000,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadavg(),
      commit: gitHead(),
    };
  } finally {
    await client.close();
    engine.child.kill('SIGTERM');
    await engine.exited;
  }

  writeFileSync(RESULTS_PATH, `${JSON.stringify(results, null, 2)}\n`);
  printTable(results);
}

async function transferBenchmark(client: MongoClient): Promise<Summary & { committed: number; attempts: number; sessions: number }> {
  const db = client.db('benchTransfers');
  const accounts = db.collection<{ _id: number; balance: number }>('accounts');
  const ledger = db.collection('ledger');
  const transfers = db.collection('transfers');
  const ACCOUNTS = 10_000;
  await accounts.insertMany(Array.from({ length: ACCOUNTS }, (_, i) => ({ _id: i, balance: 1_000_000 })));
  await ledger.createIndex({ account: 1, at: -1 });
  await db.createCollection('transfers');

  let attempts = 0;
  let committed = 0;
  const roundSeconds = Math.max(1, TX_SECONDS / ROUNDS);
  const summary = await medianOfRounds('transfer tx/s', () => {
    let roundCommitted = 0;
    return measured(
      async () => {
        await runTransferSessions({
          client,
          db,
          sessions: CONCURRENCY,
          accountCount: ACCOUNTS,
          deadline: performance.now() + roundSeconds * 1000,
          onAttempt: () => (attempts += 1),
          onCommit: () => (roundCommitted += 1),
        });
        committed += roundCommitted;
      },
      () => roundCommitted,
    );
  });
  const [total] = await accounts.aggregate<{ total: number }>([{ $group: { _id: null, total: { $sum: '$balance' } } }]).toArray();
  if (total?.total !== ACCOUNTS * 1_000_000) throw new Error(`transfer benchmark broke conservation: ${total?.total}`);
  if ((await transfers.countDocuments()) !== committed) throw new Error('transfer count does not match commits');
  log(`transfers: ${attempts} attempts for ${committed} commits`);
  return { ...summary, committed, attempts, sessions: CONCURRENCY };
}

/**
 * The same transfers from TX_CLIENTS client processes (16 sessions in all): one driver process
 * runs out of CPU before the engine does, so this shows what the engine serves to several.
 */
async function multiProcessTransferBenchmark(
  client: MongoClient,
  uri: string,
): Promise<Summary & { committed: number; attempts: number; sessions: number; clientProcesses: number }> {
  const db = client.db('benchTransfers');
  const transfersBefore = await db.collection('transfers').countDocuments();
  const script = fileURLToPath(new URL('./transfer-client.ts', import.meta.url));
  const roundSeconds = Math.max(1, TX_SECONDS / ROUNDS);
  let committed = 0;
  let attempts = 0;
  const summary = await medianOfRounds(`transfer tx/s (${TX_CLIENTS} client processes)`, async () => {
    const children = Array.from({ length: TX_CLIENTS }, () =>
      spawn(process.execPath, ['--import', 'tsx', script, uri, 'benchTransfers', String(Math.ceil(CONCURRENCY / TX_CLIENTS)), String(roundSeconds), '10000'], {
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
    );
    const lines = children.map((child) => createInterface({ input: child.stdout! }));
    const nextLine = (i: number) => new Promise<string>((resolve, reject) => {
      lines[i]!.once('line', resolve);
      children[i]!.once('exit', (code) => reject(new Error(`transfer client exited with ${code}`)));
    });
    await Promise.all(children.map((_, i) => nextLine(i))); // every client connected and ready
    const results = children.map((_, i) => nextLine(i));
    const engineBefore = cpuSeconds(enginePid);
    const started = performance.now();
    for (const child of children) child.stdin!.write('go\n');
    const outputs = (await Promise.all(results)).map((line) => JSON.parse(line) as { committed: number; attempts: number; cpuSeconds: number });
    const seconds = (performance.now() - started) / 1000;
    const engineCpu = cpuSeconds(enginePid) - engineBefore;
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)))));
    const roundCommitted = outputs.reduce((sum, o) => sum + o.committed, 0);
    committed += roundCommitted;
    attempts += outputs.reduce((sum, o) => sum + o.attempts, 0);
    return {
      perSecond: roundCommitted / seconds,
      units: roundCommitted,
      seconds,
      engineCpuMicrosPerUnit: (engineCpu / roundCommitted) * 1e6,
      engineBusy: engineCpu / seconds,
      clientBusy: outputs.reduce((sum, o) => sum + o.cpuSeconds, 0) / seconds,
    };
  });
  const [total] = await db.collection('accounts').aggregate<{ total: number }>([{ $group: { _id: null, total: { $sum: '$balance' } } }]).toArray();
  if (total?.total !== 10_000 * 1_000_000) throw new Error(`multi-process transfers broke conservation: ${total?.total}`);
  if ((await db.collection('transfers').countDocuments()) !== transfersBefore + committed) throw new Error('transfer count does not match commits');
  return { ...summary, committed, attempts, sessions: CONCURRENCY, clientProcesses: TX_CLIENTS };
}

function gitHead(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

function printTable(results: Record<string, any>): void {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const throughputRow = (label: string, summary: Summary, aim = ''): string[] => [
    label,
    fmt(summary.perSecond),
    `${fmt(summary.engineCpuMicrosPerUnit)} µs`,
    fmt(summary.engineBoundPerSecond),
    `${Math.round(summary.engineBusy * 100)}% / ${Math.round(summary.clientBusy * 100)}%`,
    aim,
  ];
  const rows: string[][] = [
    ['measure', 'measured', 'engine CPU/unit', 'engine-bound /s', 'engine / client busy', 'aim'],
    throughputRow('insertMany (batches of 1,000), docs/s', results.insertMany),
    [`insertMany while loading ${fmt(DOCS)} docs, docs/s`, fmt(results.load.insertManyDocsPerSecond), '', '', '', ''],
    throughputRow(`insertOne (${CONCURRENCY} concurrent), ops/s`, results.insertOne),
    throughputRow(`indexed point reads (${CONCURRENCY} concurrent), ops/s`, results.pointReads),
    throughputRow(`$inc updates by _id (${CONCURRENCY} concurrent), ops/s`, results.incUpdates),
    throughputRow(`transfer transactions (${CONCURRENCY} sessions), tx/s`, results.transfers, '>= 1,500'),
    throughputRow(`  same, ${CONCURRENCY} sessions over ${TX_CLIENTS} client processes, tx/s`, results.transfersMultiProcess, '>= 1,500'),
    [
      `deep/first page ratio (offset ${fmt(results.pagination.deepOffset)})`,
      `${results.pagination.ratio.toFixed(2)} (${results.pagination.deepPageMedianMs.toFixed(2)} / ${results.pagination.firstPageMedianMs.toFixed(2)} ms)`,
      '',
      '',
      '',
      '<= 1.5',
    ],
    [`unindexed lookup of the last of ${fmt(DOCS)} docs (contrast)`, `${results.pagination.unindexedLookupMedianMs.toFixed(1)} ms`, '', '', '', ''],
    [
      'engine RSS per small document',
      `${fmt(results.load.rssBytesPerDocument)} B (${fmt(results.load.rssMiBPerMillionDocuments)} MiB per 1M)`,
      '',
      '',
      '',
      '< 1,024 B',
    ],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  console.log(line(rows[0]!));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows.slice(1)) console.log(line(row));
  const meta = results.meta as { loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  console.log(
    `\n"measured" is what the client process(es) got; client busy is summed over client processes; "engine-bound" is 1 s divided by the engine's own CPU time per unit,` +
      `\nthe rate the engine would sustain on a core of its own if clients kept up. Machine load average (1 min):` +
      ` ${meta.loadAverageAtStart[0]!.toFixed(2)} at start, ${meta.loadAverageAtEnd[0]!.toFixed(2)} at end, on ${cpus().length} cores.`,
  );
  console.log(`results written to ${RESULTS_PATH}`);
}

await main();
