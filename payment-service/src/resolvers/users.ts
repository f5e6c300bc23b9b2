import { CORE_ERRORS, createServiceError, spendSlidingWindow } from 'core-service';
import { requireCallerTenant } from 'core-service/access';
import { toRecipient } from '../domain/user-projection.js';
import { PAYMENT_PERMISSIONS } from '../domain/permissions.js';
import type { PaymentContext } from './context.js';

/**
 * Limited per caller on top of the gateway's cost-based limit: each answer confirms or denies
 * that an address has an account, so enumerating a tenant's users must stay slow even for
 * a caller well inside its general budget.
 */
async function spendLookup(ctx: PaymentContext, tenantId: string, userId: string): Promise<void> {
  const { redis, keyPrefix, limit, windowMs } = ctx.payment.recipientLookups;
  const spent = await spendSlidingWindow(redis, { key: `${keyPrefix}:ratelimit:recipient-lookup:${tenantId}:${userId}`, spend: 1, limit, windowMs });
  if (!spent.allowed) {
    throw createServiceError(CORE_ERRORS.RateLimited, 'Too many recipient lookups; retry later', { limit, retryAfterSeconds: Math.ceil(spent.resetMs / 1000) });
  }
}

export const userQueryResolvers = {
  /** Exact email in the caller's tenant → id and display name only; null when there is none (or it cannot receive). */
  lookupRecipient: async (_: unknown, args: { email: string }, ctx: PaymentContext): Promise<{ id: string; displayName: string | null } | null> => {
    const { userId, tenantId } = requireCallerTenant(ctx);
    await spendLookup(ctx, tenantId, userId);
    return toRecipient(await ctx.payment.projection.findByEmail(tenantId, args.email), tenantId);
  },
};

export const userMutationResolvers = {
  /** admin: asks auth-service to re-send the tenant's users; answers the backfill's id. */
  rebuildUserProjection: async (_: unknown, __: unknown, ctx: PaymentContext): Promise<string> => {
    const { tenantId } = requireCallerTenant(ctx, PAYMENT_PERMISSIONS.rebuildUserProjection);
    return ctx.payment.backfill.request(tenantId);
  },
};
