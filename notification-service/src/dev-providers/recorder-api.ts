import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parseFaultRequest } from './fault-input.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';
import { startTwilioSink, type TwilioSink } from './twilio-sink.js';

/** Ports and Twilio credentials for the stand-ins; a port left out (or 0) is any free one. */
export interface ProviderSinksOptions {
  /** What the Twilio stand-in requires as basic auth password and signs receipts with. */
  authToken: string;
  /** When set, only this account is accepted; otherwise any account sid in the path. */
  accountSid?: string;
  host?: string;
  smtpPort?: number;
  twilioPort?: number;
  apiPort?: number;
}

/** Both stand-ins and the inspection API, stopped together. */
export interface ProviderSinks {
  smtp: SmtpSink;
  twilio: TwilioSink;
  /** The inspection API's origin, `http://127.0.0.1:<apiPort>`. */
  apiUrl: string;
  apiPort: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

/**
 * The SMTP and Twilio stand-ins plus an inspection API on its own port, so development and
 * end-to-end tests (another process) can read what went out and stage outages:
 *   GET /emails?to=<address>   GET /sms?to=<number>   DELETE /messages
 *   POST /faults {"smtp": SmtpFault | null, "sms": SmsFault | null}
 * In process here so tests can start it without the `main.ts` process.
 */
export async function startProviderSinks(options: ProviderSinksOptions): Promise<ProviderSinks> {
  const host = options.host ?? '127.0.0.1';
  const smtp = await startSmtpSink({ host, ...(options.smtpPort !== undefined ? { port: options.smtpPort } : {}) });
  const started: { close(): Promise<void> }[] = [smtp];
  try {
    const twilio = await startTwilioSink({
      host,
      authToken: options.authToken,
      ...(options.twilioPort !== undefined ? { port: options.twilioPort } : {}),
      ...(options.accountSid !== undefined ? { accountSid: options.accountSid } : {}),
    });
    started.push(twilio);
    const api = createServer((req, res) => {
      route(req, res, smtp, twilio).catch(() => {
        if (!res.headersSent) send(res, 500, { error: 'internal error' });
      });
    });
    const apiPort = await listen(api, options.apiPort ?? 0, host);
    return {
      smtp,
      twilio,
      apiUrl: `http://${host}:${apiPort}`,
      apiPort,
      async close() {
        api.closeAllConnections();
        await Promise.allSettled([new Promise((resolve) => api.close(resolve)), smtp.close(), twilio.close()]);
      },
    };
  } catch (error) {
    await Promise.allSettled(started.map((sink) => sink.close()));
    throw error;
  }
}

async function route(req: IncomingMessage, res: ServerResponse, smtp: SmtpSink, twilio: TwilioSink): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sinks');
  const to = url.searchParams.get('to');
  if (req.method === 'GET' && url.pathname === '/emails') {
    const address = to?.trim().toLowerCase();
    return send(
      res,
      200,
      smtp.messages().filter((m) => address === undefined || [...m.to, ...m.envelope.to].some((a) => a.toLowerCase() === address)),
    );
  }
  if (req.method === 'GET' && url.pathname === '/sms') {
    // An unencoded `+` arrives as a space; compare numbers without it.
    const number = to === null ? undefined : phone(to);
    return send(
      res,
      200,
      twilio.messages().filter((m) => number === undefined || phone(m.to) === number),
    );
  }
  if (req.method === 'DELETE' && url.pathname === '/messages') {
    smtp.clear();
    twilio.clear();
    return send(res, 200, { cleared: true });
  }
  if (req.method === 'POST' && url.pathname === '/faults') {
    const faults = parseFaultRequest(await readJson(req));
    if (typeof faults === 'string') return send(res, 400, { error: faults });
    if (faults.smtp !== undefined) smtp.setFault(faults.smtp);
    if (faults.sms !== undefined) twilio.setFault(faults.sms);
    return send(res, 200, { ok: true });
  }
  send(res, 404, { error: 'not found' });
}

const phone = (value: string): string => value.trim().replace(/^\+/, '');

/** The body as JSON, or `undefined` when it is not JSON or too large (answered 400 by the caller). */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end even when too large, so the 400 still reaches the client.
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_BODY_BYTES) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString() || '{}');
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as { port: number }).port));
  });
}
