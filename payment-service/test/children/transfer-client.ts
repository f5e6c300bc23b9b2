/**
 * A separate OS process that runs its share of transfers concurrently through
 * `createTransferWithTransactions`, on its own MongoDB and Redis connections, and prints one
 * JSON line per transfer: what the caller was told. Used by the multi-process concurrency test.
 */
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import { GraphQLError } from 'graphql';
import { OperationStateTracker, WalletError, createTransferWithTransactions } from 'core-service';

export interface PlannedTransfer {
  fromUserId: string;
  toUserId: string;
  amount: number;
  idempotencyKey: string;
}

const { MONGO_URI, REDIS_URL, DB_NAME, TENANT_ID, KEY_PREFIX, PLAN } = process.env as Record<string, string>;
const plan = JSON.parse(PLAN!) as PlannedTransfer[];
const client = await new MongoClient(MONGO_URI!).connect();
const redis = new Redis(REDIS_URL!, { maxRetriesPerRequest: 1 });
const db = client.db(DB_NAME);
// Tracked like the resolvers' transfers, without a recovery job in this process (state only).
const tracker = new OperationStateTracker('transfer', { redis, keyPrefix: `${KEY_PREFIX}:` });

const latencies: number[] = [];
const window = Number(process.env['IN_FLIGHT'] ?? plan.length);
const queue = [...plan];
const runOne = async (planned: PlannedTransfer): Promise<void> => {
  const started = performance.now();
  try {
    // A client retries what the platform calls retryable (`extensions.retryable`: a transaction
    // that kept conflicting past its budget, a wallet's queue that was too long; both wrote
    // nothing) with the same idempotency key, as the app does.
    const attempt = async (left: number): Promise<Awaited<ReturnType<typeof createTransferWithTransactions>>> => {
      try {
        return await createTransferWithTransactions({ db, client, tenantId: TENANT_ID!, currency: 'EUR', ...planned }, { tracker });
      } catch (error) {
        if (error instanceof GraphQLError && error.extensions['retryable'] === true && left > 0) return attempt(left - 1);
        throw error;
      }
    };
    const result = await attempt(20);
    latencies.push(performance.now() - started);
    process.stdout.write(`${JSON.stringify({ key: planned.idempotencyKey, outcome: result.replayed ? 'replayed' : 'ok', transferId: result.transfer.id })}\n`);
  } catch (error) {
    const outcome = error instanceof WalletError ? error.code : `unexpected: ${error instanceof Error ? error.message : String(error)}`;
    process.stdout.write(`${JSON.stringify({ key: planned.idempotencyKey, outcome })}\n`);
  }
};
await Promise.all(
  Array.from({ length: Math.min(window, plan.length) }, async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await runOne(next);
  }),
);
process.stderr.write(
  `elapsed ${Math.round(performance.now())}ms latencies ${latencies
    .sort((a, b) => a - b)
    .map(Math.round)
    .join(',')}\n`,
);
await client.close();
redis.disconnect();
