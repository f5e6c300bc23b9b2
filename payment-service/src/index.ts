/**
 * payment-service start-up: its database through core-service's accessor (named by the
 * configured strategy, never by hand), its dynamic settings from the config store (env >
 * stored > defaults, live), connections, the service, and a lifecycle that stops everything in
 * reverse order on SIGTERM/SIGINT.
 */
import {
  brandFromEnv,
  closeRedis,
  connectRedis,
  redisConfigFromEnv,
  requireEnv,
  CORE_DATABASE_NAME,
  createServiceDatabaseAccess,
  createServiceLifecycle,
  getLogger,
  openServiceConfig,
} from 'core-service';
import { createPaymentService, SERVICE_NAME } from './service.js';
import { ConfiguredPayoutProvider, payoutProviderFor } from './payout/configured-payout-provider.js';
import { LivePaymentSettings, legacyEnvOverrides, registerPaymentConfigDefaults } from './settings.js';

const env = (name: string, fallback?: string): string => requireEnv(SERVICE_NAME, name, fallback);

const brand = brandFromEnv();
const mongoUri = env('MONGO_URI');
const port = Number(env('PORT', '4002'));
const isProduction = process.env['NODE_ENV'] === 'production';

const lifecycle = createServiceLifecycle({ serviceName: SERVICE_NAME });
const database = createServiceDatabaseAccess(SERVICE_NAME);
await database.initialize({ brand, uri: mongoUri });
const client = database.getClient();
// core-service's outage policy (fail fast while down, 2 s command timeout, reconnect forever
// with jitter): features degrade while Redis is down instead of queueing commands behind it.
const redis = await connectRedis(redisConfigFromEnv(process.env, { clientName: SERVICE_NAME }));

const configStore = await openServiceConfig({
  db: client.db(CORE_DATABASE_NAME),
  redis,
  service: SERVICE_NAME,
  register: registerPaymentConfigDefaults,
  env: { ...legacyEnvOverrides(process.env), ...process.env },
});
const settings = await LivePaymentSettings.load(configStore);

// Refuses to start in production without a real provider (throws before anything listens).
const provider = new ConfiguredPayoutProvider(payoutProviderFor(settings.current.payout, { isProduction }));
settings.onChange((next) => {
  // Replaced only when the payout settings themselves changed: the simulated provider
  // remembers outcomes by idempotency key, which a needless swap would forget.
  if (JSON.stringify(next.payout) !== JSON.stringify(settings.current.payout)) provider.replace(payoutProviderFor(next.payout, { isProduction }));
});

const service = createPaymentService({
  client,
  db: await database.getDb(),
  redis,
  streamKey: `${brand}:events`,
  keyPrefix: `${brand}:payment`,
  port,
  provider,
  settings,
  lifecycle,
});

lifecycle.onStop('mongodb', () => database.close());
lifecycle.onStart(
  'service',
  async () => {
    const { url } = await service.start();
    getLogger().info({ url, database: database.getDatabaseName(), payoutProvider: provider.name }, `${SERVICE_NAME} ready`);
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
