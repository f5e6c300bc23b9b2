import { int64 } from './amount.js';
import { WALLET_ERRORS, WalletError } from './errors.js';

export type BalanceType = 'balance' | 'bonusBalance';

/** A wallet as stored in payment `wallets`: one per (tenant, user, currency). */
export interface WalletDocument {
  _id: string;
  id: string;
  tenantId: string;
  userId: string;
  currency: string;
  balance: number;
  bonusBalance: number;
  lockedBalance: number;
  /** Only system wallets (the external funding source) may go below zero. */
  allowNegative: boolean;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  lastActivityAt?: Date;
}

/**
 * Wallet ids are derived from what makes a wallet unique, so creating a wallet on first use is
 * an upsert on `_id`: two concurrent first uses collide on the primary key and one wallet exists.
 */
export function getWalletId(tenantId: string, userId: string, currency: string): string {
  return `${tenantId}:${userId}:${currency}`;
}

export function getWalletUserId(wallet: Pick<WalletDocument, 'userId'>): string {
  return wallet.userId;
}

export function getBalanceFieldName(balanceType: BalanceType = 'balance'): BalanceType {
  return balanceType === 'bonusBalance' ? 'bonusBalance' : 'balance';
}

/** What may be spent from a balance: locked funds (pending withdrawals) are not. */
export function getWalletBalance(wallet: Pick<WalletDocument, 'balance' | 'bonusBalance' | 'lockedBalance'>, balanceType: BalanceType = 'balance'): number {
  return balanceType === 'bonusBalance' ? wallet.bonusBalance : wallet.balance - wallet.lockedBalance;
}

/** Throws InsufficientBalance when the wallet cannot pay `amount` from `balanceType`. */
export function validateBalanceForDebit(wallet: Pick<WalletDocument, 'balance' | 'bonusBalance' | 'lockedBalance' | 'allowNegative'>, amount: number, balanceType: BalanceType = 'balance'): void {
  if (wallet.allowNegative) return;
  const available = getWalletBalance(wallet, balanceType);
  if (available < amount) {
    throw new WalletError(WALLET_ERRORS.InsufficientBalance, 'Insufficient balance', { available, requested: amount, balanceType });
  }
}

/**
 * The filter of a debit. The balance check lives in the filter of the update itself, not in a
 * read before it: two concurrent debits must not both pass a check made on the same snapshot.
 */
export function buildDebitFilter(walletId: string, amount: number, balanceType: BalanceType = 'balance', allowNegative = false): Record<string, unknown> {
  if (allowNegative) return { _id: walletId };
  if (balanceType === 'bonusBalance') return { _id: walletId, bonusBalance: { $gte: amount } };
  return { _id: walletId, $expr: { $gte: [{ $subtract: ['$balance', '$lockedBalance'] }, amount] } };
}

export function buildWalletActivityUpdate(now: Date): { $set: { lastActivityAt: Date; updatedAt: Date } } {
  return { $set: { lastActivityAt: now, updatedAt: now } };
}

/** The update that moves `delta` (signed) into or out of one balance of a wallet. */
export function buildWalletUpdate(balanceType: BalanceType, delta: number, now: Date): Record<string, unknown> {
  return {
    $inc: { [getBalanceFieldName(balanceType)]: int64(delta), version: 1 },
    ...buildWalletActivityUpdate(now),
  };
}

/** A new wallet's fields, for the `$setOnInsert` of a create-on-first-use upsert. */
export function newWalletFields(tenantId: string, userId: string, currency: string, now: Date, allowNegative = false): WalletDocument {
  const id = getWalletId(tenantId, userId, currency);
  return {
    _id: id,
    id,
    tenantId,
    userId,
    currency,
    balance: 0,
    bonusBalance: 0,
    lockedBalance: 0,
    allowNegative,
    version: 0,
    createdAt: now,
    updatedAt: now,
  };
}
