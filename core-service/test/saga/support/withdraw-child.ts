/**
 * Runs the withdraw saga in its own process and stops inside the payout step, reporting on
 * stdout where it is, so the parent can SIGKILL it there:
 * - `CRASH_AT=payout-start`: hold persisted, payout started, nothing applied yet;
 * - `CRASH_AT=payout-applied`: the payout applied at the provider, its result not yet recorded.
 * The run is tracked for recovery (its delayed check goes to the parent's queue).
 */
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { OperationStateTracker, RecoveryJob } from '../../../src/recovery/index.js';
import { SagaEngine } from '../../../src/saga/index.js';
import { createWithdrawSaga } from './withdraw-saga.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const signal = (name: string, fields: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ signal: name, ...fields })}\n`);
};
const blockForever = (): Promise<never> => new Promise<never>(() => undefined);

const crashAt = env('CRASH_AT');
const leaseMs = Number(env('LEASE_MS'));
const client = await new MongoClient(env('MONGO_URI')).connect();
const db = client.db(env('DB_NAME'));
const redis = new Redis(env('REDIS_URL'), { maxRetriesPerRequest: null });
const recovery = new RecoveryJob({ redis, db, keyPrefix: env('KEY_PREFIX'), queuePrefix: env('QUEUE_PREFIX'), startWorker: false, interval: 0 });
const tracker = new OperationStateTracker('saga', { redis, recovery, staleAfter: 2 * leaseMs, heartbeatInterval: Math.floor(leaseMs / 4), ttl: 60 });
const engine = new SagaEngine({ db, client, leaseMs, heartbeatMs: Math.floor(leaseMs / 4), tracker, owner: 'child' });

let runId = '';
engine.on('step:completed', (event: { runId: string; step: string }) => {
  runId = event.runId;
  signal('step-persisted', { step: event.step, runId: event.runId });
});

const saga = createWithdrawSaga(db, {
  payoutRetrySafe: process.env['PAYOUT_RETRY_SAFE'] !== 'false',
  beforePayout: async () => {
    if (crashAt !== 'payout-start') return;
    signal('crash-point', { at: crashAt, runId });
    await blockForever();
  },
  afterPayoutApplied: async () => {
    if (crashAt !== 'payout-applied') return;
    signal('crash-point', { at: crashAt, runId });
    await blockForever();
  },
});

await engine.run(saga, { userId: env('USER_ID'), amount: 2_500 }, { idempotencyKey: env('IDEMPOTENCY_KEY'), tenantId: env('TENANT_ID') });
signal('finished');
