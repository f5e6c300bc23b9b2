/**
 * payment-service start-up: configuration from the environment, connections, the service, and a
 * lifecycle that stops everything in reverse order on SIGTERM/SIGINT.
 */
import { Redis } from 'ioredis';
import { connectMongo, createServiceLifecycle, getLogger } from 'core-service';
import { createPaymentService, SERVICE_NAME } from './service.js';
import { SimulatedPayoutProvider } from './payout/simulated-payout-provider.js';
import { HttpPayoutProvider } from './payout/http-payout-provider.js';

function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') throw new Error(`${SERVICE_NAME}: environment variable ${name} is required`);
  return value;
}

const brand = env('BRAND', 'demo');
const mongoUri = env('MONGO_URI');
const redisUrl = env('REDIS_URL');
const port = Number(env('PORT', '4002'));

const lifecycle = createServiceLifecycle({ serviceName: SERVICE_NAME });
const client = await connectMongo(mongoUri);
const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
redis.on('error', (error) => getLogger().warn({ err: error }, 'redis connection error'));

const provider = process.env['PAYOUT_PROVIDER_URL']
  ? new HttpPayoutProvider({ baseUrl: process.env['PAYOUT_PROVIDER_URL'], ...(process.env['PAYOUT_PROVIDER_API_KEY'] ? { apiKey: process.env['PAYOUT_PROVIDER_API_KEY'] } : {}) })
  : new SimulatedPayoutProvider({
      latencyMs: Number(process.env['PAYOUT_SIMULATED_LATENCY_MS'] ?? 50),
      declineRate: Number(process.env['PAYOUT_SIMULATED_DECLINE_RATE'] ?? 0),
    });

const service = createPaymentService({
  client,
  db: client.db(process.env['PAYMENT_DB'] ?? `${brand}_payment_service`),
  redis,
  streamKey: `${brand}:events`,
  keyPrefix: `${brand}:payment`,
  port,
  provider,
  fundingShards: Number(process.env['FUNDING_SHARDS'] ?? 8),
});

lifecycle.onStop('mongodb', () => client.close());
lifecycle.onStart('service', async () => {
  const { url } = await service.start();
  getLogger().info({ url }, `${SERVICE_NAME} ready`);
}, () => service.stop());
lifecycle.onStop('redis', () => redis.quit().then(() => undefined));

await lifecycle.start();
