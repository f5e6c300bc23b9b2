import type { WalletDocument } from 'core-service';
import { requirePermission, sameTenant } from 'core-service/access';
import { PAYMENT_PERMISSIONS } from '../domain/permissions.js';
import { isSystemAccount } from '../domain/system-accounts.js';
import type { PaymentContext } from './context.js';

export interface TransferParty {
  id: string;
  displayName: string | null;
  systemAccount: boolean;
}

/**
 * A side of a transfer the caller already sees (resolvers only return transfers it may read), so
 * the name is what `lookupRecipient` would show anyway: the projection's display name, only for
 * a person of the caller's tenant. One batched projection read per request (`projectedUsers`).
 */
async function transferParty(userId: string, ctx: PaymentContext): Promise<TransferParty> {
  if (isSystemAccount(userId)) return { id: userId, displayName: null, systemAccount: true };
  const projected = await ctx.projectedUsers.load(userId);
  const displayName = projected !== null && sameTenant(ctx, projected.tenantId) ? projected.displayName : null;
  return { id: userId, displayName, systemAccount: false };
}

export const typeResolvers = {
  Transfer: {
    from: (transfer: { fromUserId: string }, _: unknown, ctx: PaymentContext): Promise<TransferParty> => transferParty(transfer.fromUserId, ctx),
    to: (transfer: { toUserId: string }, _: unknown, ctx: PaymentContext): Promise<TransferParty> => transferParty(transfer.toUserId, ctx),
  },
  Wallet: {
    availableBalance: (wallet: WalletDocument): number => wallet.balance - wallet.lockedBalance,
    // Entity fetches by id from other subgraphs land here.
    __resolveReference: async (reference: { id: string }, ctx: PaymentContext): Promise<WalletDocument | null> => {
      const wallet = await ctx.payment.store.wallets.findOne({ _id: reference.id });
      if (wallet === null || ctx.user === null) return null;
      return sameTenant(ctx, wallet.tenantId) ? wallet : null;
    },
  },
  User: {
    // The gateway asks for many users in one `_entities` call; the loader turns them into one query.
    __resolveReference: (reference: { id: string }): { id: string } => ({ id: reference.id }),
    wallets: async (user: { id: string }, _: unknown, ctx: PaymentContext): Promise<WalletDocument[]> => {
      const tenantId = ctx.user?.tenantId ?? null;
      requirePermission(ctx, PAYMENT_PERMISSIONS.readWallet, { ownerId: user.id, tenantId });
      // Only users the projection places in the caller's tenant have wallets to show: an id of
      // another tenant, or of nobody, reads as empty whatever documents carry it. A user not yet
      // projected has had no deposit (deposits need the projection), so empty is also true.
      const projected = await ctx.projectedUsers.load(user.id);
      if (projected === null || !sameTenant(ctx, projected.tenantId)) return [];
      return ctx.walletsByUser.load(user.id);
    },
  },
};
