/**
 * `npm run bench -w notification-service`:
 *   (a) events → delivered emails per second: N `deposit.completed` events put on the stream at
 *       once, consumed by one notification-service (inbox entry, push event, email delivery per
 *       event), sent over SMTP to the local recorder; p50/p99 from publish to SMTP receipt;
 *   (b) the provider slowed to 500 ms per message: M events against a queue capped at
 *       maxQueueDepth, sampled every 250 ms for the queue depth, the backlog in MongoDB and
 *       the process's heap — the queue stays at its cap and memory flat while the backlog waits
 *       in MongoDB.
 * The engine runs in its own process (scripts/embedded-mongo), Redis is a private redis-server,
 * SMTP is smtp-server in this process. Writes bench/results.json.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import { EventBus, createIntegrationEvent } from 'core-service';
import { spawnEmbeddedMongo, startRedisServer } from 'core-service/testing';
import { startSmtpSink } from '../src/dev-providers/smtp-sink.js';
import { createSmtpEmailProvider } from '../src/providers/smtp-email.js';
import { createNotificationService } from '../src/service.js';

const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 1_000);
const SLOW_EVENTS = Number(process.env['BENCH_SLOW_EVENTS'] ?? 1_500);
const SLOW_WINDOW_MS = Number(process.env['BENCH_SLOW_WINDOW_MS'] ?? 15_000);
const TENANT = 'bench';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
}

const mongo = await spawnEmbeddedMongo(['--port', '0']);
const redisServer = await startRedisServer();
const client = await new MongoClient(mongo.uri).connect();
const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });

async function run(label: string, events: number, options: { delayMs: number; maxQueueDepth: number; windowMs?: number }) {
  const smtp = await startSmtpSink();
  if (options.delayMs > 0) smtp.setFault({ kind: 'delay', ms: options.delayMs });
  const db = client.db(`bench_notification_${label}`);
  const service = createNotificationService({
    client,
    db,
    redis,
    streamKey: `bench:${label}:events`,
    keyPrefix: `bench:${label}`,
    port: 0,
    contextSecret: randomBytes(32).toString('hex'),
    providers: { EMAIL: [createSmtpEmailProvider({ url: smtp.url, from: 'bench@platform.test' })], SMS: [] },
    otpDeliveryKey: null,
    settings: { email: { concurrency: 20, maxQueueDepth: options.maxQueueDepth, perUserPerHour: 1_000 }, dispatchPollMs: 200 },
    events: { blockMs: 100 },
  });
  await service.start();
  const users = Array.from({ length: events }, (_, i) => ({
    _id: `u${i}-${randomUUID().slice(0, 6)}`,
    tenantId: TENANT,
    email: `u${i}@bench.test`,
    phone: null,
    displayName: `User ${i}`,
    status: 'active',
    updatedAt: new Date(),
  }));
  await service.deps.store.recipients.insertMany(users);
  const bus = new EventBus({ serviceName: 'payment-service', redis, streamKey: `bench:${label}:events` });
  const published = new Map<string, number>();
  const batch = users.map((user) =>
    createIntegrationEvent({
      type: 'deposit.completed',
      tenantId: TENANT,
      userId: 'system:funding#0',
      data: { transferId: randomUUID(), type: 'deposit', fromUserId: 'system:funding#0', toUserId: user._id, amount: 1_000, currency: 'EUR' },
    }),
  );
  const started = performance.now();
  for (const user of users) published.set(user.email, started);
  for (let i = 0; i < batch.length; i += 500) await bus.publish(batch.slice(i, i + 500));

  const samples: Array<{ atMs: number; queueDepth: number; backlog: number; heapMb: number }> = [];
  const queue = service.deps.dispatcher.queues.EMAIL;
  const sampler = setInterval(() => {
    void (async () => {
      const queueDepth = await queue.getJobCountByTypes('waiting', 'delayed', 'active', 'prioritized');
      const backlog = await db.collection('deliveries').countDocuments({ status: 'QUEUED', enqueuedAt: null });
      samples.push({ atMs: Math.round(performance.now() - started), queueDepth, backlog, heapMb: Math.round((process.memoryUsage().heapUsed / 2 ** 20) * 10) / 10 });
    })();
  }, 250);
  const deadline = options.windowMs === undefined ? Infinity : started + options.windowMs;
  while (smtp.messages().length < events && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  clearInterval(sampler);
  const elapsedMs = performance.now() - started;
  const latencies = smtp
    .messages()
    .map((m) => Date.parse(m.receivedAt) - (Date.now() - performance.now() + published.get(m.to[0]!)!))
    .sort((a, b) => a - b);
  const delivered = smtp.messages().length;
  await service.stop();
  await bus.close();
  await smtp.close();
  return {
    events,
    delivered,
    emailsPerSecond: Math.round((delivered / elapsedMs) * 1000 * 10) / 10,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxQueueDepth: Math.max(0, ...samples.map((s) => s.queueDepth)),
    queueCap: options.maxQueueDepth,
    maxBacklogInMongo: Math.max(0, ...samples.map((s) => s.backlog)),
    heapMbFirst: samples[0]?.heapMb ?? null,
    heapMbMax: Math.max(0, ...samples.map((s) => s.heapMb)),
    heapMbLast: samples.at(-1)?.heapMb ?? null,
  };
}

const fast = await run('fast', EVENTS, { delayMs: 0, maxQueueDepth: 5_000 });
console.log('(a) events → emails', fast);
const slow = await run('slow', SLOW_EVENTS, { delayMs: 500, maxQueueDepth: 200, windowMs: SLOW_WINDOW_MS });
console.log('(b) provider at 500 ms/message', slow);

const results = { at: new Date().toISOString(), machine: { cpus: cpus().length, loadavg: loadavg().map((l) => Math.round(l * 100) / 100), node: process.version }, fast, slow };
writeFileSync(fileURLToPath(new URL('./results.json', import.meta.url)), `${JSON.stringify(results, null, 2)}\n`);
await client.close();
await redis.quit();
await redisServer.stop();
await mongo.stop();
process.exit(0);
