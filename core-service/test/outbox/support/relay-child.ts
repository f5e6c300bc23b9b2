/**
 * An outbox relay in its own process. It commits one transaction that emits `OUTBOX_EVENT_TYPE`
 * through the outbox, then its relay stops at the fault point named by `CRASH_POINT`
 * (`before-publish`: committed, not yet published; `after-publish`: published, not yet marked
 * sent), reports it, and blocks there so the parent can SIGKILL it.
 */
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { withTransaction } from '../../../src/database/transaction.js';
import { EventBus } from '../../../src/events/index.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const crashPoint = env('CRASH_POINT');
const blockForever = async (entries: ReadonlyArray<{ eventId: string }>): Promise<void> => {
  process.send!({ crashPoint, eventIds: entries.map((entry) => entry.eventId) });
  await new Promise(() => undefined);
};

const client = await new MongoClient(env('MONGO_URI')).connect();
const db = client.db(env('DB_NAME'));
const bus = new EventBus({
  serviceName: env('SERVICE_NAME'),
  streamKey: env('STREAM_KEY'),
  redis: new Redis(env('REDIS_URL')),
  mongo: { client, db },
  outbox: {
    leaseMs: Number(env('LEASE_MS')),
    hooks: crashPoint === 'before-publish' ? { beforePublish: blockForever } : { afterPublish: blockForever },
  },
});

const event = await withTransaction({
  client,
  fn: async (session) => {
    await db.collection('transfers').insertOne({ transferId: env('TRANSFER_ID'), amount: 500 }, { session });
    return bus.emit('transfer.completed', env('TENANT_ID'), 'user-1', { transferId: env('TRANSFER_ID'), amount: 500 }, { session });
  },
});
process.send!({ committed: event.id });
