import type { GraphQLResolveInfo } from 'graphql';
import { type WalletDocument, selectsField } from 'core-service';
import { can, requireCallerTenant, requirePermission } from 'core-service/access';
import { PAYMENT_PERMISSIONS } from '../domain/permissions.js';
import { buildLedgerFilter, type LedgerFilterInput } from '../domain/filters.js';
import type { PaymentContext } from './context.js';

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/**
 * Whose ledger a page shows: the caller's own, or (support/admin, same tenant) the user named in
 * the filter. Checked before any read.
 */
function ledgerOwner(ctx: PaymentContext, permission: string, requested: string | null | undefined): { tenantId: string; userId: string } {
  const caller = requireCallerTenant(ctx);
  const userId = requested ?? caller.userId;
  requirePermission(ctx, permission, { ownerId: userId, tenantId: caller.tenantId });
  return { tenantId: caller.tenantId, userId };
}

function cachedWallets(ctx: PaymentContext, tenantId: string, userId: string): Promise<WalletDocument[]> {
  const { store, balances } = ctx.payment;
  return balances.walletsOf(tenantId, userId, () => store.walletsOf(tenantId, userId));
}

export const queryResolvers = {
  myWallets: async (_: unknown, __: unknown, ctx: PaymentContext): Promise<WalletDocument[]> => {
    const { tenantId, userId } = ledgerOwner(ctx, PAYMENT_PERMISSIONS.readWallet, null);
    return cachedWallets(ctx, tenantId, userId);
  },

  wallet: async (_: unknown, args: { currency: string }, ctx: PaymentContext): Promise<WalletDocument | null> => {
    const { tenantId, userId } = ledgerOwner(ctx, PAYMENT_PERMISSIONS.readWallet, null);
    const wallets = await cachedWallets(ctx, tenantId, userId);
    return wallets.find((wallet) => wallet.currency === args.currency) ?? null;
  },

  transactions: async (_: unknown, args: PageArgs & { filter?: (LedgerFilterInput & { userId?: string | null }) | null }, ctx: PaymentContext, info: GraphQLResolveInfo) => {
    const { tenantId, userId } = ledgerOwner(ctx, PAYMENT_PERMISSIONS.readTransaction, args.filter?.userId);
    const filter = buildLedgerFilter({ tenantId, userId }, args.filter);
    const page = await ctx.payment.store.pageTransactions(filter, args.first ?? undefined, args.after ?? undefined, selectsField(info, 'totalCount'));
    return page;
  },

  transfers: async (_: unknown, args: PageArgs & { filter?: (LedgerFilterInput & { userId?: string | null }) | null }, ctx: PaymentContext, info: GraphQLResolveInfo) => {
    const { tenantId, userId } = ledgerOwner(ctx, PAYMENT_PERMISSIONS.readTransfer, args.filter?.userId);
    const filter = buildLedgerFilter({ tenantId, parties: userId }, args.filter);
    return ctx.payment.store.pageTransfers(filter, args.first ?? undefined, args.after ?? undefined, selectsField(info, 'totalCount'));
  },

  transfer: async (_: unknown, args: { id: string }, ctx: PaymentContext) => {
    const { tenantId } = requireCallerTenant(ctx);
    const transfer = await ctx.payment.store.transfer(tenantId, args.id);
    if (transfer === null) return null;
    // Another user's transfer reads as absent, not as forbidden: its existence is not the caller's business.
    const visible = transfer.parties.some((party) => can(ctx, PAYMENT_PERMISSIONS.readTransfer, { ownerId: party, tenantId }));
    return visible ? transfer : null;
  },
};
