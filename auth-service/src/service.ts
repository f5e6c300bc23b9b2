import { readFileSync } from 'node:fs';
import DataLoader from 'dataloader';
import type { Db, MongoClient } from 'mongodb';
import type { Redis } from 'ioredis';
import {
  AuditSealer,
  AuditTrail,
  ConfigAdmin,
  CORE_DATABASE_NAME,
  createConfigStore,
  createEventAuditor,
  createServiceLifecycle,
  getConfigWithDefault,
  getLogger,
  type ConfigStore,
  createSessionCache,
  createSubgraphServer,
  EventBus,
  addServiceHealthChecks,
  parseOtpDeliveryKey,
  registerServiceErrorCodes,
  registerServiceMetrics,
  type AccessTokenKeys,
  type ServiceLifecycle,
  type SubgraphServer,
} from 'core-service';
import type { AuthContext, AuthDeps } from './deps.js';
import { systemClock, type Clock } from './domain/clock.js';
import type { UserRecord } from './domain/user.js';
import { AUTH_ERROR_CODES } from './error-codes.js';
import { AUTH_AUDIT_RULES } from './events/audit-rules.js';
import { startRoleInvalidation } from './events/role-invalidation.js';
import { startUserSnapshotResponder } from './events/user-snapshot.js';
import { resolvers } from './resolvers/index.js';
import { DEFAULT_AUTH_SETTINGS, mergeSettings, SERVICE_NAME, type AuditSettings, type AuthSettingsOverride } from './settings.js';
import { LoginThrottle } from './store/login-throttle.js';
import { OtpStore } from './store/otp-store.js';
import { createAuthRedisKeys } from './store/redis-keys.js';
import { RolePolicies } from './store/role-policies.js';
import { RolesStore } from './store/roles-store.js';
import { SessionsStore } from './store/sessions-store.js';
import { TenantsStore } from './store/tenants-store.js';
import { UsersStore } from './store/users-store.js';

export const AUTH_SCHEMA = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

export interface AuthServiceOptions {
  client: MongoClient;
  /** The auth database (`users`, `sessions`, `roles`, `tenants`, `otp_codes`, `outbox`). */
  db: Db;
  redis: Redis;
  /** Key prefix of every Redis key and of the event stream (`{brand}:events`). */
  brand: string;
  keys: AccessTokenKeys;
  /** HMAC key for stored OTP codes (at least 32 characters). */
  otpSecret: string;
  /** OTP_DELIVERY_KEY as configured (64 hex characters or base64 of 32 bytes). */
  otpDeliveryKey: string;
  /** The gateway's context-signing secret (INTERNAL_CONTEXT_SECRET). */
  contextSecret: string | readonly string[];
  settings?: AuthSettingsOverride;
  /**
   * The platform database `core_service` (config store and catalog, audit log); default the
   * client's. auth-service serves the admin operations over it and seals the audit chains.
   */
  coreDb?: Db;
  /** The process's config store (start-up passes the one `openServiceConfig` opened); else one is made here. */
  configStore?: ConfigStore;
  /** How often this instance publishes its health report (default 5 s). */
  healthReportIntervalMs?: number;
  /** Audit sealer poll for entries written by other services (default 500 ms). */
  auditSealIntervalMs?: number;
  clock?: Clock;
  port?: number;
  host?: string;
}

export interface AuthService {
  readonly deps: AuthDeps;
  readonly server: SubgraphServer;
  readonly lifecycle: ServiceLifecycle;
  /** Creates indexes and default roles, starts listening; resolves with the GraphQL URL. */
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
}

/** Builds the whole service around given connections (start-up and tests share this). */
export function createAuthService(options: AuthServiceOptions): AuthService {
  if (options.otpSecret.length < 32) throw new Error('auth-service: OTP_SECRET must be at least 32 characters');
  registerServiceErrorCodes(AUTH_ERROR_CODES);
  const { client, db, redis, brand } = options;
  const settings = mergeSettings(DEFAULT_AUTH_SETTINGS, options.settings);
  const redisKeys = createAuthRedisKeys(brand);
  const roles = new RolesStore(db);
  const policies = new RolePolicies(roles);
  const users = new UsersStore(db);
  const coreDb = options.coreDb ?? client.db(CORE_DATABASE_NAME);
  const audit = new AuditTrail({ db: coreDb, service: SERVICE_NAME });
  const events = new EventBus({ serviceName: SERVICE_NAME, redis, mongo: { client, db }, streamKey: `${brand}:events`, auditor: createEventAuditor(audit, AUTH_AUDIT_RULES) });
  const ownsConfigStore = options.configStore === undefined;
  const configStore = options.configStore ?? createConfigStore({ db: coreDb, redis });
  const sealer = new AuditSealer({
    client,
    db: coreDb,
    logger: getLogger(SERVICE_NAME),
    ...(options.auditSealIntervalMs !== undefined ? { pollIntervalMs: options.auditSealIntervalMs } : {}),
    retentionDays: async () => (await getConfigWithDefault<AuditSettings>(SERVICE_NAME, 'audit').catch(() => ({ retentionDays: null }))).retentionDays,
  });
  audit.onRecord(() => sealer.notify());
  const lifecycle = createServiceLifecycle({ serviceName: SERVICE_NAME });

  // Filled in by the start step; resolvers run only after start, so they always see it set.
  const deps = {
    brand,
    client,
    db,
    redis,
    redisKeys,
    users,
    sessions: new SessionsStore(db),
    roles,
    tenants: new TenantsStore(db),
    otps: new OtpStore(db),
    policies,
    throttle: new LoginThrottle(redis, redisKeys, () => settings.loginThrottle),
    sessionCache: createSessionCache({ redis, brand }),
    events,
    audit,
    coreDb,
    configAdmin: new ConfigAdmin({ client, db: coreDb, store: configStore, audit }),
    keys: options.keys,
    settings,
    otpSecret: options.otpSecret,
    otpDeliveryKey: parseOtpDeliveryKey(options.otpDeliveryKey),
    clock: options.clock ?? systemClock,
  } as AuthDeps;

  const server = createSubgraphServer<Omit<AuthContext, keyof import('core-service').SubgraphContext>>({
    name: SERVICE_NAME,
    typeDefs: AUTH_SCHEMA,
    resolvers: resolvers as never,
    contextSecret: options.contextSecret,
    lifecycle,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    context: () => ({
      deps,
      userLoader: new DataLoader<string, UserRecord | null>(async (ids) => {
        const found = await users.findByIds(ids);
        const byId = new Map(found.map((u) => [u.id, u]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
    }),
  });

  lifecycle.onStart('indexes', async () => {
    await Promise.all([deps.users.ensureIndexes(), deps.sessions.ensureIndexes(), roles.ensureIndexes(), deps.tenants.ensureIndexes(), deps.otps.ensureIndexes()]);
    await roles.ensureDefaults(new Date(deps.clock.now()));
  });
  lifecycle.onStart(
    'role-invalidation',
    async () => {
      deps.roleInvalidation = await startRoleInvalidation(redis, redisKeys.rolesChanged, (tenantId) => policies.invalidate(tenantId));
    },
    () => deps.roleInvalidation.close(),
  );
  lifecycle.onStart(
    'events',
    () => startUserSnapshotResponder(events, users),
    () => events.close(),
  );
  lifecycle.onStart(
    'audit',
    async () => {
      await audit.ensureIndexes();
      if (ownsConfigStore) {
        await configStore.ensureIndexes();
        await configStore.start();
      }
      sealer.start();
    },
    async () => {
      await sealer.stop();
      if (ownsConfigStore) await configStore.close();
    },
  );
  // Login and refresh work without Redis (README, "When Redis is down"): only MongoDB is critical.
  addServiceHealthChecks(lifecycle, { client, redis, events });
  // /metrics: the SDK's service metrics (MongoDB pool, transactions, outbox, consumer lag).
  const serviceMetrics = registerServiceMetrics(server.metrics, { client, events });
  lifecycle.onStop('metrics', () => serviceMetrics.stop());
  // Last start step: reports once everything it reports on has started.
  deps.health = lifecycle.reportHealth({ redis, brand, metrics: server.metrics, ...(options.healthReportIntervalMs !== undefined ? { intervalMs: options.healthReportIntervalMs } : {}) });

  let started: { url: string; port: number } | undefined;
  return {
    deps,
    server,
    lifecycle,
    async start() {
      await lifecycle.start();
      started = await server.start();
      return started;
    },
    async stop() {
      await server.stop();
      await lifecycle.shutdown('stop');
    },
  };
}
