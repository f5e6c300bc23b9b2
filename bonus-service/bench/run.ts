/**
 * `npm run bench -w bonus-service`:
 *   (a) event-driven awards per second: N `deposit.completed` events (N first deposits) put on
 *       the stream at once, drained by one bonus-service consumer; each makes a DEPOSIT_MATCH
 *       award (claim counter, pool → user transfer with two ledger entries, award record, outbox
 *       events, processed-event record: one transaction per event batch);
 *   (b) claimBonus p50/p99 through the subgraph over HTTP (signed context, as the gateway sends
 *       it), 16 concurrent clients, each claim by a new user.
 * The engine runs in its own process (scripts/embedded-mongo), Redis is a private redis-server.
 * Writes bench/results.json.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import { createIntegrationEvent, ensureWalletIndexes, signUserContext } from 'core-service';
import { spawnEmbeddedMongo, startRedisServer } from 'core-service/testing';
import { createBonusService } from '../src/service.js';

const AWARDS = Number(process.env['BENCH_AWARDS'] ?? 1_000);
const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 5_000);
const CLIENTS = 16;
const SECRET = randomBytes(32).toString('hex');
const TENANT = 'bench';
const POOL_SHARDS = Number(process.env['BONUS_POOL_SHARDS'] ?? 8);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 100) / 100;
}

const mongo = await spawnEmbeddedMongo(['--port', '0']);
const redisServer = await startRedisServer();
const client = await new MongoClient(mongo.uri).connect();
const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
const paymentDb = client.db('bench_payment_service');
await ensureWalletIndexes(paymentDb);
const service = createBonusService({
  client,
  db: client.db('bench_bonus_service'),
  paymentDb,
  redis,
  streamKey: 'bench:events',
  keyPrefix: 'bench:bonus',
  paymentKeyPrefix: 'bench:payment',
  port: 0,
  contextSecret: SECRET,
  expirySweepMs: 0,
  poolShards: POOL_SHARDS,
  events: { blockMs: 100 },
});
const { url } = await service.start();
const now = new Date();
const template = (code: string, type: string, extra: Record<string, unknown>) => ({
  _id: code,
  id: code,
  tenantId: TENANT,
  code,
  name: code,
  type,
  currency: 'EUR',
  amount: null,
  percent: null,
  maxAmount: null,
  turnoverMultiplier: 5,
  validForDays: 30,
  maxClaimsPerUser: 1,
  active: true,
  startsAt: null,
  endsAt: null,
  budget: null,
  budgetSpent: 0,
  claimable: type === 'WELCOME',
  createdAt: now,
  updatedAt: now,
  ...extra,
});
await service.deps.store.templates.insertMany([template('MATCH', 'DEPOSIT_MATCH', { percent: 100, maxAmount: 10_000 }), template('WELCOME', 'WELCOME', { amount: 500 })] as never);

try {
  // (a) Awards from deposit events.
  const events = Array.from({ length: AWARDS }, () => {
    const userId = `u-${randomUUID()}`;
    return createIntegrationEvent({
      type: 'deposit.completed',
      tenantId: TENANT,
      userId: 'system:funding#0',
      data: { transferId: randomUUID(), type: 'deposit', fromUserId: 'system:funding#0', toUserId: userId, amount: 2_000, currency: 'EUR', status: 'completed' },
    });
  });
  const started = performance.now();
  for (let i = 0; i < events.length; i += 500) await service.events.publish(events.slice(i, i + 500));
  for (;;) {
    const count = await service.deps.store.bonuses.countDocuments({ tenantId: TENANT, type: 'DEPOSIT_MATCH' });
    if (count >= AWARDS) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const elapsedMs = performance.now() - started;
  const eventAwards = { awards: AWARDS, seconds: Math.round(elapsedMs) / 1000, awardsPerSecond: Math.round((AWARDS / elapsedMs) * 1000) };
  console.log('event-driven awards', eventAwards);

  // (b) claimBonus through the subgraph.
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + DURATION_MS;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        const userId = `c-${randomUUID()}`;
        const headers = signUserContext({ sub: userId, tid: TENANT, roles: ['user'], permissions: ['bonus:read:own', 'bonus:claim:own'], correlationId: randomUUID() }, SECRET);
        const t0 = performance.now();
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true', ...headers },
          body: JSON.stringify({ query: 'mutation($k: String!) { claimBonus(templateCode: "WELCOME", idempotencyKey: $k) { id } }', variables: { k: `bench-${randomUUID()}` } }),
        });
        const body = (await response.json()) as { errors?: unknown[] };
        if (body.errors) errors += 1;
        else latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const claims = {
    clients: CLIENTS,
    claims: latencies.length,
    errors,
    claimsPerSecond: Math.round(latencies.length / (DURATION_MS / 1000)),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
  console.log('claimBonus via subgraph', claims);

  const results = {
    ranAt: new Date().toISOString(),
    machine: { cpus: cpus().length, loadAverageAtEnd: loadavg().map((l) => Math.round(l * 100) / 100), node: process.version },
    engine: 'scripts/embedded-mongo (child process)',
    poolShards: POOL_SHARDS,
    eventDrivenAwards: eventAwards,
    claimThroughSubgraph: claims,
  };
  writeFileSync(fileURLToPath(new URL('./results.json', import.meta.url)), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  await service.stop();
  await redis.quit();
  await client.close();
  await mongo.stop();
  await redisServer.stop();
}
