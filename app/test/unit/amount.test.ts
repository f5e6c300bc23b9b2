import { describe, expect, it } from 'vitest';
import { formatMoney, parseAmount, toMajorString } from '../../src/money/amount.js';

describe('amounts typed in major units become exact minor units', () => {
  it.each([
    ['12', 'EUR', 1200],
    ['12.5', 'EUR', 1250],
    ['12,50', 'EUR', 1250],
    ['0.01', 'EUR', 1],
    ['1 234.56', 'EUR', 123456],
    ['1,234.56', 'EUR', 123456],
    ['1.234,56', 'EUR', 123456],
    ['1500', 'JPY', 1500],
    ['1.234', 'BHD', 1234],
    ['0.00000001', 'BTC', 1],
    ['0.29', 'EUR', 29],
    ['1.15', 'EUR', 115],
    ['4.35', 'EUR', 435],
  ])('%s %s is %i minor units, with no float rounding', (input, currency, minor) => {
    expect(parseAmount(input, currency)).toEqual({ ok: true, minor });
  });

  it.each([
    ['', 'EUR', 'Enter an amount.'],
    ['-5', 'EUR', 'Use digits and one decimal separator only.'],
    ['1e3', 'EUR', 'Use digits and one decimal separator only.'],
    ['0', 'EUR', 'The amount must be more than zero.'],
    ['0.001', 'EUR', 'EUR has at most 2 decimal places.'],
    ['1.5', 'JPY', 'JPY has no decimal places.'],
    ['99999999999999999', 'EUR', 'That amount is too large.'],
    ['1.2.3', 'EUR', 'Use one decimal separator only.'],
  ])('%j in %s is refused: %s', (input, currency, error) => {
    expect(parseAmount(input, currency)).toEqual({ ok: false, error });
  });

  it('renders minor units back as exact decimals, signs included', () => {
    expect(toMajorString(1250, 'EUR')).toBe('12.50');
    expect(toMajorString(-5, 'EUR')).toBe('-0.05');
    expect(toMajorString(1500, 'JPY')).toBe('1500');
    expect(toMajorString(1, 'BTC')).toBe('0.00000001');
  });

  it('formats with Intl.NumberFormat in the given locale', () => {
    expect(formatMoney(123456, 'EUR', 'en-US')).toBe('€1,234.56');
    expect(formatMoney(123456, 'EUR', 'de-DE')).toBe('1.234,56\u00a0€');
    expect(formatMoney(1500, 'JPY', 'en-US')).toBe('¥1,500');
    expect(formatMoney(-250, 'EUR', 'en-US')).toBe('-€2.50');
  });
});
