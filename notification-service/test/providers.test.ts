import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { deferred } from 'core-service/testing';
import { startSmtpSink } from '../src/dev-providers/smtp-sink.js';
import { startTwilioSink } from '../src/dev-providers/twilio-sink.js';
import { ProviderError, type NotificationProvider, type OutgoingMessage } from '../src/providers/provider.js';
import { createSmtpEmailProvider } from '../src/providers/smtp-email.js';
import { createTwilioSmsProvider, parseTwilioStatus, verifyTwilioStatusCallback } from '../src/providers/twilio-sms.js';

const CREDENTIALS = { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex'), from: '+15005550006' };

function email(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    deliveryId: randomUUID(),
    tenantId: 't1',
    to: `${randomUUID().slice(0, 8)}@example.test`,
    subject: 'Transfer received',
    text: 'You received 10.00 EUR.',
    html: '<p>You received <b>10.00 EUR</b>.</p>',
    ...overrides,
  };
}

function sms(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { deliveryId: randomUUID(), tenantId: 't1', to: '+4915112345678', text: 'Your code is 123456', ...overrides };
}

/** The ProviderError a send rejects with. */
async function refusal(provider: NotificationProvider, message: OutgoingMessage): Promise<ProviderError> {
  const error = await provider.send(message).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

async function smtpSetup(timeoutMs = 15_000) {
  const sink = await startSmtpSink();
  onTestFinished(() => sink.close());
  const provider = createSmtpEmailProvider({ url: sink.url, from: 'no-reply@platform.test', timeoutMs });
  onTestFinished(() => provider.close());
  return { sink, provider };
}

async function twilioSetup(options: { timeoutMs?: number; authToken?: string; statusCallbackUrl?: string } = {}) {
  const sink = await startTwilioSink({ authToken: CREDENTIALS.authToken, accountSid: CREDENTIALS.accountSid });
  onTestFinished(() => sink.close());
  const provider = createTwilioSmsProvider({
    ...CREDENTIALS,
    apiBaseUrl: sink.url,
    timeoutMs: options.timeoutMs ?? 15_000,
    ...(options.authToken !== undefined ? { authToken: options.authToken } : {}),
    ...(options.statusCallbackUrl !== undefined ? { statusCallbackUrl: options.statusCallbackUrl } : {}),
  });
  onTestFinished(() => provider.close());
  return { sink, provider };
}

describe('SMTP email provider against the SMTP sink', () => {
  it('delivers recipient, subject, text, HTML and headers, with the delivery id', async () => {
    const { sink, provider } = await smtpSetup();
    const message = email({ headers: { 'X-Notification-Type': 'transfer.received' } });
    const result = await provider.send(message);
    const received = await sink.waitFor((m) => m.to.includes(message.to), 20_000);
    expect(provider).toMatchObject({ name: 'smtp', channel: 'EMAIL' });
    expect(result.status).toBe('SENT');
    expect(received).toMatchObject({
      to: [message.to],
      envelope: { from: 'no-reply@platform.test', to: [message.to] },
      from: 'no-reply@platform.test',
      subject: 'Transfer received',
      text: 'You received 10.00 EUR.',
    });
    expect(received.html).toContain('<b>10.00 EUR</b>');
    expect(received.headers['x-delivery-id']).toBe(message.deliveryId);
    expect(received.headers['x-notification-type']).toBe('transfer.received');
    expect(received.headers['message-id']).toBe(result.providerMessageId);
  });

  it('a permanent 550 refusal is not retryable', async () => {
    const { sink, provider } = await smtpSetup();
    sink.setFault({ kind: 'reject', code: 550 });
    const error = await refusal(provider, email());
    expect(error).toMatchObject({ retryable: false, providerCode: 550 });
  });

  it('a temporary 421 refusal is retryable, and the next send after it goes through', async () => {
    const { sink, provider } = await smtpSetup();
    sink.setFault({ kind: 'reject', code: 421 });
    expect(await refusal(provider, email())).toMatchObject({ retryable: true, providerCode: 421 });
    sink.setFault(null);
    const message = email();
    await provider.send(message);
    await sink.waitFor((m) => m.to.includes(message.to), 20_000);
  });

  it('a relay that went away (pooled connection dropped, connection refused) is retryable', async () => {
    const { sink, provider } = await smtpSetup();
    await provider.send(email());
    await sink.close();
    const error = await refusal(provider, email());
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');

    await sink.restart();
    const message = email();
    await provider.send(message);
    await sink.waitFor((m) => m.to.includes(message.to), 20_000);
  });
});

describe('Twilio SMS provider against the Twilio sink', () => {
  it("sends To, From and Body with the account's basic auth; the SID is the provider id", async () => {
    const { sink, provider } = await twilioSetup();
    const message = sms();
    const result = await provider.send(message);
    expect(provider).toMatchObject({ name: 'twilio', channel: 'SMS' });
    expect(result).toEqual({ providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/), status: 'SENT' });
    const received = await sink.waitFor((m) => m.sid === result.providerMessageId, 20_000);
    expect(received).toMatchObject({ accountSid: CREDENTIALS.accountSid, to: message.to, from: CREDENTIALS.from, body: message.text, statusCallback: null });
  });

  it('a wrong auth token is refused (401) and not retried', async () => {
    const { sink, provider } = await twilioSetup({ authToken: randomBytes(16).toString('hex') });
    const error = await refusal(provider, sms());
    expect(error).toMatchObject({ retryable: false, providerCode: 20003 });
    expect(error.message).toContain('401');
    expect(sink.messages()).toHaveLength(0);
  });

  it('500 and 429 answers are retryable', async () => {
    const { sink, provider } = await twilioSetup();
    sink.setFault({ status: 500, message: 'upstream down' });
    expect(await refusal(provider, sms())).toMatchObject({ retryable: true, providerCode: 500 });
    sink.setFault({ status: 429, code: 20429, message: 'Too Many Requests' });
    expect(await refusal(provider, sms())).toMatchObject({ retryable: true, providerCode: 20429 });
  });

  it('400 with 21211 (invalid number) is permanent', async () => {
    const { sink, provider } = await twilioSetup();
    sink.setFault({ status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    const error = await refusal(provider, sms());
    expect(error).toMatchObject({ retryable: false, providerCode: 21211 });
    expect(error.message).toContain('not a valid phone number');
  });

  it('an answer slower than timeoutMs is a retryable timeout', async () => {
    const { sink, provider } = await twilioSetup({ timeoutMs: 200 });
    sink.setFault({ delayMs: 1_000 });
    const started = Date.now();
    const error = await refusal(provider, sms());
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('timeout');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("the sink's delivered receipt verifies with the library's signature check; a tampered one does not", async () => {
    const receipt = deferred<{ url: string; headers: IncomingHttpHeaders; params: Record<string, string> }>();
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        res.writeHead(204).end();
        receipt.resolve({ url: req.url ?? '', headers: req.headers, params: Object.fromEntries(new URLSearchParams(body)) });
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    const statusCallbackUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/providers/twilio/status`;
    const { sink, provider } = await twilioSetup({ statusCallbackUrl });

    const message = sms();
    const { providerMessageId } = await provider.send(message);
    const recorded = await sink.waitFor((m) => m.sid === providerMessageId, 20_000);
    const signedUrl = `${statusCallbackUrl}?deliveryId=${message.deliveryId}`;
    expect(recorded.statusCallback).toBe(signedUrl);

    const { url, headers, params } = await receipt.promise;
    expect(url).toBe(`/providers/twilio/status?deliveryId=${message.deliveryId}`);
    const signature = headers['x-twilio-signature'];
    expect(signature).toBeTypeOf('string');
    expect(params).toMatchObject({ MessageSid: providerMessageId, MessageStatus: 'delivered', To: message.to, From: CREDENTIALS.from, AccountSid: CREDENTIALS.accountSid });
    const check = (overrides: { url?: string; params?: Record<string, string>; authToken?: string }) =>
      verifyTwilioStatusCallback({ authToken: overrides.authToken ?? CREDENTIALS.authToken, signature: signature as string, url: overrides.url ?? signedUrl, params: overrides.params ?? params });
    expect(check({})).toBe(true);
    expect(check({ params: { ...params, MessageStatus: 'failed' } })).toBe(false);
    expect(check({ url: `${statusCallbackUrl}?deliveryId=${randomUUID()}` })).toBe(false);
    expect(check({ authToken: randomBytes(16).toString('hex') })).toBe(false);
    expect(parseTwilioStatus({ ...params, deliveryId: message.deliveryId })).toEqual({ deliveryId: message.deliveryId, messageSid: providerMessageId, status: 'DELIVERED' });
  });
});

describe('parseTwilioStatus', () => {
  it.each([
    ['delivered', 'DELIVERED'],
    ['failed', 'FAILED'],
    ['undelivered', 'FAILED'],
    ['queued', 'SENT'],
    ['sending', 'SENT'],
    ['sent', 'SENT'],
  ] as const)('MessageStatus %s → %s', (raw, status) => {
    expect(parseTwilioStatus({ MessageSid: 'SM1', MessageStatus: raw })).toEqual({ messageSid: 'SM1', status });
  });

  it('carries the error code and the delivery id when present', () => {
    expect(parseTwilioStatus({ MessageSid: 'SM2', MessageStatus: 'undelivered', ErrorCode: '30003', deliveryId: 'd-1' })).toEqual({
      messageSid: 'SM2',
      status: 'FAILED',
      errorCode: '30003',
      deliveryId: 'd-1',
    });
  });
});
