import type { GraphQLResolveInfo } from 'graphql';
import { paginateCollection, selectsField, type PaginatedResult } from 'core-service';
import { requireCallerTenant } from 'core-service/access';
import { NOTIFICATION_TYPES } from '../domain/catalog.js';
import { DEFAULT_PREFERENCES, type Preferences } from '../domain/preferences.js';
import { builtInTemplates } from '../domain/default-templates.js';
import { NOTIFICATION_PERMISSIONS } from '../domain/permissions.js';
import type { DeliveryDocument, NotificationDocument, TemplateDocument } from '../store/documents.js';
import type { NotificationContext } from './context.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface DeliveryFilter {
  userId?: string | null;
  notificationId?: string | null;
  channel?: string | null;
  status?: string | null;
  type?: string | null;
}

const page = (args: PageArgs) => ({ ...(args.first != null ? { first: args.first } : {}), ...(args.after != null ? { after: args.after } : {}) });

/** A built-in template as the listing shows it: id from its coordinates, never saved. */
export interface TemplateView extends Omit<TemplateDocument, 'updatedBy'> {
  builtIn: boolean;
}

export const queryResolvers = {
  notifications: (_: unknown, args: PageArgs & { unreadOnly?: boolean | null }, ctx: NotificationContext, info: GraphQLResolveInfo): Promise<PaginatedResult<NotificationDocument>> => {
    const { userId, tenantId } = requireCallerTenant(ctx, NOTIFICATION_PERMISSIONS.read, ctx.user?.id);
    return paginateCollection(ctx.notification.store.notifications, {
      filter: { tenantId, userId, inbox: true, ...(args.unreadOnly === true ? { readAt: null } : {}) },
      sort: { createdAt: -1 },
      ...page(args),
      includeTotalCount: selectsField(info, 'totalCount'),
    });
  },

  unreadNotificationCount: (_: unknown, __: unknown, ctx: NotificationContext): Promise<number> => {
    const { userId, tenantId } = requireCallerTenant(ctx, NOTIFICATION_PERMISSIONS.read, ctx.user?.id);
    return ctx.notification.store.notifications.countDocuments({ tenantId, userId, inbox: true, readAt: null });
  },

  notificationPreferences: async (_: unknown, __: unknown, ctx: NotificationContext): Promise<Preferences> => {
    const { userId } = requireCallerTenant(ctx, NOTIFICATION_PERMISSIONS.read, ctx.user?.id);
    return (await ctx.notification.store.preferencesOf(userId)) ?? DEFAULT_PREFERENCES;
  },

  notificationTemplates: async (_: unknown, __: unknown, ctx: NotificationContext): Promise<TemplateView[]> => {
    const { tenantId } = requireCallerTenant(ctx, NOTIFICATION_PERMISSIONS.manageTemplates);
    const own = await ctx.notification.store.templates.find({ tenantId }).toArray();
    const key = (t: { type: string; channel: string; locale: string }) => `${t.type}/${t.channel}/${t.locale}`;
    const replaced = new Set(own.map(key));
    const builtIns: TemplateView[] = [];
    for (const { type, channel, locale, text } of builtInTemplates()) {
      const view = { type, channel, locale };
      if (replaced.has(key(view))) continue;
      builtIns.push({ _id: `default:${key(view)}`, tenantId, ...view, subject: text.subject ?? null, body: text.body, updatedAt: new Date(0), builtIn: true });
    }
    const mine = own.map(({ updatedBy: _by, ...template }): TemplateView => ({ ...template, builtIn: false }));
    return [...mine, ...builtIns].sort((a, b) => key(a).localeCompare(key(b)));
  },

  notificationTypes: (_: unknown, __: unknown, ctx: NotificationContext) => {
    requireCallerTenant(ctx, NOTIFICATION_PERMISSIONS.read, ctx.user?.id);
    return Object.entries(NOTIFICATION_TYPES).map(([name, spec]) => ({ name, critical: spec.critical, channels: spec.channels, variables: Object.keys(spec.sample) }));
  },

  deliveries: (_: unknown, args: PageArgs & { filter?: DeliveryFilter | null }, ctx: NotificationContext, info: GraphQLResolveInfo): Promise<PaginatedResult<DeliveryDocument>> => {
    const filter = args.filter ?? {};
    const { tenantId } = requireCallerTenant(ctx, NOTIFICATION_PERMISSIONS.read, filter.userId ?? undefined);
    const where: Record<string, unknown> = { tenantId };
    for (const field of ['userId', 'notificationId', 'channel', 'status', 'type'] as const) if (filter[field] != null) where[field] = filter[field];
    return paginateCollection(ctx.notification.store.deliveries, { filter: where, sort: { createdAt: -1 }, ...page(args), includeTotalCount: selectsField(info, 'totalCount') });
  },
};
