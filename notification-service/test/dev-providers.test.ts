import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { spawnTestChild, waitForLine } from 'core-service/testing';
import { startProviderSinks } from '../src/dev-providers/recorder-api.js';
import type { RecordedEmail } from '../src/dev-providers/smtp-sink.js';
import type { RecordedSms } from '../src/dev-providers/twilio-sink.js';
import { ProviderError } from '../src/providers/provider.js';
import { createSmtpEmailProvider } from '../src/providers/smtp-email.js';
import { createTwilioSmsProvider } from '../src/providers/twilio-sms.js';

const CREDENTIALS = { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomBytes(16).toString('hex'), from: '+15005550006' };

/** The sinks in process on free ports, with real providers pointed at them. */
async function setup() {
  const sinks = await startProviderSinks({ authToken: CREDENTIALS.authToken, accountSid: CREDENTIALS.accountSid });
  onTestFinished(() => sinks.close());
  const email = createSmtpEmailProvider({ url: sinks.smtp.url, from: 'no-reply@platform.test', timeoutMs: 2_000 });
  const sms = createTwilioSmsProvider({ ...CREDENTIALS, apiBaseUrl: sinks.twilio.url, timeoutMs: 2_000 });
  onTestFinished(() => email.close());
  const api = async <T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${sinks.apiUrl}${path}`, init);
    return { status: response.status, body: (await response.json()) as T };
  };
  const sendEmail = (to: string) => email.send({ deliveryId: randomUUID(), tenantId: 't1', to, subject: 'Hello', text: 'Hi' });
  const sendSms = (to: string) => sms.send({ deliveryId: randomUUID(), tenantId: 't1', to, text: 'Your code is 123456' });
  const faults = (body: unknown) => api<{ ok?: boolean; error?: string }>('/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { sinks, api, sendEmail, sendSms, faults };
}

const refusal = (sending: Promise<unknown>): Promise<ProviderError> =>
  sending.then(
    () => Promise.reject(new Error('the send went through')),
    (error: ProviderError) => error,
  );

describe('provider sinks inspection API', () => {
  it('GET /emails lists what arrived, filtered by recipient without regard to case', async () => {
    const { sinks, api, sendEmail } = await setup();
    await sendEmail('alice@example.test');
    await sendEmail('bob@example.test');
    await sinks.smtp.waitFor((m) => m.to.includes('bob@example.test'), 5_000);

    const all = await api<RecordedEmail[]>('/emails');
    expect(all.status).toBe(200);
    expect(all.body.map((m) => String(m.to[0])).sort()).toEqual(['alice@example.test', 'bob@example.test']);
    const alice = await api<RecordedEmail[]>('/emails?to=Alice@Example.test');
    expect(alice.body).toHaveLength(1);
    expect(alice.body[0]).toMatchObject({ to: ['alice@example.test'], subject: 'Hello', text: 'Hi', headers: { 'x-delivery-id': expect.any(String) } });
    expect((await api<RecordedEmail[]>('/emails?to=carol@example.test')).body).toEqual([]);
  });

  it('GET /sms filters by number, with the + encoded or not', async () => {
    const { api, sendSms } = await setup();
    await sendSms('+4915112345678');
    await sendSms('+4915187654321');
    const all = await api<RecordedSms[]>('/sms');
    expect(all.body).toHaveLength(2);
    for (const query of ['%2B4915112345678', '+4915112345678']) {
      const one = await api<RecordedSms[]>(`/sms?to=${query}`);
      expect(one.body).toEqual([expect.objectContaining({ to: '+4915112345678', from: CREDENTIALS.from, body: 'Your code is 123456', sid: expect.stringMatching(/^SM/) })]);
    }
  });

  it("POST /faults sets and clears each sink's fault; a malformed fault is refused with the reason", async () => {
    const { sinks, faults, sendEmail, sendSms } = await setup();
    expect(await faults({ smtp: { kind: 'reject', code: 550 }, sms: { status: 400, code: 21211 } })).toEqual({ status: 200, body: { ok: true } });
    expect(await refusal(sendEmail('dana@example.test'))).toMatchObject({ retryable: false, providerCode: 550 });
    expect(await refusal(sendSms('+4915112345678'))).toMatchObject({ retryable: false, providerCode: 21211 });

    // A key left out keeps that sink's fault.
    await faults({ smtp: { kind: 'reject', code: 421 } });
    expect(await refusal(sendEmail('dana@example.test'))).toMatchObject({ retryable: true, providerCode: 421 });
    expect(await refusal(sendSms('+4915112345678'))).toMatchObject({ providerCode: 21211 });

    await faults({ smtp: null, sms: null });
    await sendEmail('dana@example.test');
    await sendSms('+4915112345678');

    for (const bad of [{ smtp: { kind: 'reject', code: 200 } }, { sms: { status: 201 } }, { sms: { delayMs: -1 } }, [], 'x']) {
      const answer = await faults(bad);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBeTypeOf('string');
    }
    const notJson = await fetch(`${sinks.apiUrl}/faults`, { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
  });

  it("DELETE /messages forgets both sinks' messages; unknown paths answer 404", async () => {
    const { api, sendEmail, sendSms } = await setup();
    await sendEmail('erin@example.test');
    await sendSms('+4915112345678');
    expect((await api('/messages', { method: 'DELETE' })).status).toBe(200);
    expect((await api<unknown[]>('/emails')).body).toEqual([]);
    expect((await api<unknown[]>('/sms')).body).toEqual([]);
    expect((await api('/nothing')).status).toBe(404);
  });
});

describe('provider sinks process (npm run providers)', () => {
  it('prints its ports once ready (never the token), serves the API, and exits 0 on SIGTERM', async () => {
    const child = spawnTestChild(new URL('../src/dev-providers/main.ts', import.meta.url), 'provider-sinks', {
      TWILIO_AUTH_TOKEN: CREDENTIALS.authToken,
      SMTP_SINK_PORT: '0',
      TWILIO_SINK_PORT: '0',
      PROVIDER_SINK_API_PORT: '0',
    });
    await waitForLine(child, (lines) => lines.some((line) => line.startsWith('provider sinks ready')));
    const ready = child.lines.find((line) => line.startsWith('provider sinks ready'))!;
    expect(ready).toMatch(/^provider sinks ready smtp=\d+ twilio=\d+ api=\d+$/);
    expect(ready).not.toContain(CREDENTIALS.authToken);
    const apiPort = /api=(\d+)/.exec(ready)![1];
    const response = await fetch(`http://127.0.0.1:${apiPort}/emails`);
    expect(await response.json()).toEqual([]);
    child.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  });
});
