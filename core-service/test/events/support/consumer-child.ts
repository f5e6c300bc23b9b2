/**
 * A consumer instance in its own process: joins the group, takes `wallet.debited` events and
 * blocks in the handler forever (reporting the event id), so the parent can SIGKILL it while
 * the entry is delivered but unacknowledged.
 */
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { EventBus } from '../../../src/events/index.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const client = await new MongoClient(env('MONGO_URI')).connect();
const bus = new EventBus({
  serviceName: env('SERVICE_NAME'),
  streamKey: env('STREAM_KEY'),
  consumerName: 'doomed-consumer',
  redis: new Redis(env('REDIS_URL')),
  mongo: { client, db: client.db(env('DB_NAME')) },
  blockMs: 200,
  // this instance must not re-claim anything itself during the test
  claimIdleMs: 600_000,
  claimIntervalMs: 600_000,
});
bus.on(
  'wallet.debited',
  async (event) => {
    process.send!({ blockedOn: event.id });
    await new Promise(() => undefined);
  },
  { name: 'apply-debit' },
);
await bus.startListening();
process.send!({ ready: true });
