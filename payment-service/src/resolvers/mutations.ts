import { randomUUID } from 'node:crypto';
import {
  CORE_ERRORS,
  WALLET_ERRORS,
  WalletError,
  assertSameRequest,
  createServiceError,
  createTransferWithTransactions,
  getWalletBalance,
  validateTransfer,
  type LedgerEntry,
  type TransferDocument,
  idempotencyFilter,
} from 'core-service';
import { requireCallerTenant } from 'core-service/access';
import { PAYMENT_PERMISSIONS } from '../domain/permissions.js';
import { isSystemAccount, pickFundingAccount } from '../domain/system-accounts.js';
import type { PaymentContext } from './context.js';
import { requirePartiesUnlessReplay, requireRecipient, requireSender, requireTransferParties } from './parties.js';
import { withdrawRunKey } from '../sagas/withdraw.js';
import { withdrawSagaOf } from './withdraw-saga-registry.js';

export interface CreateTransferInput {
  toUserId: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
  description?: string | null;
}

export interface DepositInput {
  userId: string;
  amount: number;
  currency: string;
  idempotencyKey: string;
}

export interface WithdrawInput {
  amount: number;
  currency: string;
  idempotencyKey: string;
}

export const mutationResolvers = {
  createTransfer: async (_: unknown, { input }: { input: CreateTransferInput }, ctx: PaymentContext): Promise<TransferDocument> => {
    const { userId, tenantId } = requireCallerTenant(ctx, PAYMENT_PERMISSIONS.createTransfer, ctx.user?.id);
    // System accounts move money only through deposits and withdrawals, never from user transfers.
    if (isSystemAccount(input.toUserId)) throw createServiceError(CORE_ERRORS.BadUserInput, 'toUserId must be a user', { fields: ['toUserId'] });
    await requirePartiesUnlessReplay(ctx, { tenantId, initiatedBy: userId, type: 'transfer', idempotencyKey: input.idempotencyKey }, () =>
      requireTransferParties(ctx, tenantId, userId, input.toUserId, 'toUserId'),
    );
    const { payment } = ctx;
    const result = await createTransferWithTransactions(
      {
        db: payment.db,
        client: payment.client,
        tenantId,
        fromUserId: userId,
        toUserId: input.toUserId,
        amount: input.amount,
        currency: input.currency,
        idempotencyKey: input.idempotencyKey,
        initiatedBy: userId,
        ...(input.description != null ? { description: input.description } : {}),
        emit: payment.emit,
        balanceCaps: payment.balanceCaps,
      },
      { tracker: payment.transferTracker, trackAfterMs: payment.transferTrackAfterMs },
    );
    return result.transfer;
  },

  deposit: async (_: unknown, { input }: { input: DepositInput }, ctx: PaymentContext): Promise<LedgerEntry> => {
    const { tenantId, userId: adminId } = requireCallerTenant(ctx, PAYMENT_PERMISSIONS.createDeposit, input.userId);
    if (isSystemAccount(input.userId)) throw createServiceError(CORE_ERRORS.BadUserInput, 'userId must be a user', { fields: ['userId'] });
    await requirePartiesUnlessReplay(ctx, { tenantId, initiatedBy: adminId, type: 'deposit', idempotencyKey: input.idempotencyKey }, () => requireRecipient(ctx, tenantId, input.userId, 'userId'));
    const { payment } = ctx;
    const result = await createTransferWithTransactions(
      {
        db: payment.db,
        client: payment.client,
        tenantId,
        fromUserId: pickFundingAccount(payment.fundingShards),
        fromSystemAccount: true,
        toUserId: input.userId,
        amount: input.amount,
        currency: input.currency,
        idempotencyKey: input.idempotencyKey,
        initiatedBy: adminId,
        type: 'deposit',
        emit: payment.emit,
        balanceCaps: payment.balanceCaps,
      },
      { tracker: payment.transferTracker, trackAfterMs: payment.transferTrackAfterMs },
    );
    return result.credit;
  },

  /**
   * Holds the funds, pays out through the provider, then captures (or releases on a decline) as
   * a compensation-mode saga. The answer is the withdrawal's transfer: completed, failed, or
   * still pending when the saga was parked for attention.
   */
  withdraw: async (_: unknown, { input }: { input: WithdrawInput }, ctx: PaymentContext): Promise<TransferDocument> => {
    const { userId, tenantId } = requireCallerTenant(ctx, PAYMENT_PERMISSIONS.createWithdrawal, ctx.user?.id);
    const { payment } = ctx;
    const externalUserId = pickFundingAccount(payment.fundingShards);
    const request = validateTransfer({
      db: payment.db,
      tenantId,
      fromUserId: userId,
      toUserId: externalUserId,
      toSystemAccount: true,
      amount: input.amount,
      currency: input.currency,
      idempotencyKey: input.idempotencyKey,
      type: 'withdrawal',
    });

    const byKey = idempotencyFilter({ tenantId, initiatedBy: request.initiatedBy, type: 'withdrawal', idempotencyKey: input.idempotencyKey });
    const existing = await payment.store.transfers.findOne(byKey);
    if (existing !== null) {
      assertSameRequest(existing.requestHash, request.requestHash, input.idempotencyKey);
      if (existing.status !== 'pending') return existing;
    } else {
      await requireSender(ctx, tenantId, userId);
      // A typed answer for the common refusals; the hold's conditional update still decides races.
      const wallet = await payment.store.wallet(tenantId, userId, input.currency);
      if (wallet === null) throw new WalletError(WALLET_ERRORS.WalletNotFound, 'No wallet in this currency', { currency: input.currency });
      if (getWalletBalance(wallet) < input.amount) throw new WalletError(WALLET_ERRORS.InsufficientBalance, 'Insufficient balance', { requested: input.amount });
    }

    const transferId = existing?.id ?? randomUUID();
    await payment.sagas.run(
      withdrawSagaOf(payment),
      { tenantId, userId, amount: input.amount, currency: input.currency, idempotencyKey: input.idempotencyKey, transferId, externalUserId: existing?.toUserId ?? externalUserId },
      { idempotencyKey: withdrawRunKey({ tenantId, initiatedBy: request.initiatedBy, idempotencyKey: input.idempotencyKey, requestHash: request.requestHash }), tenantId },
    );
    const transfer = await payment.store.transfers.findOne(byKey);
    // No transfer means the hold itself was refused: the balance went away between check and lock.
    if (transfer === null) throw new WalletError(WALLET_ERRORS.InsufficientBalance, 'Insufficient balance', { requested: input.amount });
    return transfer;
  },
};
