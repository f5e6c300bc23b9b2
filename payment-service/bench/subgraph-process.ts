/**
 * The subgraph in a process of its own for the bench's `subgraph-process` mode, as a deployment
 * runs it: its own event loop and core, its HTTP server, driver and outbox relay. Prints
 * `subgraph listening <url>` once it serves; stops on SIGTERM. Over its IPC channel the bench can
 * ask for a CPU profile of one case's window (`{ profile: 'start' }`, then `{ profile: 'stop', file }`).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import { createPaymentService } from '../src/service.js';

const { BENCH_MONGO_URI, BENCH_DB, BENCH_REDIS_URL, BENCH_SECRET } = process.env;
if (!BENCH_MONGO_URI || !BENCH_DB || !BENCH_REDIS_URL || !BENCH_SECRET) throw new Error('BENCH_MONGO_URI, BENCH_DB, BENCH_REDIS_URL and BENCH_SECRET are required');

const client = await new MongoClient(BENCH_MONGO_URI, { maxPoolSize: 200 }).connect();
const redis = new Redis(BENCH_REDIS_URL, { maxRetriesPerRequest: 1 });
const service = createPaymentService({
  client,
  db: client.db(BENCH_DB),
  redis,
  keyPrefix: 'bench',
  streamKey: 'bench:events',
  port: 0,
  contextSecret: BENCH_SECRET,
  reconciliationEveryMs: 0,
});
const { url } = await service.start();
process.stdout.write(`subgraph listening ${url}\n`);
const session = new Session();
process.on('message', (message: { profile: 'start' } | { profile: 'stop'; file: string }) => {
  const done = (): void => void process.send?.({ done: true });
  if (message.profile === 'start') {
    session.connect();
    void session
      .post('Profiler.enable')
      .then(() => session.post('Profiler.start'))
      .then(done);
  } else {
    void session.post('Profiler.stop').then(({ profile }) => {
      writeFileSync(message.file, JSON.stringify(profile));
      session.disconnect();
      done();
    });
  }
});
process.once('SIGTERM', () => {
  void service
    .stop()
    .then(() => client.close())
    .finally(() => {
      redis.disconnect();
      process.exit(0);
    });
});
