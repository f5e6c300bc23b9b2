/**
 * The deployable gateway: `npm start -w gateway`.
 *
 * Environment:
 *   PORT                      listening port (default 4000)
 *   HOST                      listening address (default 0.0.0.0)
 *   REDIS_URL                 Redis (default redis://localhost:6379; required in production)
 *   BRAND                     key prefix of Redis keys and the event stream (default `demo`)
 *   INTERNAL_CONTEXT_SECRET   signs the user context for subgraphs (required, ≥ 32 chars)
 *   JWT_SECRET                HS256 access-token secret shared with auth-service (≥ 32 chars)
 *   JWT_PREVIOUS_SECRETS      comma-separated secrets still accepted during a rotation, or
 *   JWT_PUBLIC_KEYS           RS256: JSON object kid → PEM public key
 *   JWT_ISSUER / JWT_AUDIENCE defaults auth-service / payment-platform
 *   AUTH_SERVICE_URL, PAYMENT_SERVICE_URL, BONUS_SERVICE_URL, NOTIFICATION_SERVICE_URL
 *   SUBGRAPHS                 `auth=http://…/graphql,payment=http://…/graphql`: exactly these subgraphs
 *                             (otherwise those whose *_SERVICE_URL is set or whose folder exists)
 *   SUPERGRAPH                `file` (the checked-in supergraph, default in production) or
 *                             `introspect` (compose from the running subgraphs, default otherwise)
 *   SUPERGRAPH_PATH           the supergraph file for SUPERGRAPH=file (default gateway/supergraph.graphql)
 *   NODE_ENV=production       introspection and suggestions off, HSTS, no GraphQL IDE
 *   CORS_ORIGINS              comma-separated allowed browser origins
 *   COST_MEASURE_ONLY=1       log and export operation costs without rejecting
 *   PERSISTED_OPERATIONS      path to a JSON manifest { "<sha256>": "<document>" }
 *   PERSISTED_ONLY=1          reject documents not in the manifest
 *   TRUST_PROXY               proxies whose X-Forwarded-For is believed: loopback, addresses/CIDRs (comma-separated) or a hop count
 *   RATE_LIMIT_USER / RATE_LIMIT_IP   cost units per minute (defaults 20000 / 10000)
 *   MAX_BATCH_SIZE            operations allowed in one batched request (default 10)
 */
import { existsSync, readFileSync } from 'node:fs';
import { accessTokenKeysFromConfig, brandFromEnv, requireEnv, connectRedis, redisConfigFromEnv, createServiceLifecycle, DEFAULT_TOKEN_AUDIENCE, DEFAULT_TOKEN_ISSUER, getLogger } from 'core-service';
import { createGateway } from 'core-service/gateway';
import { SUPERGRAPH_PATH } from './compose.js';
import { subgraphsFromEnv } from './subgraphs.js';

const env = process.env;
const DEMO_LOGIN_EXAMPLE = `# The demo tenant seeded by npm start. Run this, then put the accessToken in the
# Headers tab as {"Authorization": "Bearer <accessToken>"} and try { me { id email roles } }.
mutation Login {
  login(input: { tenantId: "demo", email: "alice@demo.local", password: "demo-password-2026" }) {
    accessToken
    refreshToken
    user { id email roles }
  }
}
`;
const log = getLogger('gateway');
const production = env['NODE_ENV'] === 'production';

const required = (name: string): string => requireEnv('gateway', name);

function tokenKeys() {
  const common = { issuer: env['JWT_ISSUER'] ?? DEFAULT_TOKEN_ISSUER, audience: env['JWT_AUDIENCE'] ?? DEFAULT_TOKEN_AUDIENCE, accessTokenTtlSeconds: 900 };
  if (env['JWT_PUBLIC_KEYS']) return accessTokenKeysFromConfig({ algorithm: 'RS256', publicKeys: JSON.parse(env['JWT_PUBLIC_KEYS']) as Record<string, string>, ...common });
  // During an HS256 rotation auth-service signs with the new secret while tokens signed with the
  // old one are still valid: the gateway must accept both until they expire.
  const previousSecrets = (env['JWT_PREVIOUS_SECRETS'] ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret !== '');
  return accessTokenKeysFromConfig({ algorithm: 'HS256', secret: required('JWT_SECRET'), ...(previousSecrets.length > 0 ? { previousSecrets } : {}), ...common });
}

const lifecycle = createServiceLifecycle({ serviceName: 'gateway' });
const redis = await connectRedis(redisConfigFromEnv(env, { clientName: 'gateway' }));
const mode = env['SUPERGRAPH'] ?? (production ? 'file' : 'introspect');
// Only the subgraphs that exist in this deployment (see subgraphsFromEnv).
const subgraphs = subgraphsFromEnv(env, (s) => existsSync(new URL(`../../${s.schemaPath}`, import.meta.url)));
const persisted = env['PERSISTED_OPERATIONS'] ? new Map(Object.entries(JSON.parse(readFileSync(env['PERSISTED_OPERATIONS'], 'utf8')) as Record<string, string>)) : undefined;

const gateway = createGateway({
  port: Number(env['PORT'] ?? 4000),
  host: env['HOST'] ?? '0.0.0.0',
  subgraphs,
  ...(mode === 'file' ? { supergraphSdl: readFileSync(env['SUPERGRAPH_PATH'] ?? SUPERGRAPH_PATH, 'utf8') } : {}),
  production,
  redis,
  brand: brandFromEnv(),
  contextSecret: required('INTERNAL_CONTEXT_SECRET'),
  tokenKeys: tokenKeys(),
  cost: { measureOnly: env['COST_MEASURE_ONLY'] === '1' },
  ...(persisted ? { persistedOperations: { operations: persisted, only: env['PERSISTED_ONLY'] === '1' } } : {}),
  allowedOrigins: (env['CORS_ORIGINS'] ?? 'http://localhost:5173').split(',').filter((o) => o.length > 0),
  ...(env['TRUST_PROXY'] ? { trustProxy: /^\d+$/.test(env['TRUST_PROXY']) ? Number(env['TRUST_PROXY']) : env['TRUST_PROXY'] } : {}),
  // Development only (createGateway never serves it in production): the first tab is the demo login
  // that `npm start` seeds (auth-service/src/seed.ts), so the IDE works on first open.
  graphqlIde: { title: 'Payment platform GraphQL', defaultQuery: DEMO_LOGIN_EXAMPLE },
  ...(env['MAX_BATCH_SIZE'] ? { maxBatchSize: Number(env['MAX_BATCH_SIZE']) } : {}),
  rateLimit: {
    ...(env['RATE_LIMIT_USER'] ? { userLimit: Number(env['RATE_LIMIT_USER']) } : {}),
    ...(env['RATE_LIMIT_IP'] ? { ipLimit: Number(env['RATE_LIMIT_IP']) } : {}),
  },
});

lifecycle.onStart(
  'gateway',
  async () => {
    const { url } = await gateway.start();
    log.info({ url, supergraph: mode, subgraphs: subgraphs.map((s) => `${s.name}=${s.url}`) }, 'gateway ready');
  },
  () => gateway.stop(),
);
lifecycle.onStop('redis', () => redis.quit().then(() => undefined));
// Last start step: the admin `systemHealth` sees this gateway, its subgraph breakers and probes.
lifecycle.reportHealth({
  redis,
  brand: brandFromEnv(),
  metrics: gateway.metrics.registry,
  readiness: async () => ({ ...(await gateway.readiness()), state: lifecycle.state }),
});
lifecycle.installSignalHandlers();
await lifecycle.start();
