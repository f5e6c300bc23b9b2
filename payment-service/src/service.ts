import { readFileSync } from 'node:fs';
import type { ClientSession, Db, MongoClient } from 'mongodb';
import type { Redis } from 'ioredis';
import {
  AuditTrail,
  CORE_DATABASE_NAME,
  DEFAULT_TRACK_AFTER_MS,
  EventBus,
  MONEY_MOVEMENT_AUDIT_RULES,
  OperationStateTracker,
  createEventAuditor,
  RecoveryJob,
  RecoveryRegistry,
  createServiceLifecycle,
  createSubgraphServer,
  createWebhookManager,
  addServiceHealthChecks,
  type ServiceLifecycle,
  runAfterCommit,
  registerServiceMetrics,
  type SubgraphServer,
  createTransferEventEmitter,
} from 'core-service';
import { SagaEngine, registerSagaRecovery } from 'core-service/saga';
import { PAYMENT_ERRORS } from './domain/errors.js';
import type { PayoutProvider } from './payout/payout-provider.js';
import { SimulatedPayoutProvider } from './payout/simulated-payout-provider.js';
import { createPaymentContext, type PaymentDeps } from './resolvers/context.js';
import { resolvers } from './resolvers/index.js';
import { PaymentStore } from './store/payment-store.js';
import { BalanceCache } from './store/balance-cache.js';
import { registerTransferRecovery, TRANSFER_OPERATION } from './recovery/transfer-recovery.js';
import { registerHoldRecovery } from './recovery/hold-recovery.js';
import { ReconciliationJob } from './reconciliation/reconciliation-job.js';
import { withdrawSagaOf } from './resolvers/withdraw-saga-registry.js';
import { isWebhookEvent } from './events/webhook-events.js';
import { registerUserProjection } from './events/user-events.js';
import { UserBackfill } from './events/user-backfill.js';
import { UserProjectionStore } from './store/user-projection-store.js';
import { DEFAULT_PAYMENT_SETTINGS, type PaymentSettings } from './settings.js';
import { PaymentMetrics } from './metrics.js';

export const SERVICE_NAME = 'payment-service';

export const typeDefs = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

export interface PaymentServiceOptions {
  client: MongoClient;
  /** The service's own database. */
  db: Db;
  redis: Redis;
  /** Stream shared by the brand's services; default `events:stream`. */
  streamKey?: string;
  /** The platform database `core_service` (audit log); default the client's. */
  coreDb?: Db;
  /** Prefix for Redis keys of recovery state and BullMQ queues (brand). */
  keyPrefix?: string;
  port?: number;
  contextSecret?: string;
  provider?: PayoutProvider;
  /**
   * Live settings (settings.ts: `LivePaymentSettings` over the config store). Without them the
   * fixed values below apply (tests, benchmarks).
   */
  settings?: { readonly current: PaymentSettings };
  /** Sub-wallets of the external funding account (see domain/system-accounts.ts); default 8. */
  fundingShards?: number;
  /** How long a withdrawal saga stays owned without a heartbeat; default 30 s. */
  sagaLeaseMs?: number;
  /** Ms without a heartbeat after which a self-managed transfer counts as stuck; default 60 s. */
  transferStaleAfterMs?: number;
  /**
   * Ms a self-managed transfer runs before crash tracking records it (core-service
   * `DEFAULT_TRACK_AFTER_MS`, 1 s: the happy path pays nothing for tracking); 0 tracks every one.
   */
  transferTrackAfterMs?: number;
  /** Ms between backstop recovery sweeps (saga runs, stuck holds, transfers); default 5 min. */
  recoverySweepMs?: number;
  /** Ms between scheduled reconciliation runs; default one hour, 0 for none. */
  reconciliationEveryMs?: number;
  /** Allow webhook URLs on private networks (development and tests). */
  allowPrivateWebhooks?: boolean;
  /** Webhook delivery attempts and back-off. */
  webhookRetry?: { maxAttempts?: number; backoffMs?: number };
  /** How long a party missing from the users projection is looked for again before a refusal; default 1 s. */
  unknownUserGraceMs?: number;
  /** Ms after which an unanswered users backfill is asked again; default one minute, 0 for never. */
  backfillRetryMs?: number;
  /** `lookupRecipient` calls per caller and window; default 30 per minute. */
  recipientLookupLimit?: { limit: number; windowMs: number };
  /**
   * The process's lifecycle (index.ts): /health/ready reports its checks (MongoDB, Redis, the
   * event bus with outbox lag) and SIGTERM drains in-flight requests before stopping. Without
   * one (tests), the service makes its own.
   */
  lifecycle?: ServiceLifecycle;
}

export interface PaymentService {
  readonly server: SubgraphServer;
  readonly deps: PaymentDeps;
  readonly events: EventBus;
  readonly recovery: RecoveryJob;
  /** The users snapshot start-up asked auth-service for, if the projection was empty or behind. */
  readonly startupBackfill: { backfillId: string | null };
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
  const audit = new AuditTrail({ db: options.coreDb ?? options.client.db(CORE_DATABASE_NAME), service: SERVICE_NAME });
  const events = new EventBus({
    serviceName: SERVICE_NAME,
    redis: options.redis,
    mongo: { client: options.client, db: options.db },
    auditor: createEventAuditor(audit, MONEY_MOVEMENT_AUDIT_RULES),
    ...(options.streamKey !== undefined ? { streamKey: options.streamKey } : {}),
    // A new deployment's group reads what the stream still holds (registrations included)
    // rather than only what comes after it joined; the backfill covers what was trimmed.
    startFrom: 'all',
  });
  const projection = new UserProjectionStore(options.db, options.client);
  registerUserProjection(events, projection);
  const backfill = new UserBackfill({ events, redis: options.redis, store: projection });
  const webhooks = createWebhookManager({
    db: options.db,
    serviceName: SERVICE_NAME,
    redis: options.redis,
    queuePrefix: `${keyPrefix}:bull`,
    events,
    ...(options.webhookRetry !== undefined ? { retryConfig: options.webhookRetry } : {}),
    ...(options.allowPrivateWebhooks !== undefined ? { allowPrivateNetworks: options.allowPrivateWebhooks } : {}),
  });
  // The relay hands committed outbox entries flagged for webhooks to the manager.
  events.attachWebhooks(webhooks);
  const balances = new BalanceCache({ redis: options.redis, keyPrefix });
  // Every movement announces each wallet it changed: the one place to drop the cached balances,
  // after the commit and never after an abort. No I/O before the commit.
  const observe = async (type: string, tenantId: string, userId: string | null, data: Record<string, unknown>, session: ClientSession): Promise<void> => {
    if (type === 'wallet.updated' && userId !== null) await runAfterCommit(session, () => balances.invalidate(tenantId, userId));
    await metrics.observeEvent(type, data, session);
  };
  // A movement's events (completion and both wallets) go to the outbox as one insert.
  const emit = createTransferEventEmitter(events, { observe, dispatchWebhooks: isWebhookEvent });

  const registry = new RecoveryRegistry();
  const recovery = new RecoveryJob({
    redis: options.redis,
    db: options.db,
    registry,
    keyPrefix: `${keyPrefix}:`,
    queuePrefix: `${keyPrefix}:bull`,
    events,
    ...(options.recoverySweepMs !== undefined ? { interval: options.recoverySweepMs } : {}),
  });
  const leaseMs = options.sagaLeaseMs ?? 30_000;
  const sagas = new SagaEngine({
    db: options.db,
    client: options.client,
    leaseMs,
    tracker: new OperationStateTracker('saga', { redis: options.redis, recovery, staleAfter: leaseMs * 2 }),
  });
  registerSagaRecovery(sagas, { registry });

  const settings = options.settings ?? {
    current: {
      ...DEFAULT_PAYMENT_SETTINGS,
      fundingShards: options.fundingShards ?? DEFAULT_PAYMENT_SETTINGS.fundingShards,
      limits: {
        recipientLookupsPerMinute: options.recipientLookupLimit?.limit ?? DEFAULT_PAYMENT_SETTINGS.limits.recipientLookupsPerMinute,
        unknownUserGraceMs: options.unknownUserGraceMs ?? DEFAULT_PAYMENT_SETTINGS.limits.unknownUserGraceMs,
      },
    },
  };
  const deps: PaymentDeps = {
    db: options.db,
    client: options.client,
    store,
    sagas,
    provider: options.provider ?? new SimulatedPayoutProvider(),
    emit,
    // Getters: every request reads the settings in force now, so a config edit applies at once.
    get fundingShards() {
      return settings.current.fundingShards;
    },
    transferTracker: new OperationStateTracker(TRANSFER_OPERATION, { redis: options.redis, recovery, staleAfter: options.transferStaleAfterMs ?? 60_000 }),
    transferTrackAfterMs: options.transferTrackAfterMs ?? DEFAULT_TRACK_AFTER_MS,
    balances,
    webhooks,
    reconciliation: new ReconciliationJob({
      db: options.db,
      client: options.client,
      store,
      redis: options.redis,
      events,
      queuePrefix: `${keyPrefix}:bull`,
      ...(options.reconciliationEveryMs !== undefined ? { everyMs: options.reconciliationEveryMs } : {}),
      onReport: (report) => metrics.reconciled(report),
    }),
    projection,
    backfill,
    get unknownUserGraceMs() {
      return settings.current.limits.unknownUserGraceMs;
    },
    get balanceCaps() {
      return settings.current.balanceCaps;
    },
    recipientLookups: {
      redis: options.redis,
      keyPrefix,
      get limit() {
        return settings.current.limits.recipientLookupsPerMinute;
      },
      windowMs: options.recipientLookupLimit?.windowMs ?? 60_000,
    },
  };
  // Registered up front: after a restart, recovery must be able to resume runs this process never started.
  sagas.register(withdrawSagaOf(deps));
  registerTransferRecovery(registry, store);
  registerHoldRecovery(registry, deps, sagas, { minAgeMs: leaseMs * 2 });

  const ownsLifecycle = options.lifecycle === undefined;
  const lifecycle = options.lifecycle ?? createServiceLifecycle({ serviceName: SERVICE_NAME });
  addServiceHealthChecks(lifecycle, { client: options.client, redis: options.redis, events });
  const server = createSubgraphServer({
    name: SERVICE_NAME,
    typeDefs,
    resolvers: resolvers as never,
    lifecycle,
    context: ({ base }) => createPaymentContext(base, deps),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.contextSecret !== undefined ? { contextSecret: options.contextSecret } : {}),
  });

  // /metrics: the SDK's (pool, transactions, outbox, consumer lag, cache, breakers, queues) and
  // payment's own. Declared after `emit` and the reconciliation job that use it: they only run
  // once requests and jobs start, long after this line.
  const metrics = new PaymentMetrics(server.metrics, { openHolds: () => store.openHoldsByCurrency() });
  const serviceMetrics = registerServiceMetrics(server.metrics, {
    client: options.client,
    events,
    caches: { balances: balances.cache },
    queues: () => [recovery.queue, deps.reconciliation.queue, webhooks.queue],
  });

  const startupBackfill: { backfillId: string | null } = { backfillId: null };
  return {
    server,
    deps,
    events,
    recovery,
    startupBackfill,
    async start() {
      await store.ensureIndexes();
      await projection.ensureIndexes();
      // Before any transaction writes an entry: an index build would wait for open transactions.
      await audit.ensureIndexes();
      // Measured before joining: joining creates the consumer group, hiding that it was lost.
      const health = await backfill.health();
      await events.start();
      startupBackfill.backfillId = await backfill.requestIfBehind(health);
      backfill.startRetrying(options.backfillRetryMs ?? 60_000);
      await webhooks.ensureIndexes();
      await balances.start();
      await recovery.start();
      await deps.reconciliation.start();
      // A lifecycle of its own (tests) starts here; index.ts's is running once its steps are.
      if (ownsLifecycle) await lifecycle.start();
      return server.start();
    },
    async stop() {
      backfill.stopRetrying();
      await server.stop();
      await deps.reconciliation.stop();
      await recovery.stop();
      await webhooks.close();
      await events.close();
      await balances.close();
      serviceMetrics.stop();
      if (ownsLifecycle) await lifecycle.shutdown('stop');
    },
  };
}
