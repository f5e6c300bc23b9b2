/**
 * A payment-service process under load, for the crash test: it serves the subgraph and drives
 * transfers and withdrawals against itself over HTTP (signed contexts, as the gateway sends
 * them), printing one line per finished request, until the test kills it with SIGKILL.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import { signUserContext } from 'core-service';
import { createPaymentService } from '../../src/service.js';
import { SimulatedPayoutProvider } from '../../src/payout/simulated-payout-provider.js';

const env = process.env as Record<string, string>;
const users = JSON.parse(env['USERS']!) as string[];
const client = await new MongoClient(env['MONGO_URI']!).connect();
const redis = new Redis(env['REDIS_URL']!, { maxRetriesPerRequest: 1 });
const service = createPaymentService({
  client,
  db: client.db(env['DB_NAME']),
  redis,
  streamKey: env['STREAM_KEY']!,
  keyPrefix: env['KEY_PREFIX']!,
  port: 0,
  contextSecret: env['CONTEXT_SECRET']!,
  fundingShards: 4,
  sagaLeaseMs: Number(env['LEASE_MS']),
  transferStaleAfterMs: Number(env['LEASE_MS']),
  reconciliationEveryMs: 0,
  // Slow enough that a kill lands inside payouts as well as inside transactions.
  provider: new SimulatedPayoutProvider({ latencyMs: 30, declineRate: 0.2 }),
});
const { url } = await service.start();

const USER_PERMISSIONS = ['wallet:read:own', 'transfer:create:own', 'transfer:read:own', 'transaction:read:own', 'withdrawal:create:own'];
async function call(userId: string, query: string, variables: Record<string, unknown>): Promise<string> {
  const headers = signUserContext({ sub: userId, tid: env['TENANT_ID']!, roles: ['user'], permissions: USER_PERMISSIONS, correlationId: randomUUID() }, env['CONTEXT_SECRET']!);
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true', ...headers }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  return body.errors?.[0]?.extensions?.code ?? 'ok';
}

const TRANSFER = `mutation($input: CreateTransferInput!) { createTransfer(input: $input) { id } }`;
const WITHDRAW = `mutation($input: WithdrawInput!) { withdraw(input: $input) { id status } }`;
process.stdout.write(`ready ${url}\n`);
await Promise.all(
  Array.from({ length: 8 }, async () => {
    for (;;) {
      const from = users[randomInt(users.length)]!;
      const isWithdrawal = randomInt(3) === 0;
      const amount = 1 + randomInt(200);
      const outcome = isWithdrawal
        ? await call(from, WITHDRAW, { input: { amount, currency: 'EUR', idempotencyKey: `crash-${randomUUID()}` } })
        : await call(from, TRANSFER, {
            input: { toUserId: users[(users.indexOf(from) + 1 + randomInt(users.length - 1)) % users.length], amount, currency: 'EUR', idempotencyKey: `crash-${randomUUID()}` },
          });
      process.stdout.write(`${isWithdrawal ? 'withdraw' : 'transfer'} ${outcome}\n`);
    }
  }),
);
