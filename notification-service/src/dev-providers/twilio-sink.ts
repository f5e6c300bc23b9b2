import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import twilio from 'twilio';
import { Recorder } from './recorded.js';

/** One Messages API request the sink accepted: what tests and the inspection API look at. */
export interface RecordedSms {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  body: string;
  statusCallback: string | null;
  receivedAt: string;
}

/** What the sink answers every request with until cleared: an error answer (`{ status: 500 }`, `{ status: 400, code: 21211 }`) or a slow one. */
export type SmsFault = { status: number; code?: number; message?: string } | { delayMs: number };

/** A running stand-in: its origin (the provider's `apiBaseUrl`), what arrived, and fault controls. */
export interface TwilioSink {
  readonly port: number;
  readonly url: string;
  messages(): RecordedSms[];
  waitFor(predicate: (sms: RecordedSms) => boolean, timeoutMs?: number): Promise<RecordedSms>;
  setFault(fault: SmsFault | null): void;
  /**
   * Delivers the receipt before answering the send request (Twilio gives no order between the
   * two): the service then learns of the delivery before it has recorded the send.
   */
  setReceiptFirst(on: boolean): void;
  /** Forgets what was recorded. */
  clear(): void;
  close(): Promise<void>;
}

/**
 * A local stand-in for Twilio's Messages API (`POST /2010-04-01/Accounts/:sid/Messages.json`):
 * checks basic auth, records the message, answers like Twilio, and when the request names a
 * StatusCallback, posts a `delivered` receipt signed the way Twilio signs (the library's own
 * `getExpectedTwilioSignature`), so the service's verification runs for real.
 */
export async function startTwilioSink(options: { port?: number; host?: string; authToken: string; accountSid?: string }): Promise<TwilioSink> {
  const host = options.host ?? '127.0.0.1';
  const recorder = new Recorder<RecordedSms>();
  let fault: SmsFault | null = null;
  let isReceiptFirst = false;
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(new URL(req.url ?? '/', 'http://sink').pathname);
    if (req.method !== 'POST' || match === null) return json(res, 404, { code: 20404, message: 'not found', status: 404 });
    const accountSid = decodeURIComponent(match[1]!);
    const [user, password] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':');
    if (password !== options.authToken || user !== accountSid || (options.accountSid !== undefined && user !== options.accountSid)) {
      return json(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
    const current = fault;
    if (current !== null && 'delayMs' in current) await new Promise((resolve) => setTimeout(resolve, current.delayMs));
    else if (current !== null)
      return json(res, current.status, {
        code: current.code ?? current.status,
        message: current.message ?? 'fault injected by the sink',
        more_info: `https://www.twilio.com/docs/errors/${current.code ?? current.status}`,
        status: current.status,
      });
    const sms: RecordedSms = {
      sid: `SM${randomBytes(16).toString('hex')}`,
      accountSid,
      to: params['To'] ?? '',
      from: params['From'] ?? '',
      body: params['Body'] ?? '',
      statusCallback: params['StatusCallback'] ?? null,
      receivedAt: new Date().toISOString(),
    };
    recorder.add(sms);
    if (isReceiptFirst && sms.statusCallback !== null) await sendReceipt(sms);
    json(res, 201, {
      sid: sms.sid,
      account_sid: accountSid,
      to: sms.to,
      from: sms.from,
      body: sms.body,
      status: 'queued',
      date_created: new Date().toUTCString(),
      num_segments: '1',
      direction: 'outbound-api',
      api_version: '2010-04-01',
    });
    if (!isReceiptFirst && sms.statusCallback !== null) void sendReceipt(sms);
  }

  async function sendReceipt(sms: RecordedSms): Promise<void> {
    const params = { MessageSid: sms.sid, SmsSid: sms.sid, MessageStatus: 'delivered', To: sms.to, From: sms.from, AccountSid: sms.accountSid };
    const signature = twilio.getExpectedTwilioSignature(options.authToken, sms.statusCallback!, params);
    // A few tries: a keep-alive connection the service closed meanwhile must not lose the receipt.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const sent = await fetch(sms.statusCallback!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: new URLSearchParams(params).toString(),
      }).then(
        (response) => response.status < 500,
        () => false,
      );
      if (sent) return;
    }
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve((server.address() as { port: number }).port));
  });
  return {
    port,
    url: `http://${host}:${port}`,
    messages: () => recorder.all(),
    waitFor: (predicate, timeoutMs) => recorder.waitFor(predicate, timeoutMs),
    setFault: (next) => {
      fault = next;
    },
    setReceiptFirst: (on) => {
      isReceiptFirst = on;
    },
    clear: () => recorder.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
