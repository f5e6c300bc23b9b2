import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  WALLET_ERRORS,
  WalletError,
  assertSameRequest,
  buildDebitFilter,
  checkAmount,
  checkCurrency,
  formatAmount,
  getWalletBalance,
  getWalletId,
  hashRequest,
  isValidIdempotencyKey,
  newWalletFields,
  planLedgerEntries,
  validateBalanceForDebit,
} from '../../src/wallet/index.js';

const now = new Date('2026-01-01T00:00:00Z');

describe('amounts and currencies', () => {
  it('accepts only positive safe integers of minor units', () => {
    expect(checkAmount(1)).toBeNull();
    expect(checkAmount(Number.MAX_SAFE_INTEGER)).toBeNull();
    for (const bad of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Infinity, '10', null, undefined]) {
      expect(checkAmount(bad)).toBe(WALLET_ERRORS.InvalidAmount);
    }
  });

  it('knows each currency by its exponent and rejects unknown ones', () => {
    expect(checkCurrency('EUR')).toBeNull();
    expect(checkCurrency('eur')).toBe(WALLET_ERRORS.UnsupportedCurrency);
    expect(checkCurrency('XXX')).toBe(WALLET_ERRORS.UnsupportedCurrency);
    expect(checkCurrency('toString')).toBe(WALLET_ERRORS.UnsupportedCurrency);
  });

  it('formats minor units without floating point', () => {
    expect(formatAmount(12345, 'EUR')).toBe('123.45');
    expect(formatAmount(5, 'EUR')).toBe('0.05');
    expect(formatAmount(-5, 'KWD')).toBe('-0.005');
    expect(formatAmount(1500, 'JPY')).toBe('1500');
    expect(formatAmount(Number.MAX_SAFE_INTEGER, 'EUR')).toBe('90071992547409.91');
  });
});

describe('balances', () => {
  const wallet = { ...newWalletFields('t1', 'u1', 'EUR', now), balance: 1000, lockedBalance: 300, bonusBalance: 50 };

  it('locked funds are not spendable', () => {
    expect(getWalletBalance(wallet)).toBe(700);
    expect(() => validateBalanceForDebit(wallet, 700)).not.toThrow();
    expect(() => validateBalanceForDebit(wallet, 701)).toThrow(WalletError);
  });

  it('the bonus balance is checked on its own', () => {
    expect(() => validateBalanceForDebit(wallet, 50, 'bonusBalance')).not.toThrow();
    expect(() => validateBalanceForDebit(wallet, 51, 'bonusBalance')).toThrowError(/Insufficient/);
  });

  it('a system wallet may go negative', () => {
    expect(() => validateBalanceForDebit({ ...wallet, allowNegative: true }, 10_000)).not.toThrow();
    expect(buildDebitFilter('w', 10, 'balance', true)).toEqual({ _id: 'w' });
  });

  it('the debit condition lives in the update filter', () => {
    expect(buildDebitFilter('w', 10)).toEqual({
      _id: 'w',
      $expr: { $gte: [{ $subtract: ['$balance', '$lockedBalance'] }, 10] },
    });
    expect(buildDebitFilter('w', 10, 'bonusBalance')).toEqual({ _id: 'w', bonusBalance: { $gte: 10 } });
  });

  it('wallet ids are derived from tenant, user and currency', () => {
    expect(getWalletId('t1', 'u1', 'EUR')).toBe(newWalletFields('t1', 'u1', 'EUR', now).id);
    expect(getWalletId('t1', 'u1', 'EUR')).not.toBe(getWalletId('t1', 'u1', 'USD'));
  });
});

describe('ledger entries', () => {
  it('a transfer writes two entries of opposite sign that sum to zero, each with the balance after it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e12 }), fc.integer({ min: 0, max: 1e12 }), (amount, startTo) => {
        const [debit, credit] = planLedgerEntries({
          transferId: 'tr1',
          tenantId: 't1',
          type: 'transfer',
          amount,
          currency: 'EUR',
          debited: { id: 'a', userId: 'ua', balance: 0, bonusBalance: 0 },
          credited: { id: 'b', userId: 'ub', balance: startTo + amount, bonusBalance: 0 },
          fromBalanceType: 'balance',
          toBalanceType: 'balance',
          now,
        });
        expect(debit.amount + credit.amount).toBe(0);
        expect(debit.amount).toBe(-amount);
        expect(credit.balance).toBe(startTo + amount);
        expect(debit.currency).toBe(credit.currency);
        expect(new Set([debit.id, credit.id]).size).toBe(2);
      }),
    );
  });

  it('entry ids derive from the transfer id, so a retried write cannot add a third entry', () => {
    const input = {
      transferId: 'tr9',
      tenantId: 't1',
      type: 'deposit' as const,
      amount: 5,
      currency: 'EUR',
      debited: { id: 'sys', userId: 'system', balance: -5, bonusBalance: 0 },
      credited: { id: 'w', userId: 'u', balance: 5, bonusBalance: 0 },
      fromBalanceType: 'balance' as const,
      toBalanceType: 'balance' as const,
      now,
    };
    expect(planLedgerEntries(input).map((e) => e.id)).toEqual(planLedgerEntries(input).map((e) => e.id));
  });
});

describe('idempotency', () => {
  it('the same request in another key order hashes the same', () => {
    expect(hashRequest({ a: 1, b: { c: 2, d: [1, 2] } })).toBe(hashRequest({ b: { d: [1, 2], c: 2 }, a: 1 }));
    expect(hashRequest({ a: 1 })).not.toBe(hashRequest({ a: 2 }));
    expect(hashRequest({ a: [1, 2] })).not.toBe(hashRequest({ a: [2, 1] }));
  });

  it('a key reused for a different request is refused with its code', () => {
    expect(() => assertSameRequest('h1', 'h1', 'key-00001')).not.toThrow();
    try {
      assertSameRequest('h1', 'h2', 'key-00001');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WalletError);
      expect((error as WalletError).code).toBe('MSPaymentIdempotencyKeyReused');
    }
  });

  it('idempotency keys are bounded printable tokens', () => {
    expect(isValidIdempotencyKey('b7a1c2d3-0000-4000-8000-000000000001')).toBe(true);
    expect(isValidIdempotencyKey('short')).toBe(false);
    expect(isValidIdempotencyKey('x'.repeat(129))).toBe(false);
    expect(isValidIdempotencyKey('has space 123')).toBe(false);
    expect(isValidIdempotencyKey(42)).toBe(false);
  });
});
