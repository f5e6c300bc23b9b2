/**
 * Currencies the platform moves, with the exponent of their minor unit (ISO 4217, plus a few
 * crypto assets at their customary precision). Amounts are always integer counts of the minor
 * unit; the exponent is only needed to display or parse human amounts.
 */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = Object.freeze({
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
});

export function isSupportedCurrency(code: string): boolean {
  return Object.hasOwn(CURRENCY_EXPONENTS, code);
}

/** The exponent of the currency's minor unit, or undefined for an unknown currency. */
export function getCurrencyExponent(code: string): number | undefined {
  return isSupportedCurrency(code) ? CURRENCY_EXPONENTS[code] : undefined;
}

/**
 * Renders minor units as a decimal string in major units (`formatAmount(12345, 'EUR')` → "123.45").
 * Works on the integer digits, never through floating point, so no amount is ever rounded.
 */
export function formatAmount(amount: number, currency: string): string {
  const exponent = getCurrencyExponent(currency);
  if (exponent === undefined) throw new RangeError(`unknown currency ${currency}`);
  const negative = amount < 0;
  const digits = Math.abs(amount)
    .toString()
    .padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}
