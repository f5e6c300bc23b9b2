import { randomUUID } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Recorder } from './recorded.js';

/** One message as the sink received and parsed it: what tests and the inspection API look at. */
export interface RecordedEmail {
  id: string;
  receivedAt: string;
  envelope: { from: string; to: string[] };
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Lower-case header names. */
  headers: Record<string, string>;
}

/**
 * What the sink does to every message until cleared, so outages can be staged: `reject` answers
 * the DATA with that code (421/450 temporary, 550/553 permanent), `delay` answers late, `hold`
 * keeps the message until `release` settles (calling `onHeld` when one is held).
 */
export type SmtpFault = { kind: 'reject'; code: 421 | 450 | 550 | 553 } | { kind: 'delay'; ms: number } | { kind: 'hold'; release: Promise<void>; onHeld?: () => void };

/** A running sink: where to send, what arrived, and outage controls. */
export interface SmtpSink {
  readonly port: number;
  readonly url: string;
  messages(): RecordedEmail[];
  waitFor(predicate: (email: RecordedEmail) => boolean, timeoutMs?: number): Promise<RecordedEmail>;
  setFault(fault: SmtpFault | null): void;
  /** Forgets what was recorded. */
  clear(): void;
  /** Stops listening (an outage); `restart` listens again on the same port. */
  close(): Promise<void>;
  restart(): Promise<void>;
}

/**
 * A real SMTP server (smtp-server) that parses what it receives (mailparser) and records it:
 * development's mail relay and the tests' witness of what went out. No auth, no TLS.
 */
export async function startSmtpSink(options: { port?: number; host?: string } = {}): Promise<SmtpSink> {
  const host = options.host ?? '127.0.0.1';
  const recorder = new Recorder<RecordedEmail>();
  let fault: SmtpFault | null = null;
  const create = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // Pooled clients keep connections open; an outage test's close must not wait for them.
      closeTimeout: 100,
      onData(stream, session, callback) {
        void (async () => {
          const current = fault;
          if (current?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, current.ms));
          if (current?.kind === 'hold') {
            current.onHeld?.();
            await current.release;
          }
          const parsed = await simpleParser(stream);
          if (current?.kind === 'reject') {
            const error = Object.assign(new Error(`${current.code} refused by the sink`), { responseCode: current.code });
            callback(error);
            return;
          }
          const headers = headerValues(parsed);
          const addresses = (value: typeof parsed.to): string[] => (value === undefined ? [] : (Array.isArray(value) ? value : [value]).flatMap((group) => group.value.map((a) => a.address ?? '')));
          recorder.add({
            id: randomUUID(),
            receivedAt: new Date().toISOString(),
            envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
            from: parsed.from?.value[0]?.address ?? '',
            to: addresses(parsed.to),
            subject: parsed.subject ?? '',
            text: (parsed.text ?? '').trimEnd(),
            html: typeof parsed.html === 'string' ? parsed.html : '',
            headers,
          });
          callback();
        })().catch((error: unknown) => callback(error as Error));
      },
    });
  let server = create();
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve((server.server.address() as { port: number }).port));
    });
  const port = await listen(options.port ?? 0);
  return {
    port,
    url: `smtp://${host}:${port}`,
    messages: () => recorder.all(),
    waitFor: (predicate, timeoutMs) => recorder.waitFor(predicate, timeoutMs),
    setFault: (next) => {
      fault = next;
    },
    clear: () => recorder.clear(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    async restart() {
      server = create();
      await listen(port);
    },
  };
}

/** Lower-case names; decoded text where mailparser gives text, the raw value for structured headers (addresses, content-type). */
function headerValues(parsed: ParsedMail): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines)
    headers[key] = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
  for (const [name, value] of parsed.headers) if (typeof value === 'string') headers[name.toLowerCase()] = value;
  return headers;
}
