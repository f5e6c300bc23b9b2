/**
 * `npm run bench -w gateway`: the platform as separate processes (scripts/dev/platform.mjs), then
 *  1. requests/s, p50 and p99 for a simple query (`myWallets`) and the federated `me { wallets }`
 *     through three gateways on the same supergraph, each its own process started the same way
 *     (`node --conditions=source --import tsx`):
 *     - ours (gateway/src/index.ts, every protection on: auth, revocation check, variable
 *       coercion, cost limit, rate limit in Redis, context signing, correlation ids, metrics);
 *     - plain Apollo Gateway + Apollo Server, no plugins (bench/plain-apollo-gateway.ts);
 *     - Hive Gateway's runtime on node:http (bench/hive-gateway.ts);
 *     and straight from the subgraphs (signed like the gateway signs). Every measurement runs
 *     BENCH_ROUNDS times (default 4, BENCH_DURATION_MS each, default 3 s), the order rotating each time, with the machine's load
 *     average noted before each;
 *  2. push fan-out: publish-to-receipt latency of one `wallet.updated` event to 1,000 connected
 *     Socket.IO clients subscribed to `walletUpdated`.
 *
 * BENCH_CPU_PROF=<dir> runs the three gateways under `node --cpu-prof` and writes a summary of
 * each profile (bench/profile-summary.ts) to results/gateway-profile.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { createIntegrationEvent, signUserContext } from 'core-service';
import { DEMO, freePort, fundDemoUsers, graphql, startPlatform } from '../../scripts/dev/platform.mjs';
import { summarizeCpuProfile } from './profile-summary.js';

const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 3_000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
const SOCKETS = Number(process.env['BENCH_SOCKETS'] ?? 1_000);
const ROUNDS = Math.max(1, Number(process.env['BENCH_ROUNDS'] ?? 4));
const CPU_PROF_DIR = process.env['BENCH_CPU_PROF'] ? resolve(process.env['BENCH_CPU_PROF']) : undefined;
const GATEWAY_DIR = fileURLToPath(new URL('..', import.meta.url));
// Another checkout's gateway/ folder (with its core-service beside it) to measure as "ours":
// before/after figures against the same baselines on the same machine.
const OURS_DIR = process.env['BENCH_OURS_DIR'] ? resolve(process.env['BENCH_OURS_DIR']) : GATEWAY_DIR;

interface Result {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  load1: number;
  cpuMsPerRequest?: number;
}

/**
 * CPU time (user + system, ms) a process has used, from /proc: unlike requests/s, CPU per
 * request hardly moves when other processes crowd the machine, so it is the steadier figure of
 * what a gateway costs. Undefined where /proc is not there.
 */
function cpuMsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    // After the command name: utime and stime are fields 14 and 15 of stat, in clock ticks (100/s on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

async function load(name: string, send: () => Promise<boolean>, pid?: number): Promise<Result> {
  // Warm-up: connections, plan cache, JIT.
  for (let i = 0; i < 50; i++) await send();
  const load1 = Number(loadavg()[0]!.toFixed(2));
  const cpuBefore = cpuMsOf(pid);
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + DURATION_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        const ok = await send().catch(() => false);
        latencies.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0).toFixed(2));
  const cpuAfter = cpuMsOf(pid);
  const cpuMsPerRequest = cpuBefore !== undefined && cpuAfter !== undefined && latencies.length > 0 ? round2((cpuAfter - cpuBefore) / latencies.length) : undefined;
  return { name, requests: latencies.length, rps: Math.round(latencies.length / seconds), p50: at(0.5), p99: at(0.99), errors, load1, ...(cpuMsPerRequest !== undefined ? { cpuMsPerRequest } : {}) };
}

// The load generator shares the machine with what it measures: node:http on a keep-alive agent
// costs a fraction of the CPU of the built-in fetch (see core-service's subgraph-fetcher.ts).
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function post(url: string, query: string, headers: Record<string, string>): Promise<boolean> {
  const payload = JSON.stringify({ query });
  return new Promise((resolveOk, reject) => {
    const outgoing = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), ...headers } }, (incoming) => {
      let text = '';
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (text += chunk));
      incoming.once('error', reject);
      incoming.once('end', () => {
        const ok = incoming.statusCode === 200 && !text.includes('"errors"');
        if (process.env['BENCH_DEBUG'] && !ok) console.error(incoming.statusCode, text.slice(0, 300));
        resolveOk(ok);
      });
    });
    outgoing.once('error', reject);
    outgoing.end(payload);
  });
}

interface BenchGateway {
  name: string;
  url: string;
  child: ChildProcess;
  exited: Promise<unknown>;
  profileDir: string | undefined;
}

/** One gateway process, started like the others; resolves once it answers `{ __typename }`. */
async function startGateway(name: string, entry: string, env: Record<string, string>, profile: boolean, cwd = GATEWAY_DIR): Promise<BenchGateway> {
  const port = await freePort();
  const profileDir = profile && CPU_PROF_DIR ? join(CPU_PROF_DIR, name.replace(/\W+/g, '-').toLowerCase()) : undefined;
  const args = [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), '--conditions=source', '--import', 'tsx', entry];
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${stderr}`);
    const ok = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { name, url, child, exited, profileDir };
    if (Date.now() > deadline) throw new Error(`${name} not answering after 90 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stopGateway(gateway: BenchGateway): Promise<void> {
  if (gateway.child.exitCode !== null) return;
  gateway.child.kill('SIGTERM');
  await Promise.race([gateway.exited, new Promise((r) => setTimeout(r, 15_000).unref())]);
  if (gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const round2 = (value: number) => Number(value.toFixed(2));

const dataDir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
const platform = await startPlatform({
  dataDir,
  freePorts: true,
  brand: `bench${process.pid}`,
  env: { RATE_LIMIT_USER: '1000000000', RATE_LIMIT_IP: '1000000000' },
});
const results: Result[] = [];
let summary: Record<string, unknown> = {};
const loadAtStart = loadavg().map(round2);
try {
  await fundDemoUsers(platform.gatewayUrl);
  const login = (
    await graphql(platform.gatewayUrl, 'mutation L($input: LoginInput!) { login(input: $input) { accessToken user { id tenantId roles } } }', {
      input: { email: DEMO.users[0], password: DEMO.password, tenantId: DEMO.tenantId },
    })
  ).login as { accessToken: string; user: { id: string; tenantId: string; roles: string[] } };
  const bearer = { authorization: `Bearer ${login.accessToken}` };
  const secret = platform.env['INTERNAL_CONTEXT_SECRET']!;
  // Signed per request, like the gateway: a subgraph refuses contexts older than 60 s.
  // The same claims the gateway forwards: read from the access token it would have verified.
  const claims = JSON.parse(Buffer.from(login.accessToken.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string; tid: string; roles: string[]; permissions: string[]; sid: string };
  const signed = () => signUserContext({ sub: claims.sub, tid: claims.tid, roles: claims.roles, permissions: claims.permissions, sid: claims.sid, correlationId: 'bench' }, secret);
  const auth = platform.services.find((s) => s.name === 'auth-service')!.url;
  const payment = platform.services.find((s) => s.name === 'payment-service')!.url;

  // The checked-in supergraph with the URLs where this run's subgraphs listen: the same
  // document for the three gateways.
  const urlOf = (service: string) => platform.services.find((s) => s.name === service)?.url;
  const supergraphPath = join(dataDir, 'supergraph.graphql');
  writeFileSync(
    supergraphPath,
    readFileSync(join(GATEWAY_DIR, 'supergraph.graphql'), 'utf8').replace(/@join__graph\(name: "(\w+)", url: "[^"]*"\)/g, (whole, name: string) => {
      const url = urlOf(`${name}-service`);
      return url ? `@join__graph(name: "${name}", url: "${url}")` : whole;
    }),
  );
  const subgraphUrls = Object.fromEntries(platform.services.map((s) => [`${s.name.replace(/-service$/, '').toUpperCase()}_SERVICE_URL`, s.url]));
  const gatewayEnv = { ...platform.env, ...subgraphUrls, SUPERGRAPH: 'file', SUPERGRAPH_PATH: supergraphPath, LOG_LEVEL: 'warn' } as Record<string, string>;
  const gateways: BenchGateway[] = [];
  try {
    gateways.push(await startGateway('ours', 'src/index.ts', gatewayEnv, true, OURS_DIR));
    // All three profiled or none: the profiler's own cost must not tilt the comparison.
    gateways.push(await startGateway('plain Apollo', 'bench/plain-apollo-gateway.ts', gatewayEnv, true));
    gateways.push(await startGateway('Hive', 'bench/hive-gateway.ts', gatewayEnv, true));

    const queries = {
      myWallets: {
        gateway: '{ myWallets { currency balance } }',
        direct: () => post(payment, '{ myWallets { currency balance } }', signed()),
      },
      'me { wallets }': {
        gateway: '{ me { id displayName wallets { currency balance } } }',
        // Both subgraph calls the query plan makes, one after the other, signed like the gateway signs.
        direct: async () => {
          const me = await post(auth, '{ me { id displayName } }', signed());
          const wallets = await post(payment, `{ _entities(representations: [{ __typename: "User", id: "${login.user.id}" }]) { ... on User { wallets { currency balance } } } }`, signed());
          return me && wallets;
        },
      },
    } as const;
    const targets = ['ours', 'plain Apollo', 'Hive', 'direct'] as const;
    const runs: Array<Result & { query: string; target: string; round: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [queryIndex, [queryName, query]] of Object.entries(queries).entries()) {
        // Rotated each time: whoever runs first or last (warmer JIT, a neighbour's burst) changes.
        const shift = (round + queryIndex) % targets.length;
        for (const target of [...targets.slice(shift), ...targets.slice(0, shift)]) {
          const gateway = gateways.find((g) => g.name === target);
          const result = await load(`${queryName} ${target}`, gateway ? () => post(gateway.url, query.gateway, bearer) : query.direct, gateway?.child.pid);
          runs.push({ ...result, query: queryName, target, round });
          console.log(JSON.stringify(runs.at(-1)));
        }
      }
    }
    for (const gateway of gateways) await stopGateway(gateway);
    const profiles: Record<string, unknown> = {};
    for (const gateway of gateways) {
      const file = gateway.profileDir
        ? readdirSync(gateway.profileDir)
            .filter((f) => f.endsWith('.cpuprofile'))
            .sort()
            .at(-1)
        : undefined;
      if (!gateway.profileDir || !file) continue;
      const summary = summarizeCpuProfile(JSON.parse(readFileSync(join(gateway.profileDir, file), 'utf8')));
      profiles[gateway.name] = { profile: join(gateway.profileDir, file), ...summary };
      console.log(`profile of ${gateway.name}, self time by package:`, JSON.stringify(summary.byPackage.slice(0, 12)));
    }
    if (Object.keys(profiles).length > 0) {
      writeFileSync(new URL('./results/gateway-profile.json', import.meta.url), JSON.stringify({ loadAverage: loadavg().map(round2), profiles }, null, 2) + '\n');
    }
    summary = Object.fromEntries(
      Object.keys(queries).map((queryName) => {
        const of = (target: string) => runs.filter((r) => r.query === queryName && r.target === target);
        const stats = Object.fromEntries(
          targets.map((target) => {
            const mine = of(target);
            const rps = mine.map((r) => r.rps);
            const cpu = mine.flatMap((r) => (r.cpuMsPerRequest !== undefined ? [r.cpuMsPerRequest] : []));
            return [
              target,
              {
                rps: Math.round(mean(rps)),
                rpsRuns: rps,
                ...(cpu.length > 0 ? { cpuMsPerRequest: round2(median(cpu)), cpuMsPerRequestRuns: cpu } : {}),
                spread: round2((Math.max(...rps) - Math.min(...rps)) / mean(rps)),
                p50: round2(mean(mine.map((r) => r.p50))),
                p99: round2(mean(mine.map((r) => r.p99))),
                errors: mine.reduce((n, r) => n + r.errors, 0),
              },
            ];
          }),
        ) as Record<string, { rps: number; rpsRuns: number[]; cpuMsPerRequest?: number }>;
        // CPU per request, the gateway's own cost: the steadiest comparison on a crowded machine.
        const cpuRatio = (a: string, b: string) => {
          const [mineCpu, theirs] = [stats[a]!.cpuMsPerRequest, stats[b]!.cpuMsPerRequest];
          return mineCpu !== undefined && theirs !== undefined ? round2(theirs / mineCpu) : undefined;
        };
        // Per round as well as overall: a ratio from the same round is the fairest pairing.
        // The median of the per-round ratios is the headline: a neighbour's burst hits one round.
        const ratio = (a: string, b: string) => {
          const perRound = stats[a]!.rpsRuns.map((rps, i) => round2(rps / stats[b]!.rpsRuns[i]!));
          return { median: round2(median(perRound)), ofMeans: round2(stats[a]!.rps / stats[b]!.rps), perRound };
        };
        return [
          queryName,
          {
            ...stats,
            ratios: {
              oursToPlainApollo: ratio('ours', 'plain Apollo'),
              oursToHive: ratio('ours', 'Hive'),
              plainApolloToHive: ratio('plain Apollo', 'Hive'),
              oursToDirect: ratio('ours', 'direct'),
              plainApolloToDirect: ratio('plain Apollo', 'direct'),
            },
            // > 1: ours spends less CPU per request than the other.
            cpuEfficiency: { oursVsPlainApollo: cpuRatio('ours', 'plain Apollo'), oursVsHive: cpuRatio('ours', 'Hive') },
          },
        ];
      }),
    );
    results.push(...runs);
  } finally {
    for (const gateway of gateways) await stopGateway(gateway);
  }

  // Push fan-out: 1,000 sockets of one user, one event on the stream as a service's relay writes it.
  const sockets: Socket[] = [];
  for (let i = 0; i < SOCKETS; i++) {
    sockets.push(connectSocket(platform.gatewayBase, { auth: { token: login.accessToken }, transports: ['websocket'], reconnection: false, forceNew: true }));
  }
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((resolve, reject) => {
          s.once('connect', () => resolve());
          s.once('connect_error', reject);
        }),
    ),
  );
  await Promise.all(
    sockets.map((s) => {
      s.emit('subscribe', { id: 'w', query: 'subscription { walletUpdated { balance } }' });
      s.emit('subscribe', { id: 'probe', query: 'subscription { walletUpdated { balance } }' });
      s.emit('unsubscribe', { id: 'probe' });
      return new Promise((resolve) => s.once('complete', resolve));
    }),
  );
  const redis = new Redis(platform.redisUrl);
  const fanout: Array<{ p50: number; p99: number; max: number }> = [];
  for (let round = 0; round < 5; round++) {
    const received: number[] = [];
    const all = new Promise<void>((resolve) => {
      for (const s of sockets) {
        s.once('next', () => {
          received.push(performance.now());
          if (received.length === sockets.length) resolve();
        });
      }
    });
    const event = createIntegrationEvent({
      type: 'wallet.updated',
      tenantId: login.user.tenantId,
      userId: login.user.id,
      data: { walletId: 'bench', userId: login.user.id, currency: 'EUR', balance: round },
    });
    const t0 = performance.now();
    await redis.xadd(`${platform.brand}:events`, '*', 'type', event.type, 'tenantId', event.tenantId, 'event', JSON.stringify(event));
    await all;
    const latencies = received.map((t) => t - t0).sort((a, b) => a - b);
    fanout.push({
      p50: Number(latencies[Math.floor(latencies.length / 2)]!.toFixed(1)),
      p99: Number(latencies[Math.floor(latencies.length * 0.99)]!.toFixed(1)),
      max: Number(latencies.at(-1)!.toFixed(1)),
    });
  }
  redis.disconnect();
  for (const s of sockets) s.disconnect();

  const report = {
    node: process.version,
    cpus: cpus().length,
    // Other processes share this machine: the 1/5/15-minute load averages, at the start and the end.
    loadAverage: { atStart: loadAtStart, atEnd: loadavg().map(round2) },
    ours: OURS_DIR === GATEWAY_DIR ? 'this checkout' : OURS_DIR,
    durationMs: DURATION_MS,
    concurrency: CONCURRENCY,
    rounds: ROUNDS,
    summary,
    http: results,
    fanout: { sockets: SOCKETS, roundsMs: fanout },
  };
  console.table(results);
  console.log(JSON.stringify(summary, null, 2));
  console.log('fan-out to', SOCKETS, 'sockets (ms from XADD to receipt):', JSON.stringify(fanout));
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/gateway.json', import.meta.url), JSON.stringify(report, null, 2) + '\n');
} finally {
  await platform.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
