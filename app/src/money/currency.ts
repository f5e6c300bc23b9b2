/**
 * The exponent of each currency's minor unit, as the platform moves them: the same table as
 * core-service/src/wallet/currency.ts, which the app does not import (it is server code and the
 * app knows the platform only through its public API); test/unit/currency.test.ts fails when the
 * two differ. A currency missing here falls back to what the browser's ICU data says, which is
 * right for every ISO 4217 code.
 */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = {
  EUR: 2,
  USD: 2,
  GBP: 2,
  CHF: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  CAD: 2,
  AUD: 2,
  BRL: 2,
  MXN: 2,
  INR: 2,
  CNY: 2,
  TRY: 2,
  ZAR: 2,
  JPY: 0,
  KRW: 0,
  ISK: 0,
  CLP: 0,
  VND: 0,
  BHD: 3,
  KWD: 3,
  JOD: 3,
  OMR: 3,
  TND: 3,
  BTC: 8,
  ETH: 18,
};

export function currencyExponent(currency: string): number {
  const known = CURRENCY_EXPONENTS[currency];
  if (known !== undefined) return known;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}
