import { isSupportedCurrency } from './currency.js';
import { WALLET_ERRORS, type WalletErrorCode } from './errors.js';

/**
 * Why an amount is unusable, or null when it is a positive safe integer of minor units.
 * A float, zero, a negative or an unsafe integer is never accepted: rounding money silently is
 * worse than refusing it.
 */
export function checkAmount(amount: unknown): WalletErrorCode | null {
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) {
    return WALLET_ERRORS.InvalidAmount;
  }
  return null;
}

export function checkCurrency(currency: unknown): WalletErrorCode | null {
  if (typeof currency !== 'string' || !isSupportedCurrency(currency)) return WALLET_ERRORS.UnsupportedCurrency;
  return null;
}
