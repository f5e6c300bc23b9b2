import { Long } from 'mongodb';
import { isSupportedCurrency } from './currency.js';
import { WALLET_ERRORS, WalletError, type WalletErrorCode } from './errors.js';

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

/**
 * A signed amount of minor units as a BSON 64-bit integer, for `$inc` on balances: a JavaScript
 * number past 2^31 would otherwise be stored as a double. Read back, the driver gives a number
 * again (every balance stays a safe integer, see `assertBalanceWithinLimit`).
 */
export function int64(minorUnits: number): Long {
  return Long.fromNumber(minorUnits);
}

/**
 * Refuses a balance outside ±(2^53 − 1) minor units, the range JavaScript counts exactly. Checked
 * on the document a movement's update returned, inside its transaction: the refusal aborts the
 * whole movement, so nothing is written.
 */
export function assertBalanceWithinLimit(balances: Record<string, unknown>, fields: readonly string[], context: Record<string, unknown>): void {
  for (const field of fields) {
    const value = Number(balances[field] ?? 0);
    if (!Number.isSafeInteger(value)) {
      throw new WalletError(WALLET_ERRORS.BalanceLimitExceeded, 'This movement would take a balance past the largest amount the platform counts exactly', {
        ...context,
        field,
        limit: Number.MAX_SAFE_INTEGER,
      });
    }
  }
}

/**
 * Per-currency maxima of a customer wallet's balance, in minor units (currency code → cap). A
 * currency without an entry is bounded by the safe-integer limit alone. Services read it from
 * their config and pass it with each movement, so an edited cap applies to the next movement.
 */
export type BalanceCaps = Readonly<Record<string, number>>;

/**
 * Refuses a balance above its currency's cap, with the code of the safe-integer limit (to a
 * client both mean "this wallet cannot hold that much"); the extensions name the currency and
 * the cap. Checked on the document the credit returned, inside the movement's transaction, so the
 * refusal aborts it and nothing is written. Exactly the cap is allowed.
 */
export function assertBalanceWithinCap(balances: Record<string, unknown>, field: string, currency: string, caps: BalanceCaps | undefined, context: Record<string, unknown>): void {
  const cap = caps !== undefined && Object.hasOwn(caps, currency) ? caps[currency] : undefined;
  if (cap === undefined) return;
  const value = Number(balances[field] ?? 0);
  if (value > cap) {
    throw new WalletError(WALLET_ERRORS.BalanceLimitExceeded, `This movement would take a ${currency} balance past its cap`, { ...context, field, currency, cap, limit: cap });
  }
}
