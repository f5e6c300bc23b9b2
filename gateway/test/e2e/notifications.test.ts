import { randomUUID } from 'node:crypto';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { waitFor } from 'core-service/testing';
import { Client, DEMO, LOGIN, REGISTER, TRANSFER } from '../support/client.js';

/**
 * notification-service as it runs (its own process, consuming the other services' events,
 * sending through the local SMTP and Twilio recorders `npm start` runs), exercised through the
 * gateway; what left the platform is read from the recorders' inspection API.
 */
const client = new Client();
const platform = client.platform;

async function received<T>(path: string): Promise<T[]> {
  const response = await fetch(`${platform.providerSinksUrl}${path}`);
  return (await response.json()) as T[];
}

describe('notifications through the gateway', () => {
  it("a transfer: the recipient's inbox gains an entry, an email arrives over SMTP, and notificationReceived arrives over Socket.IO", async () => {
    const sender = await client.newUser('nora');
    const recipient = await client.newUser('oscar');
    await client.deposit(sender.id, 10_000);
    const socket: Socket = connectSocket(platform.gatewayBase, { auth: { token: recipient.token }, transports: ['websocket'], reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const pushed = new Promise<any>((resolve) =>
        socket.on('next', (frame) => {
          if (frame.id === 'n' && frame.payload?.data?.notificationReceived?.type === 'payment.transfer_received') resolve(frame.payload.data.notificationReceived);
        }),
      );
      socket.emit('subscribe', { id: 'n', query: 'subscription { notificationReceived { id type title body readAt createdAt } }' });
      // The subscription is registered once a probe subscribed after it completes.
      socket.emit('subscribe', { id: 'probe', query: 'subscription { notificationReceived { id } }' });
      socket.emit('unsubscribe', { id: 'probe' });
      await new Promise((resolve) => socket.once('complete', resolve));

      await client.ok(TRANSFER, { input: { toUserId: recipient.id, amount: 2_500, currency: 'EUR', idempotencyKey: `n-${randomUUID()}` } }, sender.token);
      const notification = await pushed;
      expect(notification).toMatchObject({ type: 'payment.transfer_received', title: 'Money received', body: 'nora sent you €25.00.', readAt: null });

      const inbox = await client.ok('{ notifications(first: 5) { totalCount nodes { id type body } } unreadNotificationCount }', {}, recipient.token);
      expect(inbox.notifications.nodes.map((n: any) => n.id)).toContain(notification.id);
      expect(inbox.unreadNotificationCount).toBeGreaterThanOrEqual(1);
      await waitFor(async () => (await received<{ subject: string }>(`/emails?to=${encodeURIComponent(recipient.email)}`)).some((m) => m.subject === 'You received €25.00'), {
        what: 'the email at the SMTP recorder',
        timeoutMs: 20_000,
      });
      expect(await client.ok('mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }', { ids: [notification.id] }, recipient.token)).toEqual({ markNotificationsRead: 1 });
    } finally {
      socket.disconnect();
    }
  });

  it("an OTP requested by SMS reaches the phone through Twilio's API and verifies with verifyOtp", async () => {
    const phone = `+49151${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const email = `sms-${randomUUID().slice(0, 8)}@e2e.local`;
    const password = 'a-long-enough-password-2026!';
    await client.ok(REGISTER, { input: { email, password, displayName: 'Sam', tenantId: DEMO.tenantId, phone } });
    const { login } = await client.ok(LOGIN, { input: { email, password, tenantId: DEMO.tenantId } });
    expect(await client.ok('mutation { requestOtp(input: { channel: SMS, purpose: "withdrawal" }) }', {}, login.accessToken)).toEqual({ requestOtp: true });
    let code = '';
    await waitFor(
      async () => {
        const [sms] = await received<{ body: string }>(`/sms?to=${encodeURIComponent(phone)}`);
        code = /\b(\d{6})\b/.exec(sms?.body ?? '')?.[1] ?? '';
        return code !== '';
      },
      { what: 'the SMS at the Twilio recorder', timeoutMs: 20_000 },
    );
    expect(await client.ok('mutation($code: String!) { verifyOtp(input: { purpose: "withdrawal", code: $code }) }', { code }, login.accessToken)).toEqual({ verifyOtp: true });
  });

  it('preferences and admin views: bad input gets typed codes; users cannot see deliveries', async () => {
    const user = await client.newUser('pia');
    const bad = await client.gql('mutation { updateNotificationPreferences(input: { phone: "12" }) { phone } }', {}, user.token);
    expect(bad.errors?.[0]?.extensions?.['code']).toBe('MSNotificationInvalidPhone');
    const forbidden = await client.gql('{ deliveries(first: 5) { totalCount } }', {}, user.token);
    expect(forbidden.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const admin = await client.admin();
    const sent = await client.ok('mutation { sendTestNotification(channel: EMAIL, to: "ops@e2e.local") { id status provider } }', {}, admin);
    expect(sent.sendTestNotification).toMatchObject({ status: 'QUEUED', provider: 'smtp' });
    await waitFor(async () => (await received(`/emails?to=ops@e2e.local`)).length > 0, { what: 'the test email', timeoutMs: 20_000 });
    const { errorCodes } = await client.ok('{ errorCodes }');
    expect(errorCodes).toEqual(expect.arrayContaining(['MSNotificationInvalidEmail', 'MSNotificationTemplateMissingVariable']));
  });
});
