import { onTestFinished } from 'vitest';
import type { MongoClient } from 'mongodb';
import { signUserContext, verifyAccessToken, type AccessTokenClaims, type AccessTokenKeys, type IntegrationEvent } from 'core-service';
import { createTestFixture, type TestFixture } from 'core-service/testing';
import { createManualClock, type Clock } from '../../src/domain/clock.js';
import { createAuthService, type AuthService } from '../../src/service.js';
import type { AuthSettingsOverride } from '../../src/settings.js';

export const CONTEXT_SECRET = 'auth-test-context-secret-0123456789abcdef';
export const JWT_SECRET = 'auth-test-jwt-secret-0123456789abcdefghij';
export const OTP_SECRET = 'auth-test-otp-secret-0123456789abcdefghij';
export const OTP_DELIVERY_KEY = '6f74702d64656c69766572792d6b65792d666f722d74657374732d6f6e6c7921';
export const KEYS: AccessTokenKeys = { algorithm: 'HS256', secret: JWT_SECRET, issuer: 'auth-service', audience: 'payment-platform' };
export const PASSWORD = 'correct horse battery staple';

// The cheapest cost scrypt allows here (1 MiB, ~2 ms): tests exercise the logic, the bench the cost.
const TEST_SETTINGS: AuthSettingsOverride = { scrypt: { logN: 10, r: 8, p: 1 } };

export interface GraphQLResponse<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, any> }[];
}

export interface CallOptions {
  /** Access token to act with; verified the way the gateway does before signing the context. */
  token?: string;
  /** Client address the gateway would forward. */
  address?: string;
}

export interface AuthHarness {
  fixture: TestFixture;
  service: AuthService;
  url: string;
  tenantId: string;
  clock: ReturnType<typeof createManualClock>;
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: CallOptions): Promise<GraphQLResponse<T>>;
  register(email: string, options?: { tenantId?: string; password?: string; phone?: string; address?: string }): Promise<AuthResult>;
  login(email: string, options?: { tenantId?: string; password?: string; address?: string }): Promise<GraphQLResponse<{ login: AuthResult }>>;
  /** Creates a user with the given roles straight in the store and logs in. */
  userWithRoles(email: string, roles: string[], tenantId?: string): Promise<AuthResult>;
  createTenant(id: string): Promise<void>;
  events(type?: string): Promise<IntegrationEvent<any>[]>;
}

export interface AuthResult {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; tenantId: string; email: string; roles: string[]; status: string };
}

export const AUTH_FIELDS = 'accessToken refreshToken expiresIn user { id tenantId email roles status }';

export interface StartAuthOptions {
  settings?: AuthSettingsOverride;
  clock?: ReturnType<typeof createManualClock>;
  /** Share another harness's database, Redis prefix and tenant (a second instance). */
  sharing?: AuthHarness;
  client?: MongoClient;
}

export async function startAuth(options: StartAuthOptions = {}): Promise<AuthHarness> {
  const fixture = options.sharing?.fixture ?? createTestFixture({ label: 'auth', autoCleanup: false });
  const client = options.client ?? (await fixture.mongoClient());
  const clock = options.clock ?? options.sharing?.clock ?? createManualClock(Date.now());
  const redis = fixture.redis();
  const service = createAuthService({
    client,
    db: client.db(fixture.dbName('auth')),
    redis,
    brand: fixture.brand,
    keys: KEYS,
    otpSecret: OTP_SECRET,
    otpDeliveryKey: OTP_DELIVERY_KEY,
    contextSecret: CONTEXT_SECRET,
    settings: { ...TEST_SETTINGS, ...options.settings },
    coreDb: client.db(fixture.dbName('core_service')),
    auditSealIntervalMs: 50,
    clock: clock as Clock,
    port: 0,
    host: '127.0.0.1',
  });
  const { url } = await service.start();
  onTestFinished(async () => {
    await service.stop();
    if (options.sharing === undefined) await fixture.cleanup();
  });

  const gql: AuthHarness['gql'] = async (query, variables = {}, callOptions = {}) => {
    let claims: AccessTokenClaims | undefined;
    // Acting as the gateway: verify the token at the real current time and forward who it is.
    if (callOptions.token !== undefined) claims = verifyAccessToken(callOptions.token, KEYS, { now: clock.now() });
    const headers = signUserContext(
      {
        ...(claims ? { sub: claims.sub, tid: claims.tid, sid: claims.sid, roles: claims.roles, permissions: claims.permissions } : {}),
        // The client address travels signed, as the gateway sends it.
        ...(callOptions.address ? { ip: callOptions.address } : {}),
        correlationId: `test-${fixture.id}`,
      },
      CONTEXT_SECRET,
    );
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<any>;
  };

  const harness: AuthHarness = {
    fixture,
    service,
    url,
    tenantId: fixture.tenantId,
    clock,
    gql,
    async register(email, opts = {}) {
      const res = await gql<{ register: AuthResult }>(
        `mutation($input: RegisterInput!) { register(input: $input) { ${AUTH_FIELDS} } }`,
        { input: { email, password: opts.password ?? PASSWORD, displayName: email.split('@')[0], tenantId: opts.tenantId ?? fixture.tenantId, ...(opts.phone ? { phone: opts.phone } : {}) } },
        opts.address ? { address: opts.address } : {},
      );
      if (!res.data?.register) throw new Error(`register failed: ${JSON.stringify(res.errors)}`);
      return res.data.register;
    },
    login(email, opts = {}) {
      return gql<{ login: AuthResult }>(
        `mutation($input: LoginInput!) { login(input: $input) { ${AUTH_FIELDS} } }`,
        { input: { email, password: opts.password ?? PASSWORD, tenantId: opts.tenantId ?? fixture.tenantId } },
        opts.address ? { address: opts.address } : {},
      );
    },
    async userWithRoles(email, roles, tenantId = fixture.tenantId) {
      const registered = await harness.register(email, { tenantId });
      await service.deps.users.collection.updateOne({ id: registered.user.id }, { $set: { roles } });
      const res = await harness.login(email, { tenantId });
      if (!res.data?.login) throw new Error(`login failed: ${JSON.stringify(res.errors)}`);
      return res.data.login;
    },
    async createTenant(id) {
      await service.deps.tenants.create({ id, name: id, createdAt: new Date(), createdBy: null });
    },
    async events(type) {
      const entries = await redis.xrange(`${fixture.brand}:events`, '-', '+');
      const events = entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('event') + 1] as string) as IntegrationEvent<any>);
      return type === undefined ? events : events.filter((event) => event.type === type);
    },
  };
  if (options.sharing === undefined) await harness.createTenant(fixture.tenantId);
  return harness;
}

/** Polls until `check` returns a value (not undefined/false); for effects that complete after the call returns (outbox relay, pub/sub). */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function errorCode(res: GraphQLResponse): string | undefined {
  return res.errors?.[0]?.extensions?.['code'];
}

export function decodeClaims(token: string): AccessTokenClaims {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as AccessTokenClaims;
}

let counter = 0;
export function uniqueEmail(label = 'user'): string {
  return `${label}.${process.pid}.${Date.now().toString(36)}.${counter++}@example.com`;
}
