/**
 * `npm run bench -w payment-service`: transfers per second and p50/p99 latency of one transfer,
 * at 16 and 64 concurrent clients, through
 *   (a) `createTransferWithTransactions` called directly (tracked, with outbox events, as the
 *       resolvers call it),
 *   (b) the subgraph over HTTP (`createTransfer` with a signed context, sent with the gateway's own
 *       subgraph fetcher, as the gateway sends it; `BENCH_HTTP_CLIENT=fetch` sends it with Node's
 *       built-in fetch instead, which costs the clients ~3 ms of CPU per request), served in the bench process (`subgraph`, its clients' `fetch` sharing that process) and
 *       from a process of its own (`subgraph-process`, as deployed; bench/subgraph-process.ts),
 *   (c) the same transfer as raw driver calls in one transaction (conditional debit, upserted
 *       credit, two ledger entries, the transfer with its idempotency key): the baseline;
 * each on spread traffic (random pairs among 200 wallets) and on contention (every transfer out
 * of one wallet). The engine runs in its own process (scripts/embedded-mongo), Redis is a private
 * redis-server. Each case also reports the CPU time per transfer of each process (bench: the
 * clients, and for the in-process modes the service and driver; engine; subgraph process), which
 * the machine's other work disturbs less than throughput. Writes bench/results.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt, randomUUID, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MongoClient, type Db } from 'mongodb';
import { Redis } from 'ioredis';
import { OperationStateTracker, createSubgraphFetcher, createTransferWithTransactions, getWalletId, newWalletFields, signUserContext, withTransaction } from 'core-service';
import { createPaymentService, type PaymentService } from '../src/service.js';

const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 5_000);
/**
 * `BENCH_ONLY=subgraph:spread:16` (comma-separated `mode:traffic:clients`, parts may be `*`) runs
 * those cases only, for a CPU profile of one path (`node --cpu-prof`); results.json is then not
 * written.
 */
const ONLY = (process.env['BENCH_ONLY'] ?? '')
  .split(',')
  .filter((part) => part !== '')
  .map((part) => part.split(':'));
/**
 * `BENCH_CPU_PROFILE_DIR=dir`: a CPU profile of this process (clients, service, driver) for each
 * case's measured window only, as `dir/<mode>-<traffic>-<clients>.cpuprofile` (start-up and
 * seeding left out); summarize with bench/profile-summary.ts.
 */
const PROFILE_DIR = process.env['BENCH_CPU_PROFILE_DIR'];
async function profiled<T>(name: string, fn: () => Promise<T>, subgraphProcess?: ChildProcess): Promise<T> {
  if (PROFILE_DIR === undefined) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  // The subgraph process profiles the same window, written as `<name>.subgraph-process.cpuprofile`.
  const remote = subgraphProcess === undefined ? undefined : await ask(subgraphProcess, { profile: 'start' });
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
    if (remote !== undefined) await ask(subgraphProcess!, { profile: 'stop', file: join(PROFILE_DIR, `${name}.subgraph-process.cpuprofile`) });
  }
}
/** Sends the subgraph process a message over its IPC channel and waits for its `{ done: true }`. */
function ask(child: ChildProcess, message: object): Promise<true> {
  return new Promise((resolve) => {
    child.once('message', () => resolve(true));
    child.send(message);
  });
}
const selected = (mode: string, traffic: string, clients: number): boolean =>
  ONLY.length === 0 || ONLY.some(([m = '*', t = '*', c = '*']) => (m === '*' || m === mode) && (t === '*' || t === traffic) && (c === '*' || c === String(clients)));
const WALLETS = 200;
/** How long the processes are watched idle before the cases. */
const IDLE_MS = 3_000;
/** `BENCH_CLIENTS=1,16` overrides (1 client: one transfer's own latency, nothing queued or conflicting). */
const CONCURRENCY = (process.env['BENCH_CLIENTS'] ?? '16,64').split(',').map(Number);
const SECRET = randomBytes(32).toString('hex');
const USER_PERMISSIONS = ['wallet:read:own', 'transfer:create:own'];
const HTTP_CLIENT = process.env['BENCH_HTTP_CLIENT'] === 'fetch' ? 'fetch' : 'subgraph-fetcher';

/** `helper-untracked`: the helper without crash tracking, to show what the tracking costs. */
type Mode = 'helper' | 'helper-untracked' | 'subgraph' | 'subgraph-process' | 'raw-driver';
type Traffic = 'spread' | 'one-wallet';
/** `loadAverage1m`: os.loadavg()[0] as the case ended (the machine is shared: other processes count). */
interface Figure {
  mode: Mode;
  traffic: Traffic;
  clients: number;
  transfers: number;
  refused: number;
  errors: number;
  transfersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  loadAverage1m: number;
  /** CPU µs per acknowledged transfer, per process over the case's window. */
  cpuMicrosPerTransfer: { bench: number; engine: number; subgraphProcess?: number };
  /**
   * Transactions the engine aborted per acknowledged transfer (serverStatus `transactions`):
   * the work lost to write conflicts, retried by the driver's or core-service's loop.
   */
  abortsPerTransfer: number;
}

/** The engine's count of aborted multi-document transactions so far. */
async function abortedTransactions(db: Db): Promise<number> {
  const { transactions } = await db.admin().command({ serverStatus: 1 });
  return Number(transactions.totalAborted);
}

/** CPU µs (user + system) a child process has used so far, from /proc/<pid>/stat (0 off Linux). */
function childCpuMicros(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them (clock ticks of 10 ms).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return 0;
  }
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(pattern);
      if (match) resolve(match);
    });
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before printing ${pattern}`)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 100) / 100;
}

/** Runs `clients` loops for DURATION_MS, each doing one transfer at a time. */
async function measure(
  clients: number,
  once: (client: number) => Promise<'ok' | 'refused'>,
): Promise<Omit<Figure, 'mode' | 'traffic' | 'clients' | 'loadAverage1m' | 'cpuMicrosPerTransfer' | 'abortsPerTransfer'>> {
  const latencies: number[] = [];
  let refused = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + DURATION_MS;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          if ((await once(client)) === 'ok') latencies.push(performance.now() - t0);
          else refused += 1;
        } catch (error) {
          errors += 1;
          if (errors <= 3) process.stderr.write(`bench error: ${error instanceof Error ? error.message : String(error)}\n`);
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1_000;
  latencies.sort((a, b) => a - b);
  return { transfers: latencies.length, refused, errors, transfersPerSecond: Math.round(latencies.length / elapsed), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

/** A fresh tenant whose 200 user wallets hold plenty (bench data, not a balanced book). */
const SEED_BALANCE = 1_000_000_000;

async function seedTenant(db: Db): Promise<{ tenantId: string; users: string[] }> {
  const tenantId = `bench_${randomUUID().slice(0, 8)}`;
  const users = Array.from({ length: WALLETS }, (_, i) => `${tenantId}-user-${i}`);
  const now = new Date();
  await db.collection('wallets').insertMany(users.map((userId) => ({ ...newWalletFields(tenantId, userId, 'EUR', now), balance: SEED_BALANCE })) as never[]);
  // The subgraph mode's createTransfer refuses parties the users projection does not know.
  await db
    .collection('projected_users')
    .insertMany(users.map((userId) => ({ _id: userId, userId, tenantId, email: null, emailKey: null, displayName: null, status: 'active', statusAt: now.getTime(), profileAt: 0 })) as never[]);
  return { tenantId, users };
}

/**
 * The money invariants after a case, so no speed-up can pass by weakening them: the tenant's
 * balances still sum to what was seeded, every wallet equals its seed plus its ledger entries,
 * every transfer has exactly two entries of opposite amounts, and there are as many transfers as
 * the clients were told succeeded (plus at most the ones whose answer was an error: those may
 * have committed). Throws (the bench fails) on any violation.
 */
async function checkBooks(db: Db, tenantId: string, acknowledged: number, errors: number): Promise<void> {
  const wallets = await db.collection<{ _id: string; balance: number }>('wallets').find({ tenantId }).toArray();
  const sums = new Map(
    (
      await db
        .collection('transactions')
        .aggregate<{ _id: string; sum: number }>([{ $match: { tenantId } }, { $group: { _id: '$walletId', sum: { $sum: '$amount' } } }])
        .toArray()
    ).map((row) => [row._id, row.sum]),
  );
  const problems: string[] = [];
  const total = wallets.reduce((sum, wallet) => sum + wallet.balance, 0);
  if (total !== WALLETS * SEED_BALANCE) problems.push(`balances sum to ${total}, seeded ${WALLETS * SEED_BALANCE}`);
  for (const wallet of wallets) {
    if (wallet.balance !== SEED_BALANCE + (sums.get(wallet._id) ?? 0)) problems.push(`wallet ${wallet._id}: ${wallet.balance} against ledger ${SEED_BALANCE + (sums.get(wallet._id) ?? 0)}`);
  }
  const pairs = await db
    .collection('transactions')
    .aggregate<{ _id: string; count: number; sum: number }>([
      { $match: { tenantId } },
      { $group: { _id: '$objectId', count: { $sum: 1 }, sum: { $sum: '$amount' } } },
      { $match: { $or: [{ count: { $ne: 2 } }, { sum: { $ne: 0 } }] } },
    ])
    .toArray();
  if (pairs.length > 0) problems.push(`${pairs.length} transfers without two opposite entries`);
  const transfers = await db.collection('transfers').countDocuments({ tenantId });
  if (transfers < acknowledged || transfers > acknowledged + errors) problems.push(`${transfers} transfers stored, ${acknowledged} acknowledged, ${errors} errors`);
  if (problems.length > 0) throw new Error(`books broken in ${tenantId}: ${problems.slice(0, 5).join('; ')}`);
}

function pickPair(users: string[], traffic: Traffic): [string, string] {
  const from = traffic === 'one-wallet' ? 0 : randomInt(users.length);
  const to = (from + 1 + randomInt(users.length - 1)) % users.length;
  return [users[from]!, users[to]!];
}

/** The baseline: what a transfer costs as bare driver calls, nothing else. */
async function rawTransfer(client: MongoClient, db: Db, tenantId: string, from: string, to: string, amount: number): Promise<'ok' | 'refused'> {
  return withTransaction({
    client,
    fn: async (session) => {
      const wallets = db.collection<{ _id: string }>('wallets');
      const now = new Date();
      const fromId = getWalletId(tenantId, from, 'EUR');
      const toId = getWalletId(tenantId, to, 'EUR');
      const debited = await wallets.findOneAndUpdate(
        { _id: fromId, $expr: { $gte: [{ $subtract: ['$balance', '$lockedBalance'] }, amount] } } as never,
        { $inc: { balance: -amount, version: 1 }, $set: { updatedAt: now } } as never,
        { session, returnDocument: 'after' },
      );
      if (debited === null) return 'refused';
      const credited = await wallets.findOneAndUpdate({ _id: toId }, { $inc: { balance: amount, version: 1 }, $set: { updatedAt: now } } as never, { session, upsert: true, returnDocument: 'after' });
      const id = randomUUID();
      await db.collection('transactions').insertMany(
        [
          { _id: randomUUID(), tenantId, walletId: fromId, amount: -amount, balance: (debited as never as { balance: number }).balance, objectId: id, createdAt: now },
          { _id: randomUUID(), tenantId, walletId: toId, amount, balance: (credited as never as { balance: number }).balance, objectId: id, createdAt: now },
        ] as never[],
        { session },
      );
      await db
        .collection('transfers')
        .insertOne({ _id: id, tenantId, fromUserId: from, toUserId: to, amount, currency: 'EUR', status: 'completed', idempotencyKey: randomUUID(), createdAt: now } as never, { session });
      return 'ok';
    },
  });
}

async function main(): Promise<void> {
  const loadAverageAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const children: ChildProcess[] = [];
  const stopAll = (): void => {
    for (const child of children) child.kill('SIGTERM');
  };
  process.on('exit', stopAll);
  try {
    // `BENCH_ENGINE_CPU_PROFILE_DIR=dir`: a CPU profile of the engine over the whole run (with BENCH_ONLY, one case and its seeding), written when it stops.
    const engineProfileDir = process.env['BENCH_ENGINE_CPU_PROFILE_DIR'];
    const engineFlags = engineProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${engineProfileDir}`];
    const engine = spawn(process.execPath, [...engineFlags, `${root}scripts/embedded-mongo/bin/embedded-mongo.js`, '--port', '0', '--replSet', 'rs0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(engine);
    const [, mongoUri] = await waitForLine(engine, /embedded-mongo ready (\S+)/);
    const redisPort = await freePort();
    const redisServer = spawn('redis-server', ['--port', String(redisPort), '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(redisServer);
    await waitForLine(redisServer, /Ready to accept connections/);

    const client = await new MongoClient(mongoUri!, { maxPoolSize: 200 }).connect();
    const redis = new Redis(`redis://127.0.0.1:${redisPort}`, { maxRetriesPerRequest: 1 });
    const db = client.db('bench_payment');
    const service: PaymentService = createPaymentService({ client, db, redis, keyPrefix: 'bench', streamKey: 'bench:events', port: 0, contextSecret: SECRET, reconciliationEveryMs: 0 });
    const { url } = await service.start();
    const tracker = service.deps.transferTracker;
    const subgraphProcess = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fileURLToPath(new URL('./subgraph-process.ts', import.meta.url))], {
      env: { ...process.env, BENCH_MONGO_URI: mongoUri!, BENCH_DB: db.databaseName, BENCH_REDIS_URL: `redis://127.0.0.1:${redisPort}`, BENCH_SECRET: SECRET, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    children.push(subgraphProcess);
    const send = HTTP_CLIENT === 'fetch' ? fetch : createSubgraphFetcher({ timeoutMs: 30_000 });
    const [, processUrl] = await waitForLine(subgraphProcess, /subgraph listening (\S+)/);

    // What each process burns with no transfer running (pollers, consumers, health reports): a
    // fixed cost per second, which a case's CPU-per-transfer figure includes divided by its rate.
    const idleBefore = { bench: process.cpuUsage(), engine: childCpuMicros(engine.pid), subgraph: childCpuMicros(subgraphProcess.pid) };
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const idleBench = process.cpuUsage(idleBefore.bench);
    const perSecond = (micros: number): number => Math.round(micros / IDLE_MS);
    const idleCpuMillisPerSecond = {
      bench: perSecond(idleBench.user + idleBench.system),
      engine: perSecond(childCpuMicros(engine.pid) - idleBefore.engine),
      subgraphProcess: perSecond(childCpuMicros(subgraphProcess.pid) - idleBefore.subgraph),
    };
    process.stdout.write(`idle CPU ms per s: bench ${idleCpuMillisPerSecond.bench}, engine ${idleCpuMillisPerSecond.engine}, subgraph process ${idleCpuMillisPerSecond.subgraphProcess}\n`);
    const figures: Figure[] = [];
    for (const traffic of ['spread', 'one-wallet'] as Traffic[]) {
      for (const clients of CONCURRENCY) {
        for (const mode of ['raw-driver', 'helper-untracked', 'helper', 'subgraph', 'subgraph-process'] as Mode[]) {
          if (!selected(mode, traffic, clients)) continue;
          const { tenantId, users } = await seedTenant(db);
          const once = async (): Promise<'ok' | 'refused'> => {
            const [from, to] = pickPair(users, traffic);
            const amount = 1 + randomInt(100);
            if (mode === 'raw-driver') return rawTransfer(client, db, tenantId, from, to, amount);
            if (mode === 'helper' || mode === 'helper-untracked') {
              const options = mode === 'helper' ? { tracker: tracker as OperationStateTracker } : {};
              await createTransferWithTransactions(
                { db, client, tenantId, fromUserId: from, toUserId: to, amount, currency: 'EUR', idempotencyKey: `bench-${randomUUID()}`, emit: service.deps.emit },
                options,
              );
              return 'ok';
            }
            const headers = signUserContext({ sub: from, tid: tenantId, roles: ['user'], permissions: USER_PERMISSIONS, correlationId: randomUUID() }, SECRET);
            const response = await send(mode === 'subgraph-process' ? processUrl! : url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true', ...headers },
              body: JSON.stringify({
                query: 'mutation($i: CreateTransferInput!) { createTransfer(input: $i) { id status } }',
                variables: { i: { toUserId: to, amount, currency: 'EUR', idempotencyKey: `bench-${randomUUID()}` } },
              }),
            });
            const body = (await response.json()) as { errors?: { message: string }[] };
            if (body.errors !== undefined) throw new Error(body.errors[0]!.message);
            return 'ok';
          };
          const abortedBefore = await abortedTransactions(db);
          const cpuBefore = { bench: process.cpuUsage(), engine: childCpuMicros(engine.pid), subgraph: childCpuMicros(subgraphProcess.pid) };
          const measured = await profiled(`${mode}-${traffic}-${clients}`, () => measure(clients, once), mode === 'subgraph-process' ? subgraphProcess : undefined);
          const bench = process.cpuUsage(cpuBefore.bench);
          const per = (micros: number): number => Math.round(micros / Math.max(1, measured.transfers));
          const cpuMicrosPerTransfer = {
            bench: per(bench.user + bench.system),
            engine: per(childCpuMicros(engine.pid) - cpuBefore.engine),
            ...(mode === 'subgraph-process' ? { subgraphProcess: per(childCpuMicros(subgraphProcess.pid) - cpuBefore.subgraph) } : {}),
          };
          const abortsPerTransfer = Math.round((((await abortedTransactions(db)) - abortedBefore) / Math.max(1, measured.transfers)) * 100) / 100;
          const figure: Figure = { mode, traffic, clients, ...measured, loadAverage1m: Math.round(loadavg()[0]! * 100) / 100, cpuMicrosPerTransfer, abortsPerTransfer };
          await checkBooks(db, tenantId, figure.transfers, figure.errors);
          figures.push(figure);
          process.stdout.write(
            `${traffic.padEnd(10)} ${String(clients).padStart(3)} clients  ${mode.padEnd(16)} ${String(figure.transfersPerSecond).padStart(6)} transfers/s  p50 ${figure.p50Ms} ms  p99 ${figure.p99Ms} ms  (${figure.transfers} ok, ${figure.refused} refused, ${figure.errors} errors)  load ${figure.loadAverage1m}  aborts/transfer ${abortsPerTransfer}  CPU µs/transfer: bench ${cpuMicrosPerTransfer.bench}, engine ${cpuMicrosPerTransfer.engine}${cpuMicrosPerTransfer.subgraphProcess === undefined ? '' : `, subgraph process ${cpuMicrosPerTransfer.subgraphProcess}`}\n`,
          );
        }
      }
    }
    if (ONLY.length > 0) {
      await service.stop();
      await client.close();
      redis.disconnect();
      return;
    }
    const ratios = figures
      .filter((f) => f.mode === 'subgraph')
      .map((f) => {
        const raw = figures.find((r) => r.mode === 'raw-driver' && r.traffic === f.traffic && r.clients === f.clients)!;
        const helper = figures.find((r) => r.mode === 'helper' && r.traffic === f.traffic && r.clients === f.clients)!;
        const own = figures.find((r) => r.mode === 'subgraph-process' && r.traffic === f.traffic && r.clients === f.clients)!;
        const ratio = (figure: Figure): number => Math.round((figure.transfersPerSecond / Math.max(1, raw.transfersPerSecond)) * 100) / 100;
        return { traffic: f.traffic, clients: f.clients, subgraphVsRaw: ratio(f), subgraphProcessVsRaw: ratio(own), helperVsRaw: ratio(helper) };
      });
    for (const ratio of ratios) {
      process.stdout.write(`${ratio.traffic} ${ratio.clients}: subgraph/raw ${ratio.subgraphVsRaw}, subgraph in its own process/raw ${ratio.subgraphProcessVsRaw}, helper/raw ${ratio.helperVsRaw}\n`);
    }
    const results = {
      ranAt: new Date().toISOString(),
      machine: { cpus: cpus().length, loadAverageAtStart, loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100), node: process.version },
      durationMsPerCase: DURATION_MS,
      httpClient: HTTP_CLIENT,
      idleCpuMillisPerSecond,
      engine: 'scripts/embedded-mongo (child process, replica set rs0)',
      figures,
      ratios,
    };
    writeFileSync(fileURLToPath(new URL('./results.json', import.meta.url)), `${JSON.stringify(results, null, 2)}\n`);
    await service.stop();
    await client.close();
    redis.disconnect();
  } finally {
    stopAll();
  }
}

await main();
process.exit(0);
