/**
 * The books' invariants as pure checks over aggregated figures, so they are tested without a
 * database and the job only gathers numbers. A finding is reported, never fixed: a mismatch
 * means a bug or a manual write, and "fixing" the balance would hide which.
 */

export type FindingKind =
  /** Sum of all balances of a currency in a tenant is not zero (double entry broken). */
  | 'currency_sum_nonzero'
  /** A wallet's balance differs from the sum of its ledger entries of that balance type. */
  | 'wallet_ledger_mismatch'
  /** A completed transfer does not have exactly two ledger entries, or an unfinished one has some. */
  | 'transfer_entry_count'
  /** Locked funds differ from the sum of the wallet's held withdrawals. */
  | 'locked_balance_mismatch';

export interface ReconciliationFinding {
  kind: FindingKind;
  currency: string;
  walletId?: string;
  transferId?: string;
  balanceType?: string;
  expected: number;
  actual: number;
}

export interface WalletFigures {
  walletId: string;
  balance: number;
  bonusBalance: number;
  lockedBalance: number;
}

export interface ReconciliationInput {
  currency: string;
  wallets: WalletFigures[];
  /** Ledger sums per `${walletId}|${balanceType}`. */
  ledgerSums: Map<string, number>;
  /** Ledger entries per transfer id (every transfer with at least one entry). */
  entriesPerTransfer: Map<string, number>;
  /** Transfers of the currency: id, status and, for withdrawals still held, the amount. */
  transfers: { id: string; status: string; hold?: string; fromWalletId: string; amount: number }[];
}

export function reconcileCurrency(input: ReconciliationInput): ReconciliationFinding[] {
  const findings: ReconciliationFinding[] = [];
  const { currency } = input;

  let total = 0;
  for (const wallet of input.wallets) total += wallet.balance + wallet.bonusBalance;
  if (total !== 0) findings.push({ kind: 'currency_sum_nonzero', currency, expected: 0, actual: total });
  else {
    // Each balance type balances on its own too (bonus credit is paid by the bonus pool's
    // bonusBalance, cash by cash): a bonus turned into cash inside one wallet nets out in the
    // total but leaves the pool's bonus debt and the user's cash unmatched.
    for (const balanceType of ['balance', 'bonusBalance'] as const) {
      const sum = input.wallets.reduce((acc, wallet) => acc + wallet[balanceType], 0);
      if (sum !== 0) findings.push({ kind: 'currency_sum_nonzero', currency, balanceType, expected: 0, actual: sum });
    }
  }

  const heldPerWallet = new Map<string, number>();
  for (const transfer of input.transfers) {
    if (transfer.hold === 'held') heldPerWallet.set(transfer.fromWalletId, (heldPerWallet.get(transfer.fromWalletId) ?? 0) + transfer.amount);
  }
  for (const wallet of input.wallets) {
    for (const balanceType of ['balance', 'bonusBalance'] as const) {
      const ledger = input.ledgerSums.get(`${wallet.walletId}|${balanceType}`) ?? 0;
      if (ledger !== wallet[balanceType]) findings.push({ kind: 'wallet_ledger_mismatch', currency, walletId: wallet.walletId, balanceType, expected: ledger, actual: wallet[balanceType] });
    }
    const held = heldPerWallet.get(wallet.walletId) ?? 0;
    if (held !== wallet.lockedBalance) findings.push({ kind: 'locked_balance_mismatch', currency, walletId: wallet.walletId, expected: held, actual: wallet.lockedBalance });
  }

  const seen = new Set<string>();
  for (const transfer of input.transfers) {
    seen.add(transfer.id);
    const entries = input.entriesPerTransfer.get(transfer.id) ?? 0;
    const expected = transfer.status === 'completed' ? 2 : 0;
    if (entries !== expected) findings.push({ kind: 'transfer_entry_count', currency, transferId: transfer.id, expected, actual: entries });
  }
  // Entries pointing at no transfer at all.
  for (const [transferId, entries] of input.entriesPerTransfer) {
    if (!seen.has(transferId)) findings.push({ kind: 'transfer_entry_count', currency, transferId, expected: 0, actual: entries });
  }
  return findings;
}
