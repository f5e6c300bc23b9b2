import type { BalanceType, WalletDocument } from './wallet.js';

export type TransactionType =
  | 'transfer'
  | 'deposit'
  | 'withdrawal'
  | 'bonus_award'
  | 'bonus_forfeit'
  /** Both legs of turning an award into cash: credit back to the pool, cash out of it. */
  | 'bonus_conversion'
  | 'fee'
  | 'reversal'
  | 'hold'
  | 'release';

/** One line of the append-only ledger (payment `transactions`). */
export interface LedgerEntry {
  _id: string;
  id: string;
  tenantId: string;
  userId: string;
  walletId: string;
  currency: string;
  type: TransactionType;
  /** Signed: negative for the debited wallet, positive for the credited one. */
  amount: number;
  /** The balance of `balanceType` right after this entry. */
  balance: number;
  balanceType: BalanceType;
  charge: number;
  objectId: string;
  objectModel: string;
  createdAt: Date;
}

export interface LedgerPlanInput {
  transferId: string;
  tenantId: string;
  type: TransactionType;
  amount: number;
  currency: string;
  /** Wallets as they are after the debit and the credit were applied. */
  debited: Pick<WalletDocument, 'id' | 'userId' | 'balance' | 'bonusBalance'>;
  credited: Pick<WalletDocument, 'id' | 'userId' | 'balance' | 'bonusBalance'>;
  fromBalanceType: BalanceType;
  toBalanceType: BalanceType;
  charge?: number;
  objectModel?: string;
  now: Date;
}

/**
 * The two entries of a transfer: same amount and currency, opposite signs, each recording the
 * balance it left behind. Entry ids derive from the transfer id, so a retried write of the same
 * transfer can never add a third entry.
 */
export function planLedgerEntries(input: LedgerPlanInput): [LedgerEntry, LedgerEntry] {
  const common = {
    tenantId: input.tenantId,
    currency: input.currency,
    type: input.type,
    charge: input.charge ?? 0,
    objectId: input.transferId,
    objectModel: input.objectModel ?? 'transfer',
    createdAt: input.now,
  };
  const debitId = `${input.transferId}:debit`;
  const creditId = `${input.transferId}:credit`;
  return [
    {
      ...common,
      _id: debitId,
      id: debitId,
      userId: input.debited.userId,
      walletId: input.debited.id,
      amount: -input.amount,
      balance: input.debited[input.fromBalanceType],
      balanceType: input.fromBalanceType,
    },
    {
      ...common,
      _id: creditId,
      id: creditId,
      userId: input.credited.userId,
      walletId: input.credited.id,
      amount: input.amount,
      balance: input.credited[input.toBalanceType],
      balanceType: input.toBalanceType,
    },
  ];
}
