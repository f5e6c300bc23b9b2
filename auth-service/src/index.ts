/**
 * Start-up: `npm start -w auth-service` (tsx, sources through the `source` condition).
 *
 * Environment:
 *   PORT                     listening port (default 4001)
 *   HOST                     listening address (default 0.0.0.0)
 *   MONGO_URI                MongoDB (default mongodb://localhost:27017)
 *   DB_STRATEGY              how databases are named (core-service createServiceDatabaseAccess; default
 *                            per-service: `auth_service`)
 *   REDIS_URL                Redis (default redis://localhost:6379; required in production)
 *   BRAND                    key prefix of Redis keys and the event stream (default `demo`, core-service's)
 *   INTERNAL_CONTEXT_SECRET  the gateway's context-signing secret (required, ≥ 32 chars)
 *   JWT_SECRET               HS256 access-token secret (≥ 32 chars); or store RS256 keys in the
 *                            config store (`auth-service`/`jwt`, env AUTH_SERVICE_JWT as JSON)
 *   JWT_PREVIOUS_SECRETS     comma-separated secrets still accepted during a rotation
 *   OTP_SECRET               HMAC key for stored OTP codes (≥ 32 chars)
 *   OTP_DELIVERY_KEY         AES-256 key (64 hex chars) sealing codes in auth.otp.requested for the deliverer
 *   AUTH_SERVICE_SECURITY    JSON override of the security settings (see settings.ts)
 *   PAGINATION_CURSOR_SECRET shared by every instance, so cursors survive load balancing
 *   SEED_DEMO=1              create the demo tenant, admin and two users (idempotent)
 */
import {
  brandFromEnv,
  requireEnv,
  connectRedis,
  redisConfigFromEnv,
  contextSecretsFromEnv,
  CORE_DATABASE_NAME,
  createServiceDatabaseAccess,
  getConfigWithDefault,
  getLogger,
  loadAccessTokenKeys,
  openServiceConfig,
  registerAccessTokenConfigDefaults,
} from 'core-service';
import { seedDemoTenant } from './seed.js';
import { createAuthService } from './service.js';
import { registerAuthConfigDefaults, SERVICE_NAME, type AuthSettingsOverride } from './settings.js';

const env = process.env;
const log = getLogger(SERVICE_NAME);

const required = (name: string): string => requireEnv(SERVICE_NAME, name);

async function main(): Promise<void> {
  const brand = brandFromEnv();
  const database = createServiceDatabaseAccess(SERVICE_NAME);
  await database.initialize({ brand, uri: env['MONGO_URI'] ?? 'mongodb://localhost:27017' });
  const client = database.getClient();
  const redis = await connectRedis(redisConfigFromEnv(env, { clientName: SERVICE_NAME }));
  const configStore = await openServiceConfig({
    db: client.db(CORE_DATABASE_NAME),
    redis,
    service: SERVICE_NAME,
    register: () => {
      registerAuthConfigDefaults();
      registerAccessTokenConfigDefaults();
    },
  });

  const service = createAuthService({
    client,
    db: await database.getDb(),
    redis,
    brand,
    keys: await loadAccessTokenKeys(),
    otpSecret: required('OTP_SECRET'),
    otpDeliveryKey: required('OTP_DELIVERY_KEY'),
    contextSecret: contextSecretsFromEnv(env) ?? required('INTERNAL_CONTEXT_SECRET'),
    settings: await getConfigWithDefault<AuthSettingsOverride>(SERVICE_NAME, 'security'),
    configStore,
    port: Number(env['PORT'] ?? 4001),
    host: env['HOST'] ?? '0.0.0.0',
  });
  service.lifecycle.onStop('config', () => configStore.close());
  service.lifecycle.onStop('connections', async () => {
    await redis.quit().catch(() => redis.disconnect());
    await database.close();
  });
  const { url } = await service.start();
  service.lifecycle.installSignalHandlers();
  if (env['SEED_DEMO'] === '1' || env['SEED_DEMO'] === 'true') {
    const seed = await seedDemoTenant(service.deps);
    log.info({ tenantId: seed.tenantId, accounts: seed.accounts.map((a) => ({ email: a.email, roles: a.roles, created: a.created })) }, 'demo tenant seeded');
  }
  log.info({ url }, 'auth-service ready');
}

main().catch((error: unknown) => {
  log.fatal({ err: error }, 'auth-service failed to start');
  process.exit(1);
});
