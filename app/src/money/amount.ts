import { currencyExponent } from './currency.js';

/**
 * Amounts typed by people, in major units ("12.50"), turned into integer minor units (1250) and
 * back. Everything works on digit strings and BigInt: `Number("0.1") * 100` style arithmetic
 * would round some amounts, and a payment app must send exactly what was typed.
 */
export type ParsedAmount = { ok: true; minor: number } | { ok: false; error: string };

/** Accepts "12", "12.5", "12,50", "1 234.56", "1,234.56"; refuses signs, letters and too many decimals. */
export function parseAmount(input: string, currency: string): ParsedAmount {
  const exponent = currencyExponent(currency);
  const text = input.trim().replace(/[\s\u00a0\u202f_']/g, '');
  if (text === '') return { ok: false, error: 'Enter an amount.' };
  if (!/^[0-9.,]+$/.test(text)) return { ok: false, error: 'Use digits and one decimal separator only.' };
  const separators = [...text.matchAll(/[.,]/g)].map((m) => m.index);
  let whole = text;
  let fraction = '';
  if (separators.length > 0) {
    // The last separator is the decimal one when a fraction follows it that is not a group of
    // three thousands ("1,234" is ambiguous: read as 1234 only if it has both kinds).
    const last = separators[separators.length - 1]!;
    const lastChar = text[last];
    const kinds = new Set(separators.map((i) => text[i]));
    const isDecimal = kinds.size === 2 || text.slice(last + 1).length !== 3 || separators.length === 1;
    if (isDecimal) {
      if (separators.filter((i) => text[i] === lastChar).length > 1) return { ok: false, error: 'Use one decimal separator only.' };
      whole = text.slice(0, last).replace(/[.,]/g, '');
      fraction = text.slice(last + 1);
    } else {
      whole = text.replace(/[.,]/g, '');
    }
  }
  if (fraction.length > exponent) {
    return { ok: false, error: exponent === 0 ? `${currency} has no decimal places.` : `${currency} has at most ${exponent} decimal places.` };
  }
  if (whole === '' && fraction === '') return { ok: false, error: 'Enter an amount.' };
  const digits = `${whole}${fraction.padEnd(exponent, '0')}`.replace(/^0+(?=\d)/, '');
  const minor = BigInt(digits === '' ? '0' : digits);
  if (minor === 0n) return { ok: false, error: 'The amount must be more than zero.' };
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, error: 'That amount is too large.' };
  return { ok: true, minor: Number(minor) };
}

/** Minor units as a plain decimal string in major units: `toMajorString(-1250, 'EUR')` → "-12.50". */
export function toMajorString(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  const negative = minor < 0;
  const digits = BigInt(minor < 0 ? -minor : minor)
    .toString()
    .padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

/**
 * Minor units for people, with `Intl.NumberFormat`. It is given the exact decimal string, not a
 * float (format accepts strings as exact decimals), so 18-decimal currencies stay exact too.
 */
export function formatMoney(minor: number, currency: string, locale?: string, options: { signDisplay?: 'auto' | 'always' | 'exceptZero' } = {}): string {
  const exponent = currencyExponent(currency);
  const cacheKey = `${locale ?? ''}|${currency}|${options.signDisplay ?? 'auto'}`;
  let formatter = formatters.get(cacheKey);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: exponent, maximumFractionDigits: exponent, signDisplay: options.signDisplay ?? 'auto' });
    formatters.set(cacheKey, formatter);
  }
  return formatter.format(toMajorString(minor, currency) as unknown as number);
}
