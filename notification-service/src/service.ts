import { readFileSync } from 'node:fs';
import type { Db, MongoClient } from 'mongodb';
import type { Redis } from 'ioredis';
import {
  AuditTrail,
  CORE_DATABASE_NAME,
  EventBus,
  addServiceHealthChecks,
  createSubgraphServer,
  registerServiceMetrics,
  type ServiceLifecycle,
  type CircuitState,
  type SubgraphRoute,
  type SubgraphServer,
} from 'core-service';
import type { NotificationDeps } from './deps.js';
import { ChannelWorkers, type ProviderChains } from './delivery/channel-workers.js';
import { DeliveryDispatcher } from './delivery/dispatcher.js';
import { NOTIFICATION_ERRORS } from './domain/errors.js';
import { registerRecipientEventHandlers, requestRecipientsBackfillIfEmpty } from './events/recipient-events.js';
import { registerSourceEventHandlers } from './events/source-events.js';
import type { NotificationContext } from './resolvers/context.js';
import { resolvers } from './resolvers/index.js';
import { resolveSettings, type SettingsOverrides } from './settings.js';
import { NotificationStore } from './store/notification-store.js';
import { NotificationMetrics } from './metrics.js';

export const SERVICE_NAME = 'notification-service';

export const typeDefs = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

export interface NotificationServiceOptions {
  client: MongoClient;
  /** The platform database `core_service` (audit log); default the client's. */
  coreDb?: Db;
  /** The service's own database (inbox, deliveries, preferences, templates, outbox). */
  db: Db;
  redis: Redis;
  /** Stream shared by the brand's services. */
  streamKey?: string;
  /** Prefix for this service's Redis keys and BullMQ queues (brand). */
  keyPrefix?: string;
  port?: number;
  contextSecret?: string;
  /** The process's lifecycle (index.ts): readiness checks, in-flight requests drained on SIGTERM. */
  lifecycle?: ServiceLifecycle;
  /** Per channel, primary provider first, then fallbacks. */
  providers: ProviderChains;
  /** Opens the sealed OTP codes auth-service publishes; null: OTP deliveries fail. */
  otpDeliveryKey: Buffer | null;
  /** Plain HTTP routes beside GraphQL (provider status callbacks). */
  routes?: (deps: NotificationDeps) => Record<string, SubgraphRoute>;
  settings?: SettingsOverrides;
  /** Run the delivery workers in this process; default true. */
  workers?: boolean;
  /** Consume integration events; default true. */
  consumeEvents?: boolean;
  /** BullMQ lock and stall check (ms): how soon a killed worker's job runs again. */
  workerStall?: { lockDurationMs?: number; stalledIntervalMs?: number };
  /** Event consumer tuning (tests shorten the re-claim of abandoned entries). */
  events?: { claimIdleMs?: number; claimIntervalMs?: number; blockMs?: number; consumerName?: string };
  now?: () => Date;
}

export interface NotificationService {
  readonly server: SubgraphServer;
  readonly deps: NotificationDeps;
  readonly events: EventBus;
  readonly workers: ChannelWorkers;
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}

/**
 * Wires notification-service: store, event bus (consumer of auth, payment and bonus events;
 * outbox for `notification.created`), the dispatcher that feeds the channel queues, the
 * channel workers, and the subgraph server. Start-up order is the list below; stop runs it
 * backwards.
 */
export function createNotificationService(options: NotificationServiceOptions): NotificationService {
  void NOTIFICATION_ERRORS; // registered on import: every code is listed by `errorCodes`
  const keyPrefix = options.keyPrefix ?? 'notification';
  const settings = resolveSettings(options.settings);
  const store = new NotificationStore(options.db);
  const now = options.now ?? (() => new Date());
  const events = new EventBus({
    serviceName: SERVICE_NAME,
    redis: options.redis,
    mongo: { client: options.client, db: options.db },
    ...(options.streamKey !== undefined ? { streamKey: options.streamKey } : {}),
    ...options.events,
  });
  const dispatcher = new DeliveryDispatcher({ store, redis: options.redis, queuePrefix: `${keyPrefix}:bull`, settings, now });
  const deps: NotificationDeps = {
    client: options.client,
    audit: new AuditTrail({ db: options.coreDb ?? options.client.db(CORE_DATABASE_NAME), service: SERVICE_NAME }),
    store,
    events,
    redis: options.redis,
    keyPrefix,
    dispatcher,
    settings,
    providerNames: { EMAIL: options.providers.EMAIL[0]?.name ?? null, SMS: options.providers.SMS[0]?.name ?? null },
    now,
  };
  const workers = new ChannelWorkers({ deps, providers: options.providers, otpDeliveryKey: options.otpDeliveryKey, ...options.workerStall });
  if (options.consumeEvents !== false) {
    registerRecipientEventHandlers(events, deps);
    registerSourceEventHandlers(events, deps);
  }

  const server = createSubgraphServer<{ notification: NotificationDeps }>({
    name: SERVICE_NAME,
    typeDefs,
    resolvers: resolvers as never,
    ...(options.lifecycle !== undefined ? { lifecycle: options.lifecycle } : {}),
    context: (): Pick<NotificationContext, 'notification'> => ({ notification: deps }),
    ...(options.routes !== undefined ? { routes: options.routes(deps) } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.contextSecret !== undefined ? { contextSecret: options.contextSecret } : {}),
  });

  if (options.lifecycle !== undefined) addServiceHealthChecks(options.lifecycle, { client: options.client, redis: options.redis, events });

  deps.metrics = new NotificationMetrics(server.metrics, {
    breakerStates: () => workers.breakerStates(),
    queueDepths: async () => ({
      EMAIL: await dispatcher.queues.EMAIL.getJobCountByTypes('waiting', 'delayed', 'active', 'prioritized'),
      SMS: await dispatcher.queues.SMS.getJobCountByTypes('waiting', 'delayed', 'active', 'prioritized'),
    }),
  });
  // The SDK's service metrics beside them: pool, transactions, outbox, consumer lag, the
  // providers' breakers as circuit_breaker_state, the channel queues by job state.
  const serviceMetrics = registerServiceMetrics(server.metrics, {
    client: options.client,
    events,
    breakers: () => Object.entries(workers.breakerStates()).map(([name, state]) => ({ name, state: state as CircuitState })),
    queues: () => Object.values(dispatcher.queues),
  });

  return {
    server,
    deps,
    events,
    workers,
    async start() {
      await store.ensureIndexes();
      await deps.audit.ensureIndexes();
      if (options.workers !== false) await workers.start();
      dispatcher.start();
      if (options.consumeEvents !== false) {
        await events.start();
        await requestRecipientsBackfillIfEmpty(events, deps);
      } else {
        await events.startRelay();
      }
      return server.start();
    },
    async stop() {
      await server.stop();
      await events.close();
      await dispatcher.stop();
      await workers.stop();
      serviceMetrics.stop();
    },
  };
}
