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
 * the client to one core each, BENCH_TX_ONLY=1 to skip the load/page/point-read/insert/$inc parts
 * (100 documents are loaded; the transfer parts and their durability comparison still run).
 *
 * Transfers are measured four ways, one after the other in the same run: 16 sessions in this
 * process; the same against a second engine started with --dbpath (journal on disk, no fsync: the
 * cost durability adds); 16 sessions over TX_CLIENTS client processes started fresh for every
 * round (how this was measured before: a cold process spends its first seconds compiling the
 * driver's code and opening its pool, about three times the client CPU per transaction); and over
 * TX_CLIENTS client processes kept across rounds after an unrecorded warm-up round (the figure to
 * compare with one process). Each row also gives the client CPU per transaction and how many of the
 * machine's cores were busy (from /proc/stat, other work included): when that is near the core
 * count, the clients and the engine are sharing CPU and the engine CPU per transaction is the fair
 * comparison, not the wall-clock rate.
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
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { cpus, loadavg } from 'node:os';
import { type Collection, type Db, MongoClient } from 'mongodb';
import { startCli } from '../test/helpers/cli.js';
import { runTransferSessions } from './transfer-workload.js';

const TX_ONLY = process.env.BENCH_TX_ONLY === '1';
const DOCS = TX_ONLY ? 100 : Number(process.env.BENCH_DOCS ?? 1_000_000);
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

/** Busy and total CPU jiffies of the whole machine (every core, every process), from /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0); // user..steal (guest is inside user)
  const idle = fields[3]! + fields[4]!; // idle + iowait
  return { busy: total - idle, total };
}

/** Cores the whole machine kept busy between two readings (2 = both cores of a 2-core machine). */
function machineBusyCores(before: { busy: number; total: number }): number {
  const after = machineJiffies();
  const total = after.total - before.total;
  return total > 0 ? ((after.busy - before.busy) / total) * cpus().length : 0;
}

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
  /** Client CPU time per unit (summed over client processes). */
  clientCpuMicrosPerUnit: number;
  /** Cores the whole machine kept busy during the round (engine, clients and any other work). */
  machineBusyCores: number;
}

/** Measures `body` (which performs `units()` units of work) for engine CPU and wall time. */
async function measured(body: () => Promise<void>, units: () => number): Promise<Round> {
  const cpuBefore = cpuSeconds(enginePid);
  const clientBefore = process.cpuUsage();
  const machineBefore = machineJiffies();
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
    clientCpuMicrosPerUnit: (clientCpu / done) * 1e6,
    machineBusyCores: machineBusyCores(machineBefore),
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
  clientCpuMicrosPerUnit: number;
  machineBusyCores: number;
  /** 1-minute load average when the measurement started and ended. */
  loadAverage1m: [number, number];
}

async function medianOfRounds(label: string, round: (r: number) => Promise<Round>): Promise<Summary> {
  const rounds: Round[] = [];
  const loadBefore = loadavg()[0]!;
  for (let r = 0; r < ROUNDS; r += 1) rounds.push(await round(r));
  const cpu = median(rounds.map((x) => x.engineCpuMicrosPerUnit));
  const summary: Summary = {
    perSecond: median(rounds.map((x) => x.perSecond)),
    rounds: rounds.map((x) => Math.round(x.perSecond)),
    engineCpuMicrosPerUnit: cpu,
    engineBoundPerSecond: 1e6 / cpu,
    engineBusy: median(rounds.map((x) => x.engineBusy)),
    clientBusy: median(rounds.map((x) => x.clientBusy)),
    clientCpuMicrosPerUnit: median(rounds.map((x) => x.clientCpuMicrosPerUnit)),
    machineBusyCores: median(rounds.map((x) => x.machineBusyCores)),
    loadAverage1m: [loadBefore, loadavg()[0]!],
  };
  log(
    `${label}: ${summary.rounds.join(', ')} -> median ${Math.round(summary.perSecond)}; engine ${cpu.toFixed(0)} µs CPU each, ` +
      `busy ${(summary.engineBusy * 100).toFixed(0)}% of a core; client busy ${(summary.clientBusy * 100).toFixed(0)}%, ` +
      `${summary.clientCpuMicrosPerUnit.toFixed(0)} µs CPU each; machine ${summary.machineBusyCores.toFixed(2)} of ${cpus().length} cores busy; ` +
      `load ${summary.loadAverage1m[0].toFixed(2)} -> ${summary.loadAverage1m[1].toFixed(2)}`,
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
      rssMiBPerMillionDocuments: (((rssSettled - rssBefore) / DOCS) * 1_000_000) / 1024 / 1024,
    };
    log(`loaded ${DOCS} in ${loadSeconds.toFixed(1)} s; RSS ${(rssBefore / 2 ** 20).toFixed(0)} -> ${(rssSettled / 2 ** 20).toFixed(0)} MiB`);

    if (!TX_ONLY) await readAndWriteBenchmarks(db, pages, results);

    // --- 6. Transfer-shaped transactions: 2 conditional $inc + 3 inserts, 16 sessions. ---
    results.transfers = await transferBenchmark(client, 'transfer tx/s');
    // The same against an engine that keeps a journal (--dbpath): what durability costs.
    results.transfersDbpath = await dbpathTransferBenchmark();
    results.transfersMultiProcessCold = await multiProcessTransferBenchmark(client, engine.uri, true);
    results.transfersMultiProcess = await multiProcessTransferBenchmark(client, engine.uri, false);

    results.meta = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      pinnedEngineCore1ClientCore0: PIN,
      documents: DOCS,
      transfersOnly: TX_ONLY,
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

  if (TX_ONLY) {
    log('BENCH_TX_ONLY=1: results.json left as it was');
    printTransfers(results);
    return;
  }
  writeFileSync(RESULTS_PATH, `${JSON.stringify(results, null, 2)}\n`);
  printTable(results);
}

async function readAndWriteBenchmarks(db: Db, pages: Collection<{ _id: number; k: number; g: number; s: string }>, results: Record<string, unknown>): Promise<void> {
  // --- 2. Deep page vs first page through a range cursor on the indexed key. ---
  const pageAt = async (fromKey: number): Promise<number> => {
    const t = performance.now();
    const page = await pages
      .find({ k: { $gte: fromKey } })
      .sort({ k: 1 })
      .limit(PAGE_SIZE)
      .toArray();
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
}

type TransferSummary = Summary & { committed: number; attempts: number; sessions: number };
const TRANSFER_ACCOUNTS = 10_000;
/** Unrecorded warm-up before every transfer measurement, so each is measured in warm processes. */
const TX_WARMUP_SECONDS = 1;

async function transferBenchmark(client: MongoClient, label: string): Promise<TransferSummary> {
  const db = client.db('benchTransfers');
  const accounts = db.collection<{ _id: number; balance: number }>('accounts');
  const ledger = db.collection('ledger');
  const transfers = db.collection('transfers');
  await accounts.insertMany(Array.from({ length: TRANSFER_ACCOUNTS }, (_, i) => ({ _id: i, balance: 1_000_000 })));
  await ledger.createIndex({ account: 1, at: -1 });
  await db.createCollection('transfers');

  let attempts = 0;
  let committed = 0;
  const roundSeconds = Math.max(1, TX_SECONDS / ROUNDS);
  const run = (seconds: number, onCommit: () => void) =>
    runTransferSessions({
      client,
      db,
      sessions: CONCURRENCY,
      accountCount: TRANSFER_ACCOUNTS,
      deadline: performance.now() + seconds * 1000,
      onAttempt: () => {},
      onCommit,
    });
  let warmupCommitted = 0;
  await run(TX_WARMUP_SECONDS, () => (warmupCommitted += 1));
  const summary = await medianOfRounds(label, () => {
    let roundCommitted = 0;
    return measured(
      async () => {
        await runTransferSessions({
          client,
          db,
          sessions: CONCURRENCY,
          accountCount: TRANSFER_ACCOUNTS,
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
  if (total?.total !== TRANSFER_ACCOUNTS * 1_000_000) throw new Error(`transfer benchmark broke conservation: ${total?.total}`);
  if ((await transfers.countDocuments()) !== committed + warmupCommitted) throw new Error('transfer count does not match commits');
  log(`${label}: ${attempts} attempts for ${committed} commits`);
  return { ...summary, committed, attempts, sessions: CONCURRENCY };
}

/**
 * Transfers in this process against a second engine started with --dbpath (a fresh temporary
 * directory; journal written for every commit group, no fsync): set beside the in-memory figure,
 * it is what durability costs per transaction.
 */
async function dbpathTransferBenchmark(): Promise<TransferSummary & { journalBytes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'embedded-mongo-bench-'));
  const engine = await startCli(['--port', '0', '--dbpath', dir]);
  if (PIN) pin(engine.pid, 1);
  const memoryEnginePid = enginePid;
  enginePid = engine.pid;
  const client = await new MongoClient(engine.uri, { maxPoolSize: CONCURRENCY * 2 }).connect();
  try {
    const summary = await transferBenchmark(client, 'transfer tx/s (--dbpath)');
    const journalBytes = journalSize(dir);
    log(`--dbpath journal: ${(journalBytes / 2 ** 20).toFixed(1)} MiB after ${summary.committed} measured commits`);
    return { ...summary, journalBytes };
  } finally {
    enginePid = memoryEnginePid;
    await client.close();
    engine.child.kill('SIGTERM');
    await engine.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

function journalSize(dir: string): number {
  let bytes = 0;
  for (const name of execFileSync('find', [dir, '-type', 'f'], { encoding: 'utf8' }).split('\n').filter(Boolean)) bytes += statSync(name).size;
  return bytes;
}

interface TransferClient {
  child: ReturnType<typeof spawn>;
  nextLine(): Promise<string>;
}

function startTransferClient(uri: string, sessions: number): TransferClient {
  const script = fileURLToPath(new URL('./transfer-client.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, uri, 'benchTransfers', String(sessions), String(TRANSFER_ACCOUNTS)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  if (PIN) pin(child.pid!, 0);
  const lines = createInterface({ input: child.stdout! });
  const queued: string[] = [];
  const waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  lines.on('line', (line) => {
    const waiter = waiting.shift();
    if (waiter) waiter.resolve(line);
    else queued.push(line);
  });
  child.once('exit', (code) => {
    for (const waiter of waiting.splice(0)) waiter.reject(new Error(`transfer client exited with ${code}`));
  });
  return {
    child,
    nextLine: () =>
      queued.length > 0
        ? Promise.resolve(queued.shift()!)
        : child.exitCode !== null
          ? Promise.reject(new Error(`transfer client exited with ${child.exitCode}`))
          : new Promise((resolve, reject) => waiting.push({ resolve, reject })),
  };
}

async function stopTransferClients(clients: TransferClient[]): Promise<void> {
  await Promise.all(
    clients.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.stdin!.end();
        }),
    ),
  );
}

/** One round over `clients` (already `ready`): engine, client and machine CPU for the round. */
async function transferClientsRound(clients: TransferClient[], seconds: number): Promise<Round> {
  const results = clients.map((c) => c.nextLine());
  const engineBefore = cpuSeconds(enginePid);
  const machineBefore = machineJiffies();
  const started = performance.now();
  for (const { child } of clients) child.stdin!.write(`go ${seconds}\n`);
  const outputs = (await Promise.all(results)).map((line) => JSON.parse(line) as { committed: number; attempts: number; cpuSeconds: number });
  const elapsed = (performance.now() - started) / 1000;
  const engineCpu = cpuSeconds(enginePid) - engineBefore;
  const machine = machineBusyCores(machineBefore);
  const committed = outputs.reduce((sum, o) => sum + o.committed, 0);
  const clientCpu = outputs.reduce((sum, o) => sum + o.cpuSeconds, 0);
  return {
    perSecond: committed / elapsed,
    units: committed,
    seconds: elapsed,
    engineCpuMicrosPerUnit: (engineCpu / committed) * 1e6,
    engineBusy: engineCpu / elapsed,
    clientBusy: clientCpu / elapsed,
    clientCpuMicrosPerUnit: (clientCpu / committed) * 1e6,
    machineBusyCores: machine,
    attempts: outputs.reduce((sum, o) => sum + o.attempts, 0),
  } as Round & { attempts: number };
}

/**
 * The same transfers from TX_CLIENTS client processes (16 sessions in all). `cold`: fresh
 * processes for every round, measured from their first transaction (how this was measured
 * before); otherwise the processes are started once, run an unrecorded warm-up round and serve
 * every measured round, as the single-process measurement's process does.
 */
async function multiProcessTransferBenchmark(
  client: MongoClient,
  uri: string,
  cold: boolean,
): Promise<Summary & { committed: number; attempts: number; sessions: number; clientProcesses: number; coldProcessesEachRound: boolean }> {
  const db = client.db('benchTransfers');
  const transfersBefore = await db.collection('transfers').countDocuments();
  const roundSeconds = Math.max(1, TX_SECONDS / ROUNDS);
  const sessionsEach = Math.ceil(CONCURRENCY / TX_CLIENTS);
  let committed = 0;
  let attempts = 0;
  const count = (round: Round): Round => {
    committed += round.units;
    attempts += (round as Round & { attempts: number }).attempts;
    return round;
  };
  const startAll = async (): Promise<TransferClient[]> => {
    const clients = Array.from({ length: TX_CLIENTS }, () => startTransferClient(uri, sessionsEach));
    const ready = await Promise.all(clients.map((c) => c.nextLine())); // every client connected
    if (ready.some((line) => line !== 'ready')) throw new Error(`transfer client said ${ready.join(', ')}`);
    return clients;
  };
  const label = `transfer tx/s (${TX_CLIENTS} client processes, ${cold ? 'fresh each round' : 'kept, warmed up'})`;
  let summary: Summary;
  if (cold) {
    summary = await medianOfRounds(label, async () => {
      const clients = await startAll();
      try {
        return count(await transferClientsRound(clients, roundSeconds));
      } finally {
        await stopTransferClients(clients);
      }
    });
  } else {
    const clients = await startAll();
    try {
      count(await transferClientsRound(clients, TX_WARMUP_SECONDS));
      const warmupCommitted = committed;
      const warmupAttempts = attempts;
      summary = await medianOfRounds(label, async () => count(await transferClientsRound(clients, roundSeconds)));
      // Only the measured rounds are reported; the warm-up's commits still count for the checks below.
      const measuredCommitted = committed - warmupCommitted;
      const measuredAttempts = attempts - warmupAttempts;
      const [total] = await db
        .collection('accounts')
        .aggregate<{ total: number }>([{ $group: { _id: null, total: { $sum: '$balance' } } }])
        .toArray();
      if (total?.total !== TRANSFER_ACCOUNTS * 1_000_000) throw new Error(`multi-process transfers broke conservation: ${total?.total}`);
      if ((await db.collection('transfers').countDocuments()) !== transfersBefore + committed) throw new Error('transfer count does not match commits');
      return { ...summary, committed: measuredCommitted, attempts: measuredAttempts, sessions: CONCURRENCY, clientProcesses: TX_CLIENTS, coldProcessesEachRound: false };
    } finally {
      await stopTransferClients(clients);
    }
  }
  const [total] = await db
    .collection('accounts')
    .aggregate<{ total: number }>([{ $group: { _id: null, total: { $sum: '$balance' } } }])
    .toArray();
  if (total?.total !== TRANSFER_ACCOUNTS * 1_000_000) throw new Error(`multi-process transfers broke conservation: ${total?.total}`);
  if ((await db.collection('transfers').countDocuments()) !== transfersBefore + committed) throw new Error('transfer count does not match commits');
  return { ...summary, committed, attempts, sessions: CONCURRENCY, clientProcesses: TX_CLIENTS, coldProcessesEachRound: true };
}

function gitHead(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const HEADER = ['measure', 'measured', 'engine CPU/unit', 'engine-bound /s', 'engine / client busy', 'client CPU/unit', 'machine cores busy', 'load 1m', 'aim'];
const throughputRow = (label: string, summary: Summary, aim = ''): string[] => [
  label,
  fmt(summary.perSecond),
  `${fmt(summary.engineCpuMicrosPerUnit)} µs`,
  fmt(summary.engineBoundPerSecond),
  `${Math.round(summary.engineBusy * 100)}% / ${Math.round(summary.clientBusy * 100)}%`,
  `${fmt(summary.clientCpuMicrosPerUnit)} µs`,
  `${summary.machineBusyCores.toFixed(2)} of ${cpus().length}`,
  `${summary.loadAverage1m[0].toFixed(1)}–${summary.loadAverage1m[1].toFixed(1)}`,
  aim,
];
const transferRows = (results: Record<string, any>): string[][] => [
  throughputRow(`transfer transactions (${CONCURRENCY} sessions), tx/s`, results.transfers, '>= 1,500'),
  throughputRow(`  same, engine with --dbpath (journal, no fsync), tx/s`, results.transfersDbpath),
  throughputRow(`  same, ${CONCURRENCY} sessions over ${TX_CLIENTS} client processes fresh each round (as before), tx/s`, results.transfersMultiProcessCold),
  throughputRow(`  same, ${CONCURRENCY} sessions over ${TX_CLIENTS} client processes kept and warmed up, tx/s`, results.transfersMultiProcess, '>= 1,500'),
];

function printRows(rows: string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => `| ${widths.map((w, c) => (r[c] ?? '').padEnd(w)).join(' | ')} |`;
  console.log(line(rows[0]!));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows.slice(1)) console.log(line(row));
}

function printTransfers(results: Record<string, any>): void {
  printRows([HEADER, ...transferRows(results)]);
  const meta = results.meta as { loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  console.log(`\nMachine load average (1 min): ${meta.loadAverageAtStart[0]!.toFixed(2)} at start, ${meta.loadAverageAtEnd[0]!.toFixed(2)} at end, on ${cpus().length} cores.`);
}

function printTable(results: Record<string, any>): void {
  /** A row without throughput columns: label, figure, aim in the last column. */
  const plain = (label: string, figure: string, aim = ''): string[] => [label, figure, ...Array<string>(HEADER.length - 3).fill(''), aim];
  const rows: string[][] = [
    HEADER,
    throughputRow('insertMany (batches of 1,000), docs/s', results.insertMany),
    plain(`insertMany while loading ${fmt(DOCS)} docs, docs/s`, fmt(results.load.insertManyDocsPerSecond)),
    throughputRow(`insertOne (${CONCURRENCY} concurrent), ops/s`, results.insertOne),
    throughputRow(`indexed point reads (${CONCURRENCY} concurrent), ops/s`, results.pointReads),
    throughputRow(`$inc updates by _id (${CONCURRENCY} concurrent), ops/s`, results.incUpdates),
    ...transferRows(results),
    plain(
      `deep/first page ratio (offset ${fmt(results.pagination.deepOffset)})`,
      `${results.pagination.ratio.toFixed(2)} (${results.pagination.deepPageMedianMs.toFixed(2)} / ${results.pagination.firstPageMedianMs.toFixed(2)} ms)`,
      '<= 1.5',
    ),
    plain(`unindexed lookup of the last of ${fmt(DOCS)} docs (contrast)`, `${results.pagination.unindexedLookupMedianMs.toFixed(1)} ms`),
    plain('engine RSS per small document', `${fmt(results.load.rssBytesPerDocument)} B (${fmt(results.load.rssMiBPerMillionDocuments)} MiB per 1M)`, '< 1,024 B'),
  ];
  printRows(rows);
  const meta = results.meta as { loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
  console.log(
    `\n"measured" is what the client process(es) got; client busy and client CPU are summed over client processes; "engine-bound" is 1 s divided by the engine's own CPU time per unit,` +
      `\nthe rate the engine would sustain on a core of its own if clients kept up; "machine cores busy" counts every process on the machine (other work too). Machine load average (1 min):` +
      ` ${meta.loadAverageAtStart[0]!.toFixed(2)} at start, ${meta.loadAverageAtEnd[0]!.toFixed(2)} at end, on ${cpus().length} cores.`,
  );
  console.log(`results written to ${RESULTS_PATH}`);
}

await main();
