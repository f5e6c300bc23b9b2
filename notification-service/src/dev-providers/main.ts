/**
 * The local provider stand-ins as a process (`npm run providers -w notification-service`),
 * started by `npm start` and the end-to-end suite when no SMTP_URL is configured:
 *   SMTP_SINK_PORT (default 2525)         the SMTP server notification-service sends to
 *   TWILIO_SINK_PORT (default 4010)       Twilio's Messages API stand-in
 *   PROVIDER_SINK_API_PORT (default 4011) the inspection API (see recorder-api.ts)
 *   TWILIO_AUTH_TOKEN (required)          basic auth password, and the key receipts are signed with
 *   TWILIO_ACCOUNT_SID (optional)         when set, the only account accepted
 * Prints `provider sinks ready smtp=<port> twilio=<port> api=<port>` once listening (the dev
 * platform waits for that line); stops on SIGTERM/SIGINT.
 */
import { startProviderSinks } from './recorder-api.js';

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) fail(`${name} must be a port number`);
  return value;
}

function fail(reason: string): never {
  process.stderr.write(`provider sinks: ${reason}\n`);
  process.exit(1);
}

const authToken = process.env['TWILIO_AUTH_TOKEN'];
if (!authToken) fail('TWILIO_AUTH_TOKEN is required');
const accountSid = process.env['TWILIO_ACCOUNT_SID'];

const sinks = await startProviderSinks({
  authToken,
  ...(accountSid ? { accountSid } : {}),
  smtpPort: port('SMTP_SINK_PORT', 2525),
  twilioPort: port('TWILIO_SINK_PORT', 4010),
  apiPort: port('PROVIDER_SINK_API_PORT', 4011),
});
process.stdout.write(`provider sinks ready smtp=${sinks.smtp.port} twilio=${sinks.twilio.port} api=${sinks.apiPort}\n`);

const stop = async (): Promise<void> => {
  await sinks.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
