/**
 * A notification-service delivery worker in its own process, for the crash test: it sends, and
 * the test kills it with SIGKILL while the SMTP server holds its message.
 */
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import { createSmtpEmailProvider } from '../../src/providers/smtp-email.js';
import { createNotificationService } from '../../src/service.js';

const env = process.env as Record<string, string>;
const client = await new MongoClient(env['MONGO_URI']!).connect();
const redis = new Redis(env['REDIS_URL']!, { maxRetriesPerRequest: 1 });
const service = createNotificationService({
  client,
  db: client.db(env['NOTIFICATION_DB']),
  redis,
  streamKey: env['STREAM_KEY']!,
  keyPrefix: env['KEY_PREFIX']!,
  port: 0,
  contextSecret: 'x'.repeat(32),
  providers: { EMAIL: [createSmtpEmailProvider({ url: env['SMTP_URL']!, from: 'no-reply@platform.test' })], SMS: [] },
  otpDeliveryKey: null,
  consumeEvents: false,
  // Its job's lock lapses soon after the kill, so the next worker takes it over quickly.
  workerStall: { lockDurationMs: 1_000, stalledIntervalMs: 300 },
  settings: { dispatchPollMs: 200 },
});
await service.start();
process.stdout.write('ready\n');
