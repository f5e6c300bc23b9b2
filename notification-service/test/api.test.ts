import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deliveriesOf, errorCode, startNotification, waitFor } from './helpers.js';

const PREFS = 'query { notificationPreferences { channels mutedTypes locale email phone } }';
const UPDATE_PREFS = 'mutation P($input: NotificationPreferencesInput!) { updateNotificationPreferences(input: $input) { channels mutedTypes locale email phone } }';
const INBOX =
  'query I($first: Int, $after: String, $unreadOnly: Boolean) { notifications(first: $first, after: $after, unreadOnly: $unreadOnly) { totalCount nodes { id type title body readAt critical } pageInfo { hasNextPage endCursor } } }';
const UPSERT = 'mutation T($input: NotificationTemplateInput!) { upsertNotificationTemplate(input: $input) { id type channel locale subject body builtIn } }';
const TEST_SEND =
  'mutation S($channel: NotificationChannel!, $to: String!, $type: String) { sendTestNotification(channel: $channel, to: $to, type: $type) { id channel status provider attempts userId notificationId } }';

describe('preferences', () => {
  it('bad addresses, locales and types are refused with their codes and change nothing', async () => {
    const running = await startNotification();
    const me = running.user();
    const saved = await running.graphql(me, UPDATE_PREFS, { input: { channels: ['IN_APP', 'EMAIL'], locale: 'de', phone: '+4915112345678' } });
    expect(saved.data.updateNotificationPreferences).toEqual({ channels: ['EMAIL', 'IN_APP'], mutedTypes: [], locale: 'de', email: null, phone: '+4915112345678' });
    const cases: [Record<string, unknown>, string][] = [
      [{ email: 'not-an-address', channels: ['SMS'] }, 'MSNotificationInvalidEmail'],
      [{ email: 'a@b.c\r\nBcc: x@y.z' }, 'MSNotificationInvalidEmail'],
      [{ phone: '12345', channels: ['SMS'] }, 'MSNotificationInvalidPhone'],
      [{ phone: '+49 0000' }, 'MSNotificationInvalidPhone'],
      [{ locale: 'not a locale!' }, 'MSNotificationInvalidLocale'],
      [{ mutedTypes: ['payment.transfer_received', 'no.such_type'] }, 'MSNotificationUnknownType'],
    ];
    for (const [input, code] of cases) expect(errorCode(await running.graphql(me, UPDATE_PREFS, { input })), JSON.stringify(input)).toBe(code);
    expect((await running.graphql(me, PREFS)).data.notificationPreferences).toEqual(saved.data.updateNotificationPreferences);
  });

  it('a muted type is not sent; a muted critical type is, by email even when email was switched off', async () => {
    const running = await startNotification();
    const alice = await running.sources.register();
    const bob = await running.sources.register();
    const me = running.user(bob.id);
    const answer = await running.graphql(me, UPDATE_PREFS, { input: { channels: ['IN_APP'], mutedTypes: ['payment.transfer_received', 'security.password_changed'] } });
    expect(answer.errors).toBeUndefined();
    await running.sources.transfer(alice.id, bob.id, 100);
    await running.sources.publish('auth.password_changed', bob.id, { at: '2026-12-05T10:00:00.000Z', clientAddress: '203.0.113.9' });
    const mail = await running.smtp.waitFor((m) => m.to.includes(bob.email), 45_000);
    expect(mail.subject).toBe('Your password was changed');
    await waitFor(async () => (await running.service.events.getStats()).pending === 0, { what: 'both events handled' });
    const notifications = await running.service.deps.store.notifications.find({ userId: bob.id }).toArray();
    expect(notifications.map((n) => [n.type, [...n.channels].sort()])).toEqual([['security.password_changed', ['EMAIL', 'IN_APP']]]);
  });
});

describe('inbox', () => {
  it("pages newest first, filters unread, counts, and marks only the caller's own entries read", async () => {
    const running = await startNotification();
    const alice = await running.sources.register();
    const bob = await running.sources.register();
    for (const amount of [100, 200, 300]) await running.sources.transfer(alice.id, bob.id, amount);
    const me = running.user(bob.id);
    await waitFor(async () => (await running.graphql(me, 'query { unreadNotificationCount }')).data?.unreadNotificationCount === 3, { what: 'three unread entries' });

    const first = await running.graphql(me, INBOX, { first: 2 });
    expect(first.data.notifications.totalCount).toBe(3);
    expect(first.data.notifications.nodes.map((n: any) => n.body)).toEqual([expect.stringContaining('€3.00'), expect.stringContaining('€2.00')]);
    const rest = await running.graphql(me, INBOX, { first: 2, after: first.data.notifications.pageInfo.endCursor });
    expect(rest.data.notifications.nodes.map((n: any) => n.body)).toEqual([expect.stringContaining('€1.00')]);
    expect(rest.data.notifications.pageInfo.hasNextPage).toBe(false);

    const newest = first.data.notifications.nodes[0].id;
    const stranger = running.user(alice.id);
    expect((await running.graphql(stranger, 'mutation M($ids: [ID!]!) { markNotificationsRead(ids: $ids) }', { ids: [newest] })).data.markNotificationsRead).toBe(0);
    expect((await running.graphql(me, 'mutation M($ids: [ID!]!) { markNotificationsRead(ids: $ids) }', { ids: [newest, 'unknown-id'] })).data.markNotificationsRead).toBe(1);
    expect((await running.graphql(me, 'mutation M($ids: [ID!]!) { markNotificationsRead(ids: $ids) }', { ids: [newest] })).data.markNotificationsRead).toBe(0);
    const unread = await running.graphql(me, INBOX, { unreadOnly: true });
    expect(unread.data.notifications.nodes).toHaveLength(2);
    expect((await running.graphql(me, 'mutation { markAllNotificationsRead }')).data.markAllNotificationsRead).toBe(2);
    expect((await running.graphql(me, 'query { unreadNotificationCount }')).data.unreadNotificationCount).toBe(0);
    expect(errorCode(await running.graphql(me, 'mutation M($ids: [ID!]!) { markNotificationsRead(ids: $ids) }', { ids: Array.from({ length: 501 }, (_, i) => `id-${i}`) }))).toBe(
      'MSNotificationTooManyIds',
    );
    expect(errorCode(await running.graphql(null, 'query { unreadNotificationCount }'))).toBe('UNAUTHENTICATED');
  });
});

describe('templates and test sends', () => {
  it('admins replace a template; values are escaped in HTML; users and strangers cannot', async () => {
    const running = await startNotification();
    const admin = running.admin();
    const saved = await running.graphql(admin, UPSERT, {
      input: { type: 'payment.transfer_received', channel: 'EMAIL', subject: 'Incoming: {{amount}}', body: 'Hi! {{counterparty}} paid {{amount}}.' },
    });
    expect(saved.errors).toBeUndefined();
    expect(saved.data.upsertNotificationTemplate).toMatchObject({ type: 'payment.transfer_received', channel: 'EMAIL', locale: 'en', builtIn: false });
    expect(errorCode(await running.graphql(running.user(), UPSERT, { input: { type: 'test', channel: 'EMAIL', body: 'x' } }))).toBe('FORBIDDEN');
    // The edit is audited with the admin as actor; the refused one is not.
    const audit = (await running.fixture.db('core_service')).collection('audit_log');
    expect(await audit.find({ tenantId: running.fixture.tenantId }).toArray()).toEqual([
      expect.objectContaining({
        action: 'notification_template.created',
        category: 'admin',
        actor: { type: 'user', id: admin.id },
        resource: { type: 'notification_template', id: 'payment.transfer_received/EMAIL/en' },
        before: null,
        after: { subject: 'Incoming: {{amount}}', body: 'Hi! {{counterparty}} paid {{amount}}.' },
      }),
    ]);

    const mallory = await running.sources.register({ displayName: '<script>alert(1)</script>' });
    const bob = await running.sources.register();
    await running.sources.transfer(mallory.id, bob.id, 4_200);
    const mail = await running.smtp.waitFor((m) => m.to.includes(bob.email), 45_000);
    expect(mail.subject).toBe('Incoming: €42.00');
    expect(mail.text).toBe('Hi! <script>alert(1)</script> paid €42.00.');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).not.toContain('<script>');

    const listed = await running.graphql(admin, 'query { notificationTemplates { type channel locale builtIn subject } }');
    const forType = listed.data.notificationTemplates.filter((t: any) => t.type === 'payment.transfer_received' && t.locale === 'en');
    expect(forType).toEqual([
      { type: 'payment.transfer_received', channel: 'EMAIL', locale: 'en', builtIn: false, subject: 'Incoming: {{amount}}' },
      { type: 'payment.transfer_received', channel: 'IN_APP', locale: 'en', builtIn: true, subject: 'Money received' },
    ]);
  });

  it('a syntax error is refused at save; a missing variable fails the test send, and users still get the built-in text', async () => {
    const running = await startNotification();
    const admin = running.admin();
    expect(errorCode(await running.graphql(admin, UPSERT, { input: { type: 'test', channel: 'EMAIL', body: 'Hello {{#if displayName}' } }))).toBe('MSNotificationInvalidTemplate');
    expect(errorCode(await running.graphql(admin, UPSERT, { input: { type: 'nope', channel: 'EMAIL', body: 'x' } }))).toBe('MSNotificationUnknownType');
    expect(errorCode(await running.graphql(admin, UPSERT, { input: { type: 'payment.transfer_sent', channel: 'SMS', body: 'x' } }))).toBe('MSNotificationInvalidChannel');

    const broken = await running.graphql(admin, UPSERT, { input: { type: 'payment.transfer_received', channel: 'EMAIL', subject: 'Money', body: 'You got {{amount}} from {{senderName}}' } });
    expect(broken.errors).toBeUndefined();
    const test = await running.graphql(admin, TEST_SEND, { channel: 'EMAIL', to: 'ops@example.test', type: 'payment.transfer_received' });
    expect(errorCode(test)).toBe('MSNotificationTemplateMissingVariable');
    expect(test.errors![0]!.extensions).toMatchObject({ variable: 'senderName' });

    const alice = await running.sources.register({ displayName: 'Alice' });
    const bob = await running.sources.register();
    await running.sources.transfer(alice.id, bob.id, 300);
    const mail = await running.smtp.waitFor((m) => m.to.includes(bob.email), 45_000);
    expect(mail.subject).toBe('You received €3.00');
  });

  it('test sends go to the address given, on each channel, and refuse bad addresses', async () => {
    const running = await startNotification();
    const admin = running.admin();
    const email = await running.graphql(admin, TEST_SEND, { channel: 'EMAIL', to: 'Ops@Example.test' });
    expect(email.errors).toBeUndefined();
    expect(email.data.sendTestNotification).toMatchObject({ channel: 'EMAIL', status: 'QUEUED', provider: 'smtp', attempts: 0 });
    const mail = await running.smtp.waitFor((m) => m.to.includes('ops@example.test'), 45_000);
    expect(mail.subject).toBe('Test notification');

    const sms = await running.graphql(admin, TEST_SEND, { channel: 'SMS', to: '+4915112345670' });
    expect(sms.errors).toBeUndefined();
    await running.twilio.waitFor((m) => m.to === '+4915112345670', 45_000);

    const user = await running.sources.register();
    await waitFor(async () => (await running.service.deps.store.recipient(user.id)) !== null, { what: 'the user known' });
    const inApp = await running.graphql(admin, TEST_SEND, { channel: 'IN_APP', to: user.id });
    expect(inApp.data.sendTestNotification).toMatchObject({ channel: 'IN_APP', status: 'DELIVERED', userId: user.id });

    expect(errorCode(await running.graphql(admin, TEST_SEND, { channel: 'EMAIL', to: 'nobody' }))).toBe('MSNotificationInvalidEmail');
    expect(errorCode(await running.graphql(admin, TEST_SEND, { channel: 'SMS', to: '555-1234' }))).toBe('MSNotificationInvalidPhone');
    expect(errorCode(await running.graphql(admin, TEST_SEND, { channel: 'PUSH', to: `u-${randomUUID()}` }))).toBe('MSNotificationRecipientNotFound');
    expect(errorCode(await running.graphql(running.user(), TEST_SEND, { channel: 'EMAIL', to: 'a@example.test' }))).toBe('FORBIDDEN');

    const deliveries = await running.graphql(admin, 'query D($filter: DeliveryFilter) { deliveries(first: 10, filter: $filter) { totalCount nodes { channel status userId } } }', {
      filter: { channel: 'IN_APP' },
    });
    expect(deliveries.data.deliveries).toEqual({ totalCount: 1, nodes: [{ channel: 'IN_APP', status: 'DELIVERED', userId: user.id }] });
    expect(errorCode(await running.graphql(running.user(), 'query { deliveries(first: 5) { totalCount } }'))).toBe('FORBIDDEN');
    expect(await deliveriesOf(running, user.id)).toHaveLength(1);
  });
});

describe('metrics', () => {
  it('/metrics counts operations by root field and deliveries by channel and status', async () => {
    const running = await startNotification();
    const alice = await running.sources.register();
    const bob = await running.sources.register();
    await running.sources.transfer(alice.id, bob.id, 100);
    await running.smtp.waitFor((m) => m.to.includes(bob.email), 45_000);
    await running.graphql(running.user(bob.id), 'query { unreadNotificationCount }');
    const text = await waitFor(
      async () => {
        const body = await (await fetch(running.url.replace('/graphql', '/metrics'))).text();
        return body.includes('notification_deliveries_total{channel="EMAIL",status="SENT",service="notification-service"} 1') ? body : undefined;
      },
      { what: 'the sent email counted' },
    );
    expect(text).toContain('notification_deliveries_total{channel="IN_APP",status="DELIVERED",service="notification-service"} 2');
    expect(text).toContain('subgraph_operations_total{field="unreadNotificationCount",type="query",outcome="ok",service="notification-service"} 1');
    expect(text).toContain('notification_provider_breaker_open{provider="smtp",service="notification-service"} 0');
    expect(text).toMatch(/notification_queue_depth\{channel="EMAIL",service="notification-service"\} \d+/);
  });
});
