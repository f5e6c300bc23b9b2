import { readFileSync } from 'node:fs';
import type { ClientSession, Db, MongoClient } from 'mongodb';
import type { Redis } from 'ioredis';
import {
  AuditTrail,
  CORE_DATABASE_NAME,
  EventBus,
  createEventAuditor,
  addServiceHealthChecks,
  createSubgraphServer,
  registerServiceMetrics,
  type ServiceLifecycle,
  type BalanceCaps,
  runAfterCommit,
  type SubgraphServer,
  createTransferEventEmitter,
} from 'core-service';
import type { BonusDeps } from './awards/bonus-deps.js';
import { BONUS_ERRORS } from './domain/errors.js';
import { isSystemAccount } from './domain/system-accounts.js';
import { BONUS_AUDIT_RULES } from './events/audit-rules.js';
import { registerPaymentEventHandlers } from './events/payment-events.js';
import { registerUserEventHandlers, requestUsersBackfillIfEmpty } from './events/user-events.js';
import { ExpiryScheduler } from './expiry/expiry-scheduler.js';
import type { BonusContext } from './resolvers/context.js';
import { resolvers } from './resolvers/index.js';
import { BonusStore } from './store/bonus-store.js';
import { PaymentBalanceCache } from './store/payment-balance-cache.js';
import { BonusMetrics } from './metrics.js';

export const SERVICE_NAME = 'bonus-service';

export const typeDefs = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

export interface BonusServiceOptions {
  client: MongoClient;
  /** The service's own database (templates, awards, outbox, processed events). */
  db: Db;
  /** payment-service's database: awards are transfers between its wallets. */
  paymentDb: Db;
  /** The platform database `core_service` (audit log); default the client's. */
  coreDb?: Db;
  redis: Redis;
  /** Stream shared by the brand's services; default `events:stream`. */
  streamKey?: string;
  /** Prefix for this service's Redis keys and BullMQ queues (brand). */
  keyPrefix?: string;
  /** payment-service's Redis prefix, whose wallet cache awards must drop (default `<brand>:payment`). */
  paymentKeyPrefix?: string;
  port?: number;
  contextSecret?: string;
  /** The process's lifecycle (index.ts): readiness checks, in-flight requests drained on SIGTERM. */
  lifecycle?: ServiceLifecycle;
  /** payment-service's balance caps, read per movement (index.ts: `PaymentBalanceCaps`); default none. */
  balanceCaps?: () => BalanceCaps;
  /** Sub-wallets of the bonus pool (domain/system-accounts.ts); default 8. */
  poolShards?: number;
  /** Ms between expiry sweeps; default 5 min; 0 for none. */
  expirySweepMs?: number;
  /** Consume payment events (awards from deposits, turnover); default true. */
  consumeEvents?: boolean;
  /** Run the expiry worker in this process; default true. */
  expiryWorker?: boolean;
  /** How soon a job of a killed expiry worker runs again (BullMQ lock and stall check, ms). */
  expiryStall?: { lockDurationMs?: number; stalledIntervalMs?: number };
  /** Event consumer tuning (tests shorten the re-claim of abandoned entries). */
  events?: { claimIdleMs?: number; claimIntervalMs?: number; blockMs?: number; consumerName?: string };
  now?: () => Date;
}

export interface BonusService {
  readonly server: SubgraphServer;
  readonly deps: BonusDeps;
  readonly events: EventBus;
  readonly expiry: ExpiryScheduler;
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}

/**
 * Wires bonus-service: its store, the event bus (outbox in its own database; consumer of
 * payment-service's money events), the expiry scheduler, and the subgraph server. Start-up order
 * is the list below; stop runs it backwards.
 */
export function createBonusService(options: BonusServiceOptions): BonusService {
  void BONUS_ERRORS; // registered on import: every code is listed by `errorCodes`
  const keyPrefix = options.keyPrefix ?? 'bonus';
  const store = new BonusStore(options.db);
  const audit = new AuditTrail({ db: options.coreDb ?? options.client.db(CORE_DATABASE_NAME), service: SERVICE_NAME });
  const events = new EventBus({
    serviceName: SERVICE_NAME,
    redis: options.redis,
    mongo: { client: options.client, db: options.db },
    auditor: createEventAuditor(audit, BONUS_AUDIT_RULES),
    ...(options.streamKey !== undefined ? { streamKey: options.streamKey } : {}),
    ...options.events,
  });
  const paymentCache = new PaymentBalanceCache({ redis: options.redis, paymentKeyPrefix: options.paymentKeyPrefix ?? 'payment' });
  const observe = async (type: string, tenantId: string, userId: string | null, data: Record<string, unknown>, session: ClientSession): Promise<void> => {
    if (type === 'wallet.updated' && userId !== null && !isSystemAccount(userId)) {
      await runAfterCommit(session, () => paymentCache.invalidate(tenantId, userId));
    }
    await metrics.observeEvent(type, data, session);
  };
  // A movement's events (completion and both wallets) go to the outbox as one insert.
  const emit = createTransferEventEmitter(events, { observe });
  const expiry = new ExpiryScheduler({
    redis: options.redis,
    queuePrefix: `${keyPrefix}:bull`,
    ...(options.expirySweepMs !== undefined ? { sweepEveryMs: options.expirySweepMs } : {}),
    ...options.expiryStall,
  });
  const deps: BonusDeps = {
    client: options.client,
    store,
    paymentDb: options.paymentDb,
    emit,
    audit,
    expiry,
    poolShards: options.poolShards ?? 8,
    now: options.now ?? (() => new Date()),
    balanceCaps: options.balanceCaps ?? (() => ({})),
  };
  expiry.bind(deps);
  if (options.consumeEvents !== false) {
    registerPaymentEventHandlers(events, deps);
    registerUserEventHandlers(events, deps);
  }

  const server = createSubgraphServer<{ bonus: BonusDeps }>({
    name: SERVICE_NAME,
    typeDefs,
    resolvers: resolvers as never,
    ...(options.lifecycle !== undefined ? { lifecycle: options.lifecycle } : {}),
    context: (): Pick<BonusContext, 'bonus'> => ({ bonus: deps }),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.contextSecret !== undefined ? { contextSecret: options.contextSecret } : {}),
  });

  if (options.lifecycle !== undefined) addServiceHealthChecks(options.lifecycle, { client: options.client, redis: options.redis, events });

  // /metrics: the SDK's (pool, transactions, outbox, consumer lag, breakers, the expiry queue) and
  // bonus's own. Declared after `emit`, which uses it only once requests and events arrive.
  const metrics = new BonusMetrics(server.metrics);
  const serviceMetrics = registerServiceMetrics(server.metrics, { client: options.client, events, queues: () => [expiry.queue] });

  return {
    server,
    deps,
    events,
    expiry,
    async start() {
      await store.ensureIndexes();
      // Before any transaction writes an entry: an index build would wait for open transactions.
      await audit.ensureIndexes();
      await expiry.start({ worker: options.expiryWorker !== false });
      // Entries a crashed instance left in the outbox go out now, not at the next emit.
      if (options.consumeEvents !== false) {
        await events.start();
        await requestUsersBackfillIfEmpty(events, deps);
      } else {
        await events.startRelay();
      }
      return server.start();
    },
    async stop() {
      await server.stop();
      await events.close();
      await expiry.stop();
      await paymentCache.close();
      serviceMetrics.stop();
    },
  };
}
