import type { GraphQLResolveInfo } from 'graphql';
import { can, requireCallerTenant } from 'core-service/access';
import { selectsField, type PaginatedResult } from 'core-service';
import { BONUS_PERMISSIONS } from '../domain/permissions.js';
import type { BonusTemplate } from '../domain/template.js';
import type { UserBonus, UserBonusStatus } from '../domain/user-bonus.js';
import type { BonusContext } from './context.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export const queryResolvers = {
  bonusTemplates: async (_: unknown, args: { activeOnly?: boolean | null }, ctx: BonusContext): Promise<BonusTemplate[]> => {
    const { tenantId } = requireCallerTenant(ctx, BONUS_PERMISSIONS.read, ctx.user?.id);
    // Inactive templates (drafts, retired offers) are the admins' business.
    const isManager = can(ctx, BONUS_PERMISSIONS.manageTemplates, { tenantId });
    return ctx.bonus.store.templatesOf(tenantId, !isManager || args.activeOnly === true);
  },

  myBonuses: async (_: unknown, args: PageArgs & { status?: UserBonusStatus | null }, ctx: BonusContext, info: GraphQLResolveInfo): Promise<PaginatedResult<UserBonus>> => {
    const { userId, tenantId } = requireCallerTenant(ctx, BONUS_PERMISSIONS.read, ctx.user?.id);
    return ctx.bonus.store.pageBonuses(tenantId, userId, args.status ?? undefined, args.first ?? undefined, args.after ?? undefined, selectsField(info, 'totalCount'));
  },

  userBonuses: async (_: unknown, args: PageArgs & { userId: string }, ctx: BonusContext, info: GraphQLResolveInfo): Promise<PaginatedResult<UserBonus>> => {
    const { tenantId } = requireCallerTenant(ctx, BONUS_PERMISSIONS.read, args.userId);
    return ctx.bonus.store.pageBonuses(tenantId, args.userId, undefined, args.first ?? undefined, args.after ?? undefined, selectsField(info, 'totalCount'));
  },
};
