import { describe, expect, it } from 'vitest';
import { onTestFinished } from 'vitest';
import { startSmtpSink } from '../src/dev-providers/smtp-sink.js';
import { createSmtpEmailProvider } from '../src/providers/smtp-email.js';
import { deliveriesOf, startNotification, waitFor } from './helpers.js';

describe('provider outages', () => {
  it('SMTP down: the email breaker opens, jobs wait, and every message goes out once it is back', async () => {
    const running = await startNotification({ settings: { email: { retry: { attempts: 6, baseDelayMs: 50, maxDelayMs: 300 } } } });
    const alice = await running.sources.register();
    const users = [];
    for (let i = 0; i < 6; i++) users.push(await running.sources.register());
    await running.smtp.close();
    for (const user of users) await running.sources.transfer(alice.id, user.id, 100);
    await waitFor(() => running.service.workers.breakerStates()['smtp'] === 'open', { what: 'the smtp breaker open', timeoutMs: 20_000 });
    expect(running.smtp.messages()).toHaveLength(0);

    await running.smtp.restart();
    for (const user of users) await running.smtp.waitFor((m) => m.to.includes(user.email), 30_000);
    await waitFor(
      async () => {
        const emails = await running.service.deps.store.deliveries.find({ tenantId: running.fixture.tenantId, channel: 'EMAIL' }).toArray();
        return emails.length === users.length && emails.every((d) => d.status === 'SENT');
      },
      { what: 'every email delivery recorded as sent', timeoutMs: 20_000 },
    );
    // Nothing lost, and one delivery record each. Email is at-least-once (README): a send whose
    // answer is lost (a client timeout on a loaded machine while the relay accepted it) is sent
    // again, so a recipient may see a copy, never none.
    expect([...new Set(running.smtp.messages().map((m) => String(m.to[0])))].sort()).toEqual(users.map((u) => u.email).sort());
    expect(running.smtp.messages().length).toBeLessThanOrEqual(users.length * 2);
    expect(running.service.workers.breakerStates()['smtp']).toBe('closed');
  });

  it("SMS answering 500s: retries stop at the policy's attempts, the delivery fails with the reason, and email is unaffected", async () => {
    const running = await startNotification({ settings: { breaker: { failureThreshold: 50 } } });
    running.twilio.setFault({ status: 500, message: 'upstream down' });
    const user = await running.sources.register({ phone: '+4915112345671' });
    await running.sources.otp(user.id, 'SMS', '+4915112345671', '123123');
    await running.sources.otp(user.id, 'EMAIL', user.email, '456456');
    const mail = await running.smtp.waitFor((m) => m.to.includes(user.email), 45_000);
    expect(mail.text).toContain('456456');
    await waitFor(async () => (await deliveriesOf(running, user.id)).find((d) => d.channel === 'SMS')?.status === 'FAILED', { what: 'the SMS delivery failed', timeoutMs: 20_000 });
    const sms = (await deliveriesOf(running, user.id)).find((d) => d.channel === 'SMS');
    expect(sms).toMatchObject({ attempts: 3, provider: 'twilio', sealed: null });
    expect(sms!.lastError).toContain('500');
    expect(running.twilio.messages()).toHaveLength(0);
  });

  it('a number Twilio calls invalid fails at once without retries and without tripping the breaker', async () => {
    const running = await startNotification({ settings: { breaker: { failureThreshold: 1 } } });
    running.twilio.setFault({ status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    const user = await running.sources.register({ phone: '+4915112345672' });
    await running.sources.otp(user.id, 'SMS', '+4915112345672', '999000');
    await waitFor(async () => (await deliveriesOf(running, user.id))[0]?.status === 'FAILED', { what: 'the SMS delivery failed' });
    expect((await deliveriesOf(running, user.id))[0]).toMatchObject({ attempts: 1 });
    expect(running.service.workers.breakerStates()['twilio']).toBe('closed');
  });

  it('over the hourly allowance, ordinary messages are suppressed and critical ones still go out', async () => {
    const running = await startNotification({ settings: { email: { perUserPerHour: 2 } } });
    const alice = await running.sources.register();
    const bob = await running.sources.register();
    for (const amount of [100, 200, 300]) await running.sources.transfer(alice.id, bob.id, amount);
    await running.sources.publish('auth.password_changed', bob.id, { at: '2026-12-05T10:00:00.000Z' });
    await waitFor(async () => (await deliveriesOf(running, bob.id)).filter((d) => d.channel === 'EMAIL' && d.status !== 'QUEUED').length === 4, { what: 'four email deliveries settled' });
    const emails = (await deliveriesOf(running, bob.id)).filter((d) => d.channel === 'EMAIL');
    expect(emails.filter((d) => d.status === 'SUPPRESSED')).toHaveLength(1);
    expect(emails.find((d) => d.type === 'security.password_changed')?.status).toBe('SENT');
  });

  it("with a fallback relay configured, email goes through it while the primary's breaker is open", async () => {
    const primary = await startSmtpSink();
    await primary.close();
    const fallback = await startSmtpSink();
    onTestFinished(() => fallback.close());
    const running = await startNotification({
      settings: { breaker: { failureThreshold: 1, resetTimeoutMs: 60_000 } },
      overrides: {
        providers: {
          EMAIL: [
            createSmtpEmailProvider({ url: primary.url, from: 'a@platform.test', timeoutMs: 1_000 }),
            createSmtpEmailProvider({ url: fallback.url, from: 'a@platform.test', name: 'smtp-fallback' }),
          ],
          SMS: [],
        },
      },
    });
    const alice = await running.sources.register();
    const bob = await running.sources.register();
    await running.sources.transfer(alice.id, bob.id, 100);
    await fallback.waitFor((m) => m.to.includes(bob.email), 45_000);
    await waitFor(async () => (await deliveriesOf(running, bob.id)).find((d) => d.channel === 'EMAIL')?.status === 'SENT', { what: 'the delivery recorded' });
    expect((await deliveriesOf(running, bob.id)).find((d) => d.channel === 'EMAIL')).toMatchObject({ provider: 'smtp-fallback', attempts: 2 });
    expect(running.service.workers.breakerStates()).toEqual({ smtp: 'open', 'smtp-fallback': 'closed' });
  });
});
