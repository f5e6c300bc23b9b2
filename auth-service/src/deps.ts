import type DataLoader from 'dataloader';
import type { Db, MongoClient } from 'mongodb';
import type { Redis } from 'ioredis';
import type { AccessTokenKeys, AuditTrail, ConfigAdmin, EventBus, HealthReporter, SessionCache, SubgraphContext } from 'core-service';
import type { Clock } from './domain/clock.js';
import type { UserRecord } from './domain/user.js';
import type { RoleInvalidation } from './events/role-invalidation.js';
import type { AuthSettings } from './settings.js';
import type { LoginThrottle } from './store/login-throttle.js';
import type { OtpStore } from './store/otp-store.js';
import type { AuthRedisKeys } from './store/redis-keys.js';
import type { RolePolicies } from './store/role-policies.js';
import type { RolesStore } from './store/roles-store.js';
import type { SessionsStore } from './store/sessions-store.js';
import type { TenantsStore } from './store/tenants-store.js';
import type { UsersStore } from './store/users-store.js';

/** Everything resolvers reach: stores, Redis helpers, keys, settings, the clock. Built once per instance. */
export interface AuthDeps {
  brand: string;
  client: MongoClient;
  db: Db;
  redis: Redis;
  redisKeys: AuthRedisKeys;
  users: UsersStore;
  sessions: SessionsStore;
  roles: RolesStore;
  tenants: TenantsStore;
  otps: OtpStore;
  policies: RolePolicies;
  throttle: LoginThrottle;
  sessionCache: SessionCache;
  events: EventBus;
  /** The platform's audit log (core_service.audit_log); entries follow the events (events/audit-rules.ts). */
  audit: AuditTrail;
  /** `core_service`: config catalog and stored values, audit log and chain heads. */
  coreDb: Db;
  configAdmin: ConfigAdmin;
  roleInvalidation: RoleInvalidation;
  keys: AccessTokenKeys;
  settings: AuthSettings;
  otpSecret: string;
  /** Seals codes in `auth.otp.requested` for the delivering service (OTP_DELIVERY_KEY). */
  otpDeliveryKey: Buffer;
  clock: Clock;
  /** This instance's health report; `systemHealth` answers with it alone when Redis is down. */
  health: HealthReporter;
}

/** The per-request context: the SDK's plus the service's own. */
export interface AuthContext extends SubgraphContext {
  deps: AuthDeps;
  /** Batches `User` lookups of one request into one query (entity fetches from the gateway). */
  userLoader: DataLoader<string, UserRecord | null>;
}
