/**
 * `npm run bench -w auth-service`: the cost of a password hash at several scrypt costs, then
 * logins/s and token refreshes/s through GraphQL over HTTP against a real subgraph server, the
 * embedded engine (or MONGO_URI) and a private redis-server (or REDIS_URL).
 *
 * BENCH_USERS (default 64), BENCH_LOGINS (400), BENCH_REFRESHES (3000), BENCH_CONCURRENCY (8),
 * BENCH_HASHES (8 per cost). Results go to bench/results.json.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { signUserContext } from 'core-service';
import { startRedisServer } from 'core-service/testing';
import { DEFAULT_SCRYPT_COST, hashPassword, type ScryptCost } from '../src/domain/password-hash.js';
import { createAuthService } from '../src/service.js';
import { spawnEmbeddedMongo } from 'core-service/testing';

const here = dirname(fileURLToPath(import.meta.url));
const USERS = Number(process.env['BENCH_USERS'] ?? 64);
const LOGINS = Number(process.env['BENCH_LOGINS'] ?? 400);
const REFRESHES = Number(process.env['BENCH_REFRESHES'] ?? 3000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 8);
const HASHES = Number(process.env['BENCH_HASHES'] ?? 8);
const CONTEXT_SECRET = 'bench-context-secret-0123456789abcdefghij';
const PASSWORD = 'bench password that is long enough';

async function startEngine(): Promise<{ uri: string; stop: () => Promise<void> }> {
  if (process.env['MONGO_URI']) return { uri: process.env['MONGO_URI'], stop: async () => undefined };
  return spawnEmbeddedMongo();
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function timeHashes(cost: ScryptCost): Promise<number> {
  await hashPassword(PASSWORD, cost); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < HASHES; i++) {
    const started = performance.now();
    await hashPassword(PASSWORD, cost);
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/** Runs `total` operations with `concurrency` workers; returns operations per second. */
async function throughput(total: number, concurrency: number, operation: (worker: number, i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = next++; i < total; i = next++) await operation(worker, i);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

const hashCosts: Record<string, number> = {};
for (const logN of [14, 15, 16, 17]) {
  const cost = { logN, r: 8, p: 1 };
  hashCosts[`N=2^${logN},r=8,p=1 (${(128 * 8 * 2 ** logN) / 2 ** 20} MiB)`] = await timeHashes(cost);
}
console.log('scrypt median ms per hash:', hashCosts);

const engine = await startEngine();
const redisServer = process.env['REDIS_URL'] ? undefined : await startRedisServer();
const redisUrl = process.env['REDIS_URL'] ?? redisServer!.url;
const client = await new MongoClient(engine.uri).connect();
const redis = new Redis(redisUrl);
const brand = `bench${Date.now().toString(36)}`;
const tenantId = `${brand}-tenant`;
const service = createAuthService({
  client,
  db: client.db(`auth_${brand}`),
  redis,
  brand,
  keys: { algorithm: 'HS256', secret: 'bench-jwt-secret-0123456789abcdefghijklmn', issuer: 'auth-service', audience: 'payment-platform' },
  otpSecret: 'bench-otp-secret-0123456789abcdefghijklmn',
  otpDeliveryKey: 'ab'.repeat(32),
  contextSecret: CONTEXT_SECRET,
  settings: { scrypt: DEFAULT_SCRYPT_COST, loginThrottle: { maxFailuresPerAccount: 1e9, maxFailuresPerAddress: 1e9, failureWindowSeconds: 60, lockoutSeconds: 1 } },
  port: 0,
  host: '127.0.0.1',
});
const { url } = await service.start();
await service.deps.tenants.create({ id: tenantId, name: 'Bench', createdAt: new Date(), createdBy: null });

async function gql(query: string, variables: Record<string, unknown>): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signUserContext({ correlationId: 'bench' }, CONTEXT_SECRET) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const emails = Array.from({ length: USERS }, (_, i) => `bench${i}@example.com`);
const registerRate = await throughput(USERS, CONCURRENCY, async (_, i) => {
  await gql(`mutation($input: RegisterInput!) { register(input: $input) { accessToken } }`, {
    input: { email: emails[i], password: PASSWORD, tenantId },
  });
});

const refreshTokens: string[] = new Array(CONCURRENCY);
const LOGIN = `mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken } }`;
const loginRate = await throughput(LOGINS, CONCURRENCY, async (worker, i) => {
  const data = await gql(LOGIN, { input: { email: emails[i % USERS], password: PASSWORD, tenantId } });
  refreshTokens[worker] = data.login.refreshToken;
});

// Each worker rotates its own session's token chain: every refresh presents the newest token.
const REFRESH = `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }`;
const refreshRate = await throughput(REFRESHES, CONCURRENCY, async (worker) => {
  const data = await gql(REFRESH, { t: refreshTokens[worker] });
  refreshTokens[worker] = data.refreshToken.refreshToken;
});

const results = {
  node: process.version,
  cpus: cpus().length,
  loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
  mongo: process.env['MONGO_URI'] ? 'MONGO_URI' : 'embedded-mongo',
  chosenCost: DEFAULT_SCRYPT_COST,
  scryptMedianMsPerHash: Object.fromEntries(Object.entries(hashCosts).map(([k, v]) => [k, Number(v.toFixed(1))])),
  concurrency: CONCURRENCY,
  registersPerSecond: Number(registerRate.toFixed(1)),
  loginsPerSecond: Number(loginRate.toFixed(1)),
  refreshesPerSecond: Number(refreshRate.toFixed(1)),
  counts: { users: USERS, logins: LOGINS, refreshes: REFRESHES },
};
console.log(JSON.stringify(results, null, 2));
writeFileSync(join(here, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

await service.stop();
redis.disconnect();
await client.close();
await redisServer?.stop();
await engine.stop();
