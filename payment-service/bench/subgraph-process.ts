/**
 * The subgraph in a process of its own for the bench's `subgraph-process` mode, as a deployment
 * runs it: its own event loop and core, its HTTP server, driver and outbox relay. Prints
 * `subgraph listening <url>` once it serves; stops on SIGTERM.
 */
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
process.once('SIGTERM', () => {
  void service
    .stop()
    .then(() => client.close())
    .finally(() => {
      redis.disconnect();
      process.exit(0);
    });
});
