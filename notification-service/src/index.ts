/**
 * notification-service start-up: configuration from the environment, providers, connections,
 * the service, and a lifecycle that stops everything in reverse order on SIGTERM/SIGINT.
 *
 * Environment (besides MONGO_URI, REDIS_URL, BRAND, PORT, INTERNAL_CONTEXT_SECRET):
 *   SMTP_URL                    smtp(s)://user:pass@host:port of the mail relay (required)
 *   SMTP_FROM                   sender address (default no-reply@<brand>.example)
 *   SMTP_FALLBACK_URL           a second relay, used while the first one's breaker is open
 *   TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM   SMS through Twilio; without them SMS is off
 *   TWILIO_API_URL              another base URL for Twilio's API (development: the local recorder)
 *   TWILIO_STATUS_CALLBACK_URL  public URL of this service's /providers/twilio/status (delivery receipts)
 *   OTP_DELIVERY_KEY            opens the sealed codes of auth.otp.requested (same key as auth-service)
 *   NOTIFICATION_EMAIL_CONCURRENCY, NOTIFICATION_SMS_CONCURRENCY   sends in flight per instance
 *   NOTIFICATION_WORKERS=0      serve the API and consume events without sending (scale separately)
 */
import {
  brandFromEnv,
  closeRedis,
  connectRedis,
  redisConfigFromEnv,
  CORE_DATABASE_NAME,
  createServiceDatabaseAccess,
  createServiceLifecycle,
  getLogger,
  parseOtpDeliveryKey,
  publishConfigCatalog,
  requireEnv,
} from 'core-service';
import { TWILIO_STATUS_PATH, twilioStatusRoute } from './delivery/status-callbacks.js';
import type { NotificationProvider } from './providers/provider.js';
import { createSmtpEmailProvider } from './providers/smtp-email.js';
import { createTwilioSmsProvider } from './providers/twilio-sms.js';
import { createNotificationService, SERVICE_NAME } from './service.js';

const env = (name: string, fallback?: string): string => requireEnv(SERVICE_NAME, name, fallback);
const optional = (name: string): string | undefined => process.env[name]?.trim() || undefined;
const positive = (name: string): number | undefined => {
  const value = optional(name);
  return value === undefined ? undefined : Math.max(1, Number.parseInt(value, 10) || 1);
};

const brand = brandFromEnv();
const mongoUri = env('MONGO_URI');
const port = Number(env('PORT', '4004'));
const smtpFrom = env('SMTP_FROM', `no-reply@${brand}.example`);

const email: NotificationProvider[] = [createSmtpEmailProvider({ url: env('SMTP_URL'), from: smtpFrom, name: 'smtp' })];
const fallbackSmtp = optional('SMTP_FALLBACK_URL');
if (fallbackSmtp !== undefined) email.push(createSmtpEmailProvider({ url: fallbackSmtp, from: smtpFrom, name: 'smtp-fallback' }));

const sms: NotificationProvider[] = [];
const twilioSid = optional('TWILIO_ACCOUNT_SID');
const twilioToken = optional('TWILIO_AUTH_TOKEN');
const statusCallbackUrl = optional('TWILIO_STATUS_CALLBACK_URL');
if (twilioSid !== undefined && twilioToken !== undefined) {
  const apiBaseUrl = optional('TWILIO_API_URL');
  sms.push(
    createTwilioSmsProvider({
      accountSid: twilioSid,
      authToken: twilioToken,
      from: env('TWILIO_FROM'),
      ...(apiBaseUrl !== undefined ? { apiBaseUrl } : {}),
      ...(statusCallbackUrl !== undefined ? { statusCallbackUrl } : {}),
    }),
  );
}
const otpKey = optional('OTP_DELIVERY_KEY');

const lifecycle = createServiceLifecycle({ serviceName: SERVICE_NAME });
const database = createServiceDatabaseAccess(SERVICE_NAME);
await database.initialize({ brand, uri: mongoUri });
// core-service's outage policy (fail fast while down, 2 s command timeout, reconnect forever
// with jitter): features degrade while Redis is down instead of queueing commands behind it.
const redis = await connectRedis(redisConfigFromEnv(process.env, { clientName: SERVICE_NAME }));

const emailConcurrency = positive('NOTIFICATION_EMAIL_CONCURRENCY');
const smsConcurrency = positive('NOTIFICATION_SMS_CONCURRENCY');
// No dynamic keys yet (settings come from the environment); published so `serviceConfigs` knows the service.
await publishConfigCatalog(database.getClient().db(CORE_DATABASE_NAME), SERVICE_NAME);
const service = createNotificationService({
  client: database.getClient(),
  db: await database.getDb(),
  redis,
  streamKey: `${brand}:events`,
  keyPrefix: `${brand}:notification`,
  lifecycle,
  port,
  providers: { EMAIL: email, SMS: sms },
  otpDeliveryKey: otpKey === undefined ? null : parseOtpDeliveryKey(otpKey),
  workers: process.env['NOTIFICATION_WORKERS'] !== '0',
  settings: {
    ...(emailConcurrency !== undefined ? { email: { concurrency: emailConcurrency } } : {}),
    ...(smsConcurrency !== undefined ? { sms: { concurrency: smsConcurrency } } : {}),
  },
  ...(twilioToken !== undefined && statusCallbackUrl !== undefined
    ? { routes: (deps) => ({ [TWILIO_STATUS_PATH]: twilioStatusRoute(deps, { authToken: twilioToken, publicUrl: statusCallbackUrl }) }) }
    : {}),
});

lifecycle.onStop('mongodb', () => database.close());
lifecycle.onStart(
  'service',
  async () => {
    const { url } = await service.start();
    getLogger().info({ url, email: email.map((p) => p.name), sms: sms.map((p) => p.name) }, `${SERVICE_NAME} ready`);
  },
  () => service.stop(),
);
lifecycle.onStop('redis', () => closeRedis());
// Last start step: the admin `systemHealth` sees this instance once it is up, and stops seeing it at a graceful stop.
lifecycle.reportHealth({ redis, brand, metrics: service.server.metrics });

await lifecycle.start();
lifecycle.installSignalHandlers();
