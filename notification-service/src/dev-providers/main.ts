/**
 * The local provider stand-ins as a process (`npm run providers -w notification-service`),
 * started by `npm start` and the end-to-end tests when no SMTP_URL is configured:
 *   SMTP_SINK_PORT (default 2525)         the SMTP server notification-service sends to
 *   TWILIO_SINK_PORT (default 4010)       Twilio's Messages API stand-in (TWILIO_AUTH_TOKEN required)
 *   PROVIDER_SINK_API_PORT (default 4011) what they received, as JSON:
 *     GET /emails?to=<address>   GET /sms?to=<number>   DELETE /messages
 *     POST /faults {"smtp": {"kind":"reject","code":421} | null, "sms": {"status":500} | {"delayMs":800} | null}
 */
import { createServer } from 'node:http';
import { startSmtpSink, type SmtpFault } from './smtp-sink.js';
import { startTwilioSink, type SmsFault } from './twilio-sink.js';

const port = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const authToken = process.env['TWILIO_AUTH_TOKEN'];
if (!authToken) throw new Error('provider sinks: TWILIO_AUTH_TOKEN is required');

const smtp = await startSmtpSink({ port: port('SMTP_SINK_PORT', 2525) });
const twilio = await startTwilioSink({ port: port('TWILIO_SINK_PORT', 4010), authToken, ...(process.env['TWILIO_ACCOUNT_SID'] ? { accountSid: process.env['TWILIO_ACCOUNT_SID'] } : {}) });

const api = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://sinks');
  const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const to = url.searchParams.get('to');
  if (req.method === 'GET' && url.pathname === '/emails') return send(200, smtp.messages().filter((m) => to === null || m.to.includes(to.toLowerCase()) || m.to.includes(to)));
  if (req.method === 'GET' && url.pathname === '/sms') return send(200, twilio.messages().filter((m) => to === null || m.to === to));
  if (req.method === 'DELETE' && url.pathname === '/messages') {
    smtp.clear();
    twilio.clear();
    return send(200, { cleared: true });
  }
  if (req.method === 'POST' && url.pathname === '/faults') {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      try {
        const faults = JSON.parse(text || '{}') as { smtp?: SmtpFault | null; sms?: SmsFault | null };
        if (faults.smtp !== undefined) smtp.setFault(faults.smtp);
        if (faults.sms !== undefined) twilio.setFault(faults.sms);
        send(200, { ok: true });
      } catch {
        send(400, { error: 'body must be JSON' });
      }
    });
    return;
  }
  send(404, { error: 'not found' });
});
const apiPort = await new Promise<number>((resolve) => api.listen(port('PROVIDER_SINK_API_PORT', 4011), '127.0.0.1', () => resolve((api.address() as { port: number }).port)));
process.stdout.write(`provider sinks ready smtp=${smtp.port} twilio=${twilio.port} api=${apiPort}\n`);

const stop = async (): Promise<void> => {
  api.close();
  await Promise.allSettled([smtp.close(), twilio.close()]);
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
