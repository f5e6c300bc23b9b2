import { randomUUID } from 'node:crypto';
import type { ClientSession } from 'mongodb';
import { captureTraceContext, runAfterCommit } from 'core-service';
import type { NotificationDeps } from '../deps.js';
import type { Channel } from '../domain/channels.js';
import { typeSpec, type NotificationIntent } from '../domain/catalog.js';
import { DEFAULT_PREFERENCES, decideChannels } from '../domain/preferences.js';
import type { DeliveryDocument, NotificationDocument } from '../store/documents.js';
import { renderForDelivery } from './templates.js';

/** What `notification.created` carries: the API's Notification plus its owner, for the gateway's push. */
export const NOTIFICATION_CREATED = 'notification.created';

export interface CreateNotificationRequest {
  tenantId: string;
  intent: NotificationIntent;
  /** The source's identity (`<event id>` or `test:<uuid>`): with type and user, the dedupe key. */
  sourceId: string;
  /** Test sends: these channels, whatever the preferences. */
  channels?: readonly Channel[];
  test?: boolean;
  /** Test sends: this locale instead of the recipient's. */
  locale?: string;
}

export interface CreatedNotification {
  notification: NotificationDocument;
  deliveries: DeliveryDocument[];
}

/**
 * Turns one intent into a notification and one delivery per channel, inside `session`'s
 * transaction (the event handler's, with its processed-event record): IN_APP is delivered by
 * the write itself, PUSH by a `notification.created` event in the same outbox, EMAIL and SMS
 * are QUEUED for the dispatcher, kicked after commit. Returns null when preferences leave no
 * channel, or when this source already produced the notification (a redelivered event).
 */
export async function createNotification(deps: NotificationDeps, request: CreateNotificationRequest, session: ClientSession): Promise<CreatedNotification | null> {
  const { tenantId, intent } = request;
  const spec = typeSpec(intent.type);
  const preferences = (await deps.store.preferencesOf(intent.userId, session)) ?? DEFAULT_PREFERENCES;
  const channels = request.channels ?? decideChannels(intent.type, spec, preferences, intent.onlyChannels);
  if (channels.length === 0) return null;

  const now = deps.now();
  const expiresAt = new Date(now.getTime() + deps.settings.retentionDays * 86_400_000);
  const locale = request.locale ?? preferences.locale;
  const variables = await withCounterparty(deps, intent.variables, session);
  const showsText = channels.includes('IN_APP') || channels.includes('PUSH');
  const inboxText = showsText ? await renderForDelivery(deps.store, tenantId, intent.type, 'IN_APP', locale, variables) : null;
  const notification: NotificationDocument = {
    _id: randomUUID(),
    tenantId,
    userId: intent.userId,
    type: intent.type,
    title: inboxText?.subject ?? intent.type,
    body: inboxText?.text ?? '',
    data: intent.data ?? null,
    critical: spec.critical,
    channels: [...channels],
    inbox: channels.includes('IN_APP'),
    dedupeKey: `${request.sourceId}:${intent.type}:${intent.userId}`,
    locale,
    readAt: null,
    createdAt: now,
    expiresAt,
  };
  // Looked up, not caught: a duplicate-key error would abort the whole transaction. The unique
  // index still guards against two instances racing (the loser's batch is retried and stops here).
  if ((await deps.store.notifications.countDocuments({ tenantId, dedupeKey: notification.dedupeKey }, { session, limit: 1 })) > 0) return null;
  await deps.store.notifications.insertOne(notification, { session });

  // Recorded on each delivery, because the send happens later in a queue worker, outside this context.
  const trace = captureTraceContext();
  const deliveries = channels.map((channel): DeliveryDocument => {
    const base = {
      _id: randomUUID(),
      tenantId,
      userId: intent.userId,
      notificationId: notification._id,
      channel,
      attempts: 0,
      lastError: null,
      type: intent.type,
      critical: spec.critical,
      locale,
      variables,
      to: intent.destination ?? null,
      sealed: intent.sealed ?? null,
      test: request.test === true,
      providerMessageId: null,
      enqueuedAt: null,
      createdAt: now,
      sentAt: null,
      deliveredAt: null,
      expiresAt,
      ...trace,
    };
    switch (channel) {
      case 'IN_APP':
        return { ...base, provider: 'inbox', status: 'DELIVERED', attempts: 1, sealed: null, sentAt: now, deliveredAt: now };
      case 'PUSH':
        return { ...base, provider: 'live', status: 'SENT', attempts: 1, sealed: null, sentAt: now };
      case 'EMAIL':
      case 'SMS':
        // A deployment without a provider for the channel records why nothing went out.
        if (deps.providerNames[channel] === null) return { ...base, provider: 'none', status: 'SUPPRESSED', sealed: null, lastError: `no ${channel} provider is configured` };
        return { ...base, provider: deps.providerNames[channel], status: 'QUEUED' };
    }
  });
  await deps.store.deliveries.insertMany(deliveries, { session });
  await runAfterCommit(session, () => {
    for (const delivery of deliveries) deps.metrics?.delivery(delivery.channel, delivery.status);
  });
  if (channels.includes('PUSH')) {
    await deps.events.emit(NOTIFICATION_CREATED, tenantId, intent.userId, { notification: notificationView(notification) }, { session });
  }
  if (deliveries.some((delivery) => delivery.status === 'QUEUED')) await runAfterCommit(session, () => deps.dispatcher.kick());
  return { notification, deliveries };
}

/** The API's `Notification` (and its owner, which routes the push). */
export function notificationView(notification: NotificationDocument): Record<string, unknown> {
  return {
    id: notification._id,
    userId: notification.userId,
    type: notification.type,
    title: notification.title,
    body: notification.body,
    data: notification.data,
    critical: notification.critical,
    readAt: notification.readAt?.toISOString() ?? null,
    createdAt: notification.createdAt.toISOString(),
  };
}

/** Payment rules name the other party by id; messages name them by display name. */
async function withCounterparty(deps: NotificationDeps, variables: Record<string, string | number>, session: ClientSession): Promise<Record<string, string | number>> {
  const id = variables['counterparty'];
  if (typeof id !== 'string') return variables;
  const other = id === '' ? null : await deps.store.recipient(id, session);
  return { ...variables, counterparty: other?.displayName ?? other?.email ?? 'another user' };
}
