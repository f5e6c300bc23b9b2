/**
 * bonus-service start-up: configuration from the environment, connections, the service, and a
 * lifecycle that stops everything in reverse order on SIGTERM/SIGINT.
 */
import {
  brandFromEnv,
  closeRedis,
  connectRedis,
  redisConfigFromEnv,
  requireEnv,
  CORE_DATABASE_NAME,
  createConfigStore,
  createServiceDatabaseAccess,
  createServiceLifecycle,
  getLogger,
  publishConfigCatalog,
} from 'core-service';
import { PaymentBalanceCaps } from './awards/balance-caps.js';
import { createBonusService, SERVICE_NAME } from './service.js';

const env = (name: string, fallback?: string): string => requireEnv(SERVICE_NAME, name, fallback);

const brand = brandFromEnv();
const mongoUri = env('MONGO_URI');
const port = Number(env('PORT', '4003'));

const lifecycle = createServiceLifecycle({ serviceName: SERVICE_NAME });
const database = createServiceDatabaseAccess(SERVICE_NAME);
await database.initialize({ brand, uri: mongoUri });
const client = database.getClient();
// core-service's outage policy (fail fast while down, 2 s command timeout, reconnect forever
// with jitter): features degrade while Redis is down instead of queueing commands behind it.
const redis = await connectRedis(redisConfigFromEnv(process.env, { clientName: SERVICE_NAME }));

// No dynamic keys yet (settings come from the environment); published so `serviceConfigs` knows the service.
await publishConfigCatalog(client.db(CORE_DATABASE_NAME), SERVICE_NAME);
// payment-service's balance caps apply to awards and conversions too, live like in payment-service.
const configStore = createConfigStore({ db: client.db(CORE_DATABASE_NAME), redis });
await configStore.start();
const balanceCaps = await PaymentBalanceCaps.load(configStore);
const service = createBonusService({
  client,
  db: await database.getDb(),
  // Awards write payment-service's wallets and ledger in the award's own transaction: the
  // database payment-service resolves to, through this service's client.
  paymentDb: client.db(database.getDatabaseNameOf('payment-service')),
  redis,
  streamKey: `${brand}:events`,
  keyPrefix: `${brand}:bonus`,
  balanceCaps: () => balanceCaps.current,
  lifecycle,
  paymentKeyPrefix: `${brand}:payment`,
  port,
  expirySweepMs: Number(process.env['BONUS_EXPIRY_SWEEP_MS'] ?? 300_000),
  poolShards: Number(process.env['BONUS_POOL_SHARDS'] ?? 8),
});

lifecycle.onStop('mongodb', () => database.close());
lifecycle.onStart(
  'service',
  async () => {
    const { url } = await service.start();
    getLogger().info({ url }, `${SERVICE_NAME} ready`);
  },
  () => service.stop(),
);
lifecycle.onStop('config', () => configStore.close());
lifecycle.onStop('redis', () => closeRedis());
// Last start step: the admin `systemHealth` sees this instance once it is up, and stops seeing it at a graceful stop.
lifecycle.reportHealth({ redis, brand, metrics: service.server.metrics });

await lifecycle.start();
// SIGTERM/SIGINT: stop accepting, drain in-flight requests, then run the stop steps in reverse.
lifecycle.installSignalHandlers();
