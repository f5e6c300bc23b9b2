import { randomUUID } from 'node:crypto';
import { withTransaction } from 'core-service';
import { requireCallerTenant } from 'core-service/access';
import { NOTIFICATION_ERRORS, NotificationError } from '../domain/errors.js';
import { isNotificationType, templateChannels, typeSpec, type NotificationIntent, type NotificationType } from '../domain/catalog.js';
import { CHANNELS, isChannel, type Channel } from '../domain/channels.js';
import { normalizeEmailAddress, normalizeLocale, normalizePhoneNumber } from '../domain/addresses.js';
import { DEFAULT_PREFERENCES, type Preferences } from '../domain/preferences.js';
import { assertTemplateSyntax, MissingVariableError, renderTemplate, templateVariables } from '../domain/render.js';
import { NOTIFICATION_PERMISSIONS } from '../domain/permissions.js';
import { createNotification } from '../delivery/create-notification.js';
import { templateCandidates } from '../delivery/templates.js';
import type { DeliveryDocument, TemplateDocument } from '../store/documents.js';
import type { NotificationContext } from './context.js';
import type { TemplateView } from './queries.js';

/** Most ids one `markNotificationsRead` takes: one bounded update. */
const MAX_IDS = 500;
const MAX_TEMPLATE_CHARS = 20_000;

export interface PreferencesInput {
  channels?: Channel[] | null;
  mutedTypes?: string[] | null;
  locale?: string | null;
  email?: string | null;
  phone?: string | null;
}

export interface TemplateInput {
  type: string;
  channel: Channel;
  locale?: string | null;
  subject?: string | null;
  body: string;
}

function checkType(type: string): NotificationType {
  if (!isNotificationType(type)) throw new NotificationError(NOTIFICATION_ERRORS.UnknownType, `Unknown notification type '${type}' (see notificationTypes)`, { type });
  return type;
}

export const mutationResolvers = {
  markNotificationsRead: async (_: unknown, args: { ids: string[] }, ctx: NotificationContext): Promise<number> => {
    const { userId, tenantId } = requireCallerTenant(ctx, NOTIFICATION_PERMISSIONS.update, ctx.user?.id);
    if (args.ids.length > MAX_IDS) throw new NotificationError(NOTIFICATION_ERRORS.TooManyIds, `At most ${MAX_IDS} ids at once`, { max: MAX_IDS });
    if (args.ids.length === 0) return 0;
    const result = await ctx.notification.store.notifications.updateMany({ _id: { $in: args.ids }, tenantId, userId, inbox: true, readAt: null }, { $set: { readAt: ctx.notification.now() } });
    return result.modifiedCount;
  },

  markAllNotificationsRead: async (_: unknown, __: unknown, ctx: NotificationContext): Promise<number> => {
    const { userId, tenantId } = requireCallerTenant(ctx, NOTIFICATION_PERMISSIONS.update, ctx.user?.id);
    const result = await ctx.notification.store.notifications.updateMany({ tenantId, userId, inbox: true, readAt: null }, { $set: { readAt: ctx.notification.now() } });
    return result.modifiedCount;
  },

  updateNotificationPreferences: async (_: unknown, { input }: { input: PreferencesInput }, ctx: NotificationContext): Promise<Preferences> => {
    const { userId, tenantId } = requireCallerTenant(ctx, NOTIFICATION_PERMISSIONS.update, ctx.user?.id);
    const store = ctx.notification.store;
    const current = (await store.preferencesOf(userId)) ?? DEFAULT_PREFERENCES;
    // Everything is checked before anything is written: a bad phone number leaves the channels as they were.
    const next: Preferences = {
      channels: input.channels != null ? CHANNELS.filter((channel) => input.channels!.includes(channel)) : current.channels,
      mutedTypes: input.mutedTypes != null ? [...new Set(input.mutedTypes.map(checkType))] : current.mutedTypes,
      locale: input.locale != null ? normalizeLocale(input.locale) : current.locale,
      email: input.email === undefined ? current.email : input.email === null || input.email.trim() === '' ? null : normalizeEmailAddress(input.email),
      phone: input.phone === undefined ? current.phone : input.phone === null || input.phone.trim() === '' ? null : normalizePhoneNumber(input.phone),
    };
    await store.preferences.updateOne({ _id: userId }, { $set: { ...next, tenantId, updatedAt: ctx.notification.now() } }, { upsert: true });
    return next;
  },

  upsertNotificationTemplate: async (_: unknown, { input }: { input: TemplateInput }, ctx: NotificationContext): Promise<TemplateView> => {
    const { userId, tenantId } = requireCallerTenant(ctx, NOTIFICATION_PERMISSIONS.manageTemplates);
    const type = checkType(input.type);
    if (!isChannel(input.channel) || input.channel === 'PUSH') {
      throw new NotificationError(NOTIFICATION_ERRORS.InvalidChannel, 'Templates are per EMAIL, SMS or IN_APP (PUSH shows the IN_APP text)', { channel: input.channel });
    }
    if (!templateChannels(typeSpec(type)).includes(input.channel)) {
      throw new NotificationError(NOTIFICATION_ERRORS.InvalidChannel, `${type} is not sent on ${input.channel}`, { type, channel: input.channel });
    }
    const locale = normalizeLocale(input.locale ?? 'en');
    const subject = input.channel === 'SMS' ? null : (input.subject ?? null);
    for (const [field, source] of [
      ['body', input.body],
      ['subject', subject],
    ] as const) {
      if (source === null) continue;
      if (source.length > MAX_TEMPLATE_CHARS || (field === 'body' && source.trim() === '')) {
        throw new NotificationError(NOTIFICATION_ERRORS.InvalidTemplate, `${field} must be 1 to ${MAX_TEMPLATE_CHARS} characters`, { field });
      }
      try {
        assertTemplateSyntax(source);
      } catch (error) {
        throw new NotificationError(NOTIFICATION_ERRORS.InvalidTemplate, `${field}: ${error instanceof Error ? error.message.split('\n')[0] : 'invalid template'}`, { field });
      }
    }
    const now = ctx.notification.now();
    const { store, audit, client } = ctx.notification;
    const filter = { tenantId, type, channel: input.channel, locale };
    // The edit and its audit entry (before and after) commit together or not at all.
    const saved = await withTransaction({
      client,
      fn: async (session) => {
        const before = await store.templates.findOne(filter, { session });
        const after = await store.templates.findOneAndUpdate(
          filter,
          { $set: { subject, body: input.body, updatedAt: now, updatedBy: userId }, $setOnInsert: { _id: randomUUID() } },
          { upsert: true, returnDocument: 'after', session },
        );
        if (after === null) throw new Error('template upsert returned no document');
        await audit.record(
          {
            tenantId,
            category: 'admin',
            action: before === null ? 'notification_template.created' : 'notification_template.updated',
            resource: { type: 'notification_template', id: `${type}/${input.channel}/${locale}` },
            before: before === null ? null : { subject: before.subject, body: before.body },
            after: { subject, body: input.body },
          },
          { session },
        );
        return after;
      },
    });
    const { updatedBy: _by, ...view } = saved as TemplateDocument;
    return { ...view, builtIn: false };
  },

  sendTestNotification: async (_: unknown, args: { channel: Channel; to: string; type?: string | null; locale?: string | null }, ctx: NotificationContext): Promise<DeliveryDocument> => {
    const { tenantId } = requireCallerTenant(ctx, NOTIFICATION_PERMISSIONS.send);
    const deps = ctx.notification;
    const type = checkType(args.type ?? 'test');
    const locale = normalizeLocale(args.locale ?? 'en');
    const { channel } = args;
    let userId: string;
    let destination: string | null = null;
    if (channel === 'EMAIL' || channel === 'SMS') {
      destination = channel === 'EMAIL' ? normalizeEmailAddress(args.to) : normalizePhoneNumber(args.to);
      userId = ctx.user!.id;
    } else {
      const recipient = await deps.store.recipient(args.to);
      if (recipient === null || recipient.tenantId !== tenantId) throw new NotificationError(NOTIFICATION_ERRORS.RecipientNotFound, 'No such user in this tenant', { to: args.to });
      userId = recipient._id;
    }
    // The test is the template's rehearsal: it renders the template a user would get with the
    // type's sample values, and a variable the type does not provide fails here, not in a user's message.
    const variables = { ...typeSpec(type).sample };
    const [template] = await templateCandidates(deps.store, tenantId, type, channel, locale);
    if (template === undefined) throw new NotificationError(NOTIFICATION_ERRORS.InvalidChannel, `${type} has no ${channel} template`, { type, channel });
    try {
      renderTemplate(template.text, templateVariables(variables, locale));
    } catch (error) {
      if (error instanceof MissingVariableError) {
        throw new NotificationError(NOTIFICATION_ERRORS.TemplateMissingVariable, `The ${template.locale} ${channel} template of ${type} uses {{${error.variable}}}, which ${type} does not provide`, {
          variable: error.variable,
          type,
          channel,
          locale: template.locale,
          available: Object.keys(variables),
        });
      }
      throw error;
    }
    const intent: NotificationIntent = { type, userId, variables, destination, data: { test: true } };
    const created = await withTransaction({
      client: deps.client,
      fn: async (session) => {
        const result = await createNotification(deps, { tenantId, intent, sourceId: `test:${randomUUID()}`, channels: [channel], test: true, locale }, session);
        await deps.audit.record(
          {
            tenantId,
            category: 'admin',
            action: 'notification.test_sent',
            resource: { type: 'notification_template', id: `${type}/${channel}/${template.locale}` },
            data: { channel, to: destination ?? userId },
          },
          { session },
        );
        return result;
      },
    });
    const delivery = created?.deliveries[0];
    if (delivery === undefined) throw new Error('test notification produced no delivery');
    return delivery;
  },
};
