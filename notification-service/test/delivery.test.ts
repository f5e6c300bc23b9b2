import { describe, expect, it, onTestFinished } from 'vitest';
import { deliveriesOf, startNotification, waitFor } from './helpers.js';

describe('from events to messages', () => {
  it('a transfer gives the recipient an inbox entry, a push event and an email; the sender an inbox entry only', async () => {
    const running = await startNotification();
    const alice = await running.sources.register({ displayName: 'Alice' });
    const bob = await running.sources.register({ displayName: 'Bob' });
    await running.sources.transfer(alice.id, bob.id, 1_250);

    const mail = await running.smtp.waitFor((m) => m.to.includes(bob.email), 45_000);
    expect(mail.subject).toBe('You received €12.50');
    expect(mail.text).toContain('Alice sent you €12.50');
    expect(mail.html).toContain('<p>Alice sent you €12.50.</p>');
    expect(mail.headers['x-notification-type']).toBe('payment.transfer_received');
    expect(mail.headers['x-delivery-id']).toEqual(expect.any(String));

    await waitFor(async () => (await deliveriesOf(running, bob.id)).find((d) => d.channel === 'EMAIL')?.status === 'SENT', { what: 'the email delivery recorded as sent' });
    const bobs = await deliveriesOf(running, bob.id);
    expect(bobs.map((d) => [d.channel, d.status, d.provider]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['EMAIL', 'SENT', 'smtp'],
      ['IN_APP', 'DELIVERED', 'inbox'],
      ['PUSH', 'SENT', 'live'],
    ]);
    expect(bobs.find((d) => d.channel === 'EMAIL')).toMatchObject({ attempts: 1, lastError: null, _id: mail.headers['x-delivery-id'] });

    const alices = await deliveriesOf(running, alice.id);
    expect(alices.map((d) => d.channel).sort()).toEqual(['IN_APP', 'PUSH']);
    expect(running.smtp.messages().filter((m) => m.to.includes(alice.email))).toHaveLength(0);

    // PUSH: a notification.created event the gateway routes to `notificationReceived`.
    const outbox = await running.service.deps.store.db
      .collection('outbox')
      .aggregate([{ $unwind: '$events' }, { $match: { 'events.event.type': 'notification.created', 'events.event.userId': bob.id } }])
      .toArray();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!['events'].event.data.notification).toMatchObject({ userId: bob.id, type: 'payment.transfer_received', title: 'Money received', body: 'Alice sent you €12.50.', readAt: null });
  });

  it('the same event delivered twice gives one notification and one email', async () => {
    const running = await startNotification();
    const alice = await running.sources.register();
    const bob = await running.sources.register();
    const first = await running.sources.transfer(alice.id, bob.id, 500);
    await running.sources.transfer(alice.id, bob.id, 500, 'EUR', first.id);
    // A later event from the same source: once it is delivered, the duplicate was handled before it.
    await running.sources.transfer(alice.id, bob.id, 700);
    await running.smtp.waitFor((m) => m.to.includes(bob.email) && m.subject === 'You received €7.00', 45_000);
    await waitFor(async () => (await running.service.events.getStats()).pending === 0, { what: 'every event acknowledged' });
    // Sends run in parallel, so the first transfer's email may arrive after the later one's.
    await running.smtp.waitFor((m) => m.to.includes(bob.email) && m.subject === 'You received €5.00', 45_000);
    const received = running.smtp.messages().filter((m) => m.to.includes(bob.email));
    expect(received.map((m) => m.subject).sort()).toEqual(['You received €5.00', 'You received €7.00']);
    expect(await running.service.deps.store.notifications.countDocuments({ userId: bob.id })).toBe(2);
  });

  it("an OTP by SMS carries the code to the number asked for, is stored without it, and Twilio's signed receipt marks it delivered", async () => {
    const running = await startNotification();
    const carol = await running.sources.register({ phone: '+4915112345678' });
    await running.sources.otp(carol.id, 'SMS', '+4915112345678', '493817');
    const sms = await running.twilio.waitFor((m) => m.to === '+4915112345678', 45_000);
    expect(sms.body).toContain('493817');
    expect(sms.from).toBe('+15005550006');

    // Both writes landed, in whichever order they came: the send's record and the receipt.
    await waitFor(async () => ((await deliveriesOf(running, carol.id))[0]?.sentAt ?? null) !== null && (await deliveriesOf(running, carol.id))[0]?.status === 'DELIVERED', {
      what: 'the send recorded and the status callback applied',
      timeoutMs: 45_000,
    });
    const [delivery, ...others] = await deliveriesOf(running, carol.id);
    expect(others).toHaveLength(0);
    expect(delivery).toMatchObject({ channel: 'SMS', provider: 'twilio', providerMessageId: sms.sid, sealed: null, deliveredAt: expect.any(Date), attempts: 1 });
    expect(JSON.stringify(delivery)).not.toContain('493817');
    const notifications = await running.service.deps.store.notifications.find({ userId: carol.id }).toArray();
    expect(JSON.stringify(notifications)).not.toContain('493817');
    // No inbox entry: a code in the inbox would outlive its purpose.
    expect(notifications[0]).toMatchObject({ inbox: false, type: 'security.otp' });
  });

  it('a receipt that arrives before the send is recorded still leaves the send recorded and no sealed code behind', async () => {
    const running = await startNotification();
    running.twilio.setReceiptFirst(true);
    onTestFinished(() => running.twilio.setReceiptFirst(false));
    const frank = await running.sources.register({ phone: '+4915112345680' });
    await running.sources.otp(frank.id, 'SMS', '+4915112345680', '246810');
    const sms = await running.twilio.waitFor((m) => m.to === '+4915112345680', 45_000);
    await waitFor(async () => ((await deliveriesOf(running, frank.id))[0]?.sentAt ?? null) !== null, { what: 'the send recorded after the receipt', timeoutMs: 45_000 });
    const [delivery] = await deliveriesOf(running, frank.id);
    expect(delivery).toMatchObject({ status: 'DELIVERED', provider: 'twilio', providerMessageId: sms.sid, sealed: null, attempts: 1, deliveredAt: expect.any(Date) });
  });

  it('a status callback without a valid signature is refused and changes nothing', async () => {
    const running = await startNotification();
    const dave = await running.sources.register({ phone: '+4915112345679' });
    await running.sources.otp(dave.id, 'SMS', '+4915112345679', '111222');
    await running.twilio.waitFor((m) => m.to === '+4915112345679', 45_000);
    const [delivery] = await deliveriesOf(running, dave.id);
    const response = await fetch(running.url.replace('/graphql', '/providers/twilio/status') + `?deliveryId=${delivery!._id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'forged' },
      body: new URLSearchParams({ MessageSid: 'SMforged', MessageStatus: 'failed' }).toString(),
    });
    expect(response.status).toBe(403);
    await waitFor(async () => (await deliveriesOf(running, dave.id))[0]?.status === 'DELIVERED', { what: 'the genuine receipt applied', timeoutMs: 45_000 });
    expect((await deliveriesOf(running, dave.id))[0]?.lastError).toBeNull();
  });

  it("an OTP by email arrives at the address of the request with the code, in the reader's locale", async () => {
    const running = await startNotification();
    const erin = await running.sources.register();
    const me = running.user(erin.id);
    expect((await running.graphql(me, 'mutation { updateNotificationPreferences(input: { locale: "de-AT" }) { locale } }')).data).toEqual({ updateNotificationPreferences: { locale: 'de-AT' } });
    await running.sources.otp(erin.id, 'EMAIL', 'verify-me@example.test', '864209');
    const mail = await running.smtp.waitFor((m) => m.to.includes('verify-me@example.test'), 45_000);
    expect(mail.subject).toBe('Ihr Bestätigungscode');
    expect(mail.text).toContain('864209');
  });
});
