import { readFileSync } from 'node:fs';
import type { Db, MongoClient } from 'mongodb';
import type { Redis } from 'ioredis';
import {
  EventBus,
  OperationStateTracker,
  RecoveryJob,
  RecoveryRegistry,
  createSubgraphServer,
  type SubgraphServer,
  type TransferEventEmitter,
} from 'core-service';
import { SagaEngine, registerSagaRecovery } from 'core-service/saga';
import { PAYMENT_ERRORS } from './domain/errors.js';
import type { PayoutProvider } from './payout/payout-provider.js';
import { SimulatedPayoutProvider } from './payout/simulated-payout-provider.js';
import { createPaymentContext, type PaymentDeps } from './resolvers/context.js';
import { resolvers } from './resolvers/index.js';
import { PaymentStore } from './store/payment-store.js';

export const SERVICE_NAME = 'payment-service';

export const typeDefs = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

export interface PaymentServiceOptions {
  client: MongoClient;
  /** The service's own database. */
  db: Db;
  redis: Redis;
  /** Stream shared by the brand's services; default `events:stream`. */
  streamKey?: string;
  /** Prefix for Redis keys of recovery state and BullMQ queues (brand). */
  keyPrefix?: string;
  port?: number;
  contextSecret?: string;
  provider?: PayoutProvider;
  /** Sub-wallets of the external funding account (see domain/system-accounts.ts); default 8. */
  fundingShards?: number;
  /** How long a withdrawal saga stays owned without a heartbeat; default 30 s. */
  sagaLeaseMs?: number;
}

export interface PaymentService {
  readonly server: SubgraphServer;
  readonly deps: PaymentDeps;
  readonly events: EventBus;
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}

/**
 * Wires payment-service: its store and indexes, the event bus with its outbox (every money event
 * is written in the movement's transaction), the saga engine for withdrawals, crash recovery for
 * sagas, and the subgraph server. Start-up order is the list below; stop runs it backwards.
 */
export function createPaymentService(options: PaymentServiceOptions): PaymentService {
  void PAYMENT_ERRORS; // registered on import: every code is listed by `errorCodes`
  const keyPrefix = options.keyPrefix ?? 'payment';
  const store = new PaymentStore(options.db);
  const events = new EventBus({
    serviceName: SERVICE_NAME,
    redis: options.redis,
    mongo: { client: options.client, db: options.db },
    ...(options.streamKey !== undefined ? { streamKey: options.streamKey } : {}),
  });
  const emit: TransferEventEmitter = (type, tenantId, userId, data, { session }) => events.emit(type, tenantId, userId, data, { session });

  const registry = new RecoveryRegistry();
  const recovery = new RecoveryJob({ redis: options.redis, db: options.db, registry, keyPrefix: `${keyPrefix}:`, queuePrefix: `${keyPrefix}:bull` });
  const leaseMs = options.sagaLeaseMs ?? 30_000;
  const sagas = new SagaEngine({
    db: options.db,
    client: options.client,
    leaseMs,
    tracker: new OperationStateTracker('saga', { redis: options.redis, recovery, staleAfter: leaseMs * 2 }),
  });
  registerSagaRecovery(sagas, { registry });

  const deps: PaymentDeps = {
    db: options.db,
    client: options.client,
    store,
    sagas,
    provider: options.provider ?? new SimulatedPayoutProvider(),
    emit,
    fundingShards: options.fundingShards ?? 8,
  };

  const server = createSubgraphServer({
    name: SERVICE_NAME,
    typeDefs,
    resolvers: resolvers as never,
    context: ({ base }) => createPaymentContext(base, deps),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.contextSecret !== undefined ? { contextSecret: options.contextSecret } : {}),
  });

  return {
    server,
    deps,
    events,
    async start() {
      await store.ensureIndexes();
      await recovery.start();
      return server.start();
    },
    async stop() {
      await server.stop();
      await recovery.stop();
      await events.close();
    },
  };
}
