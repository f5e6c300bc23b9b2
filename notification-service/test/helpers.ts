import { randomBytes, randomUUID } from 'node:crypto';
import { onTestFinished } from 'vitest';
import { EventBus, createIntegrationEvent, sealOtpCode, signUserContext, type IntegrationEvent } from 'core-service';
import { createTestFixture, getFreePort, waitFor, type TestFixture } from 'core-service/testing';
import { startSmtpSink } from '../src/dev-providers/smtp-sink.js';
import { startTwilioSink } from '../src/dev-providers/twilio-sink.js';
import { createSmtpEmailProvider } from '../src/providers/smtp-email.js';
import { createTwilioSmsProvider } from '../src/providers/twilio-sms.js';
import { createNotificationService, type NotificationService, type NotificationServiceOptions } from '../src/service.js';
import { TWILIO_STATUS_PATH, twilioStatusRoute } from '../src/delivery/status-callbacks.js';
import type { SettingsOverrides } from '../src/settings.js';

export const CONTEXT_SECRET = randomBytes(32).toString('hex');
export const OTP_KEY = randomBytes(32);
export const TWILIO = { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex'), from: '+15005550006' };

/** Permissions as the auth-service's default roles put them in tokens. */
export const ROLE_PERMISSIONS = {
  user: ['notification:read:own', 'notification:update:own'],
  admin: ['*:*:tenant'],
} as const;

export interface Caller {
  id: string;
  tenantId: string;
  roles: (keyof typeof ROLE_PERMISSIONS)[];
}

export interface GraphQLAnswer<T> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** Clocks short enough for tests: breakers reopen in a fraction of a second, retries back off in ms. */
export const FAST_SETTINGS: SettingsOverrides = {
  email: { retry: { attempts: 5, baseDelayMs: 50, maxDelayMs: 200 } },
  sms: { retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 } },
  breaker: { failureThreshold: 3, windowMs: 10_000, resetTimeoutMs: 400 },
  dispatchPollMs: 200,
};

export type SmtpSink = Awaited<ReturnType<typeof startSmtpSink>>;
export type TwilioSink = Awaited<ReturnType<typeof startTwilioSink>>;

export interface RunningNotification {
  fixture: TestFixture;
  service: NotificationService;
  url: string;
  smtp: SmtpSink;
  twilio: TwilioSink;
  sources: Sources;
  graphql<T = any>(caller: Caller | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLAnswer<T>>;
  user(id?: string): Caller;
  admin(id?: string): Caller;
}

/**
 * The other services' side: events on the brand's stream as auth-service, payment-service and
 * bonus-service publish them (a service never imports another; the gateway's suite runs the
 * real ones).
 */
export class Sources {
  constructor(
    private readonly bus: EventBus,
    private readonly fixture: TestFixture,
  ) {}

  async publish(type: string, userId: string | null, data: Record<string, unknown>, id?: string): Promise<IntegrationEvent> {
    const event = createIntegrationEvent({ type, tenantId: this.fixture.tenantId, userId, data, ...(id !== undefined ? { id } : {}) });
    await this.bus.publish([event]);
    return event;
  }

  /**
   * A user the service can address, made known the way a backfill does (`user.snapshot`): no
   * welcome message in the way of what a test looks for. `welcome` publishes `user.registered`.
   */
  async register(
    user: { id?: string; email?: string; phone?: string | null; displayName?: string; welcome?: boolean } = {},
  ): Promise<{ id: string; email: string; phone: string | null; displayName: string }> {
    const id = user.id ?? `u-${randomUUID().slice(0, 8)}`;
    const registered = { id, email: user.email ?? `${id}@example.test`, phone: user.phone ?? null, displayName: user.displayName ?? `User ${id.slice(2, 6)}` };
    const at = new Date().toISOString();
    if (user.welcome === true) await this.publish('user.registered', id, { email: registered.email, phone: registered.phone, displayName: registered.displayName, status: 'active', createdAt: at });
    else await this.publish('user.snapshot', id, { backfillId: 'test', email: registered.email, phone: registered.phone, displayName: registered.displayName, status: 'active', updatedAt: at });
    return registered;
  }

  transfer(fromUserId: string, toUserId: string, amount: number, currency = 'EUR', id?: string): Promise<IntegrationEvent> {
    return this.publish('transfer.completed', fromUserId, { transferId: randomUUID(), type: 'transfer', fromUserId, toUserId, amount, currency, status: 'completed' }, id);
  }

  otp(userId: string, channel: 'EMAIL' | 'SMS', destination: string, code: string): Promise<IntegrationEvent> {
    const otpId = randomUUID();
    return this.publish('auth.otp.requested', userId, {
      otpId,
      channel,
      purpose: 'withdrawal',
      destination,
      sealedCode: sealOtpCode(code, OTP_KEY, otpId),
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
    });
  }
}

export interface StartOptions {
  settings?: SettingsOverrides;
  overrides?: Partial<NotificationServiceOptions>;
  fixture?: TestFixture;
  smtp?: SmtpSink;
}

/** A notification-service on its own fixture with local SMTP and Twilio recorders, stopped after the test. */
export async function startNotification(options: StartOptions = {}): Promise<RunningNotification> {
  const fixture = options.fixture ?? createTestFixture({ label: 'notify' });
  const smtp = options.smtp ?? (await startSmtpSink());
  if (options.smtp === undefined) onTestFinished(() => smtp.close());
  const twilio = await startTwilioSink({ authToken: TWILIO.authToken, accountSid: TWILIO.accountSid });
  onTestFinished(() => twilio.close());
  const client = await fixture.mongoClient();
  // The port is chosen first: Twilio is told the callback URL before the server listens.
  const port = await getFreePort();
  const statusCallbackUrl = `http://127.0.0.1:${port}${TWILIO_STATUS_PATH}`;
  const service = createNotificationService({
    client,
    db: await fixture.db('notification'),
    coreDb: await fixture.db('core_service'),
    redis: fixture.redis(),
    streamKey: fixture.key('events'),
    keyPrefix: `${fixture.brand}:notification`,
    port,
    contextSecret: CONTEXT_SECRET,
    otpDeliveryKey: OTP_KEY,
    providers: {
      EMAIL: [createSmtpEmailProvider({ url: smtp.url, from: 'no-reply@platform.test', timeoutMs: 2_000 })],
      SMS: [createTwilioSmsProvider({ ...TWILIO, apiBaseUrl: twilio.url, timeoutMs: 2_000, statusCallbackUrl })],
    },
    routes: (deps) => ({ [TWILIO_STATUS_PATH]: twilioStatusRoute(deps, { authToken: TWILIO.authToken, publicUrl: statusCallbackUrl }) }),
    settings: { ...FAST_SETTINGS, ...options.settings },
    events: { blockMs: 100, claimIntervalMs: 500 },
    ...options.overrides,
  });
  const { url } = await service.start();
  onTestFinished(() => service.stop());
  const bus = new EventBus({ serviceName: `source-${randomUUID().slice(0, 6)}`, redis: fixture.redis(), streamKey: fixture.key('events') });
  onTestFinished(() => bus.close());
  const caller =
    (roles: Caller['roles']) =>
    (id = `u-${randomUUID().slice(0, 8)}`): Caller => ({ id, tenantId: fixture.tenantId, roles });
  return {
    fixture,
    service,
    url,
    smtp,
    twilio,
    sources: new Sources(bus, fixture),
    user: caller(['user']),
    admin: caller(['admin']),
    async graphql(who, query, variables) {
      const headers = signUserContext(
        who === null
          ? { correlationId: randomUUID() }
          : { sub: who.id, tid: who.tenantId, roles: who.roles, permissions: who.roles.flatMap((role) => [...ROLE_PERMISSIONS[role]]), correlationId: randomUUID() },
        CONTEXT_SECRET,
      );
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'apollo-require-preflight': 'true', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as never;
    },
  };
}

export function errorCode(answer: GraphQLAnswer<unknown>): unknown {
  return answer.errors?.[0]?.extensions?.['code'];
}

/** The deliveries of a user, by channel. */
export async function deliveriesOf(running: RunningNotification, userId: string) {
  return running.service.deps.store.deliveries.find({ tenantId: running.fixture.tenantId, userId }).sort({ createdAt: 1 }).toArray();
}

export { waitFor };
