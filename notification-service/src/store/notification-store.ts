import type { ClientSession, Collection, Db } from 'mongodb';
import type { DeliveryDocument, NotificationDocument, PreferencesDocument, RecipientDocument, TemplateDocument } from './documents.js';

const withSession = (session?: ClientSession) => (session ? { session } : {});

/** notification-service's collections in its own database, and their indexes. */
export class NotificationStore {
  readonly notifications: Collection<NotificationDocument>;
  readonly deliveries: Collection<DeliveryDocument>;
  readonly preferences: Collection<PreferencesDocument>;
  readonly templates: Collection<TemplateDocument>;
  readonly recipients: Collection<RecipientDocument>;

  constructor(readonly db: Db) {
    this.notifications = db.collection<NotificationDocument>('notifications');
    this.deliveries = db.collection<DeliveryDocument>('deliveries');
    this.preferences = db.collection<PreferencesDocument>('notification_preferences');
    this.templates = db.collection<TemplateDocument>('notification_templates');
    this.recipients = db.collection<RecipientDocument>('recipients');
  }

  async ensureIndexes(): Promise<void> {
    await this.notifications.createIndexes([
      { key: { tenantId: 1, dedupeKey: 1 }, name: 'tenant_dedupe', unique: true },
      // The inbox: newest first, and the unread filter/count.
      { key: { tenantId: 1, userId: 1, inbox: 1, createdAt: -1, _id: -1 }, name: 'inbox' },
      { key: { tenantId: 1, userId: 1, inbox: 1, readAt: 1 }, name: 'inbox_unread' },
      { key: { expiresAt: 1 }, name: 'retention', expireAfterSeconds: 0 },
    ]);
    await this.deliveries.createIndexes([
      // One delivery per notification and channel.
      { key: { notificationId: 1, channel: 1 }, name: 'notification_channel', unique: true },
      // The dispatcher's backlog scan: queued deliveries of a channel, oldest first.
      { key: { channel: 1, enqueuedAt: 1, createdAt: 1 }, name: 'queued_backlog', partialFilterExpression: { status: 'QUEUED' } },
      { key: { tenantId: 1, createdAt: -1, _id: -1 }, name: 'tenant_created' },
      { key: { tenantId: 1, userId: 1, createdAt: -1, _id: -1 }, name: 'tenant_user_created' },
      { key: { providerMessageId: 1 }, name: 'provider_message', sparse: true },
      { key: { expiresAt: 1 }, name: 'retention', expireAfterSeconds: 0 },
    ]);
    await this.templates.createIndexes([{ key: { tenantId: 1, type: 1, channel: 1, locale: 1 }, name: 'tenant_type_channel_locale', unique: true }]);
    await this.recipients.createIndexes([{ key: { tenantId: 1 }, name: 'tenant' }]);
  }

  preferencesOf(userId: string, session?: ClientSession): Promise<PreferencesDocument | null> {
    return this.preferences.findOne({ _id: userId }, withSession(session));
  }

  recipient(userId: string, session?: ClientSession): Promise<RecipientDocument | null> {
    return this.recipients.findOne({ _id: userId }, withSession(session));
  }

  template(tenantId: string, type: string, channel: string, locale: string): Promise<TemplateDocument | null> {
    return this.templates.findOne({ tenantId, type, channel: channel as TemplateDocument['channel'], locale });
  }
}
