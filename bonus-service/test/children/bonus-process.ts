/**
 * A bonus-service process for the crash tests, killed by itself with SIGKILL at the moment the
 * test names (CRASH_AT): `after-award` once an event-driven award has committed but before the
 * event is acknowledged; `after-expiry` once an expiry has committed but before its BullMQ job
 * is marked done. The kill is the process's own so it lands exactly there, not near there.
 */
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import { runAfterCommit } from 'core-service';
import { createBonusService } from '../../src/service.js';

const env = process.env as Record<string, string>;
const client = await new MongoClient(env['MONGO_URI']!).connect();
const redis = new Redis(env['REDIS_URL']!, { maxRetriesPerRequest: 1 });
const offsetMs = Number(env['CLOCK_OFFSET_MS'] ?? 0);
const crashAt = env['CRASH_AT'];
const service = createBonusService({
  client,
  db: client.db(env['BONUS_DB']),
  paymentDb: client.db(env['PAYMENT_DB']),
  redis,
  streamKey: env['STREAM_KEY']!,
  keyPrefix: env['KEY_PREFIX']!,
  paymentKeyPrefix: env['PAYMENT_KEY_PREFIX']!,
  port: 0,
  contextSecret: 'x'.repeat(32),
  expirySweepMs: 0,
  consumeEvents: crashAt === 'after-award',
  expiryWorker: crashAt === 'after-expiry',
  events: { blockMs: 200 },
  // Its jobs' locks lapse soon after the kill, so the next worker takes them over quickly.
  expiryStall: { lockDurationMs: 1_000, stalledIntervalMs: 300 },
  now: () => new Date(Date.now() + offsetMs),
});

const kill = (): void => {
  process.stdout.write('dying\n');
  process.kill(process.pid, 'SIGKILL');
};
const emit = service.deps.emit;
service.deps.emit = async (type, tenantId, userId, data, options) => {
  const result = await emit(type, tenantId, userId, data, options);
  const isCrashPoint = (crashAt === 'after-award' && type === 'bonus.awarded') || (crashAt === 'after-expiry' && type === 'bonus.expired');
  if (isCrashPoint) await runAfterCommit(options.session, kill);
  return result;
};
await service.start();
process.stdout.write('ready\n');
