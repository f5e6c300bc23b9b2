import { describe, expect, it } from 'vitest';
import { reconcileCurrency, type ReconciliationInput } from '../src/domain/reconciliation.js';
import { decideStuckHold } from '../src/recovery/hold-recovery.js';

const books = (overrides: Partial<ReconciliationInput> = {}): ReconciliationInput => ({
  currency: 'EUR',
  wallets: [
    { walletId: 'funding', balance: -100, bonusBalance: 0, lockedBalance: 0 },
    { walletId: 'alice', balance: 70, bonusBalance: 0, lockedBalance: 20 },
    { walletId: 'bob', balance: 30, bonusBalance: 0, lockedBalance: 0 },
  ],
  ledgerSums: new Map([
    ['funding|balance', -100],
    ['alice|balance', 70],
    ['bob|balance', 30],
  ]),
  entriesPerTransfer: new Map([
    ['deposit', 2],
    ['transfer', 2],
  ]),
  transfers: [
    { id: 'deposit', status: 'completed', fromWalletId: 'funding', amount: 100 },
    { id: 'transfer', status: 'completed', fromWalletId: 'alice', amount: 30 },
    { id: 'withdrawal', status: 'pending', hold: 'held', fromWalletId: 'alice', amount: 20 },
  ],
  ...overrides,
});

describe('reconciliation rules', () => {
  it('balanced books, with a hold in flight, have no findings', () => {
    expect(reconcileCurrency(books())).toEqual([]);
  });

  it('a balance that drifted from its ledger breaks the zero sum and the wallet check', () => {
    const input = books();
    input.wallets[2]!.balance = 35;
    expect(reconcileCurrency(input)).toEqual([
      { kind: 'currency_sum_nonzero', currency: 'EUR', expected: 0, actual: 5 },
      { kind: 'wallet_ledger_mismatch', currency: 'EUR', walletId: 'bob', balanceType: 'balance', expected: 30, actual: 35 },
    ]);
  });

  it('a total that nets out while a balance type does not is reported per balance type', () => {
    const input = books();
    // Bob's 30 moved from balance to bonusBalance with its ledger: the wallet agrees with it, the books per type do not.
    input.wallets[2]!.balance = 0;
    input.wallets[2]!.bonusBalance = 30;
    input.ledgerSums.set('bob|balance', 0);
    input.ledgerSums.set('bob|bonusBalance', 30);
    expect(reconcileCurrency(input)).toEqual([
      { kind: 'currency_sum_nonzero', currency: 'EUR', balanceType: 'balance', expected: 0, actual: -30 },
      { kind: 'currency_sum_nonzero', currency: 'EUR', balanceType: 'bonusBalance', expected: 0, actual: 30 },
    ]);
  });

  it('a completed transfer without two entries, entries of no transfer, and a lock without a hold are reported', () => {
    const input = books({
      entriesPerTransfer: new Map([
        ['deposit', 2],
        ['transfer', 1],
        ['ghost', 2],
      ]),
    });
    input.wallets[2]!.lockedBalance = 5;
    expect(reconcileCurrency(input)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'transfer_entry_count', transferId: 'transfer', expected: 2, actual: 1 }),
        expect.objectContaining({ kind: 'transfer_entry_count', transferId: 'ghost', expected: 0, actual: 2 }),
        expect.objectContaining({ kind: 'locked_balance_mismatch', walletId: 'bob', expected: 0, actual: 5 }),
      ]),
    );
  });
});

describe('stuck hold decisions', () => {
  const step = (name: string, status: string, extra: Record<string, unknown> = {}) => ({ name, status, attempts: 1, compensationAttempts: 0, ...extra }) as never;

  it('a run still running is left to the saga recovery', () => {
    expect(decideStuckHold({ status: 'running', steps: [] }).action).toBe('wait');
  });

  it('a missing run, or a finished run that never paid, releases the hold', () => {
    expect(decideStuckHold(null).action).toBe('release');
    expect(decideStuckHold({ status: 'compensated', steps: [step('hold', 'compensated'), step('payout', 'failed', { inDoubt: false })] }).action).toBe('release');
  });

  it('a paid payout captures, never releases; a payout in doubt asks the provider', () => {
    expect(decideStuckHold({ status: 'needs_attention', steps: [step('hold', 'completed'), step('payout', 'completed', { result: { status: 'paid' } })] }).action).toBe('capture');
    expect(decideStuckHold({ status: 'needs_attention', steps: [step('hold', 'completed'), step('payout', 'running')] }).action).toBe('ask_provider');
  });
});
