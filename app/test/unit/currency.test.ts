import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CURRENCY_EXPONENTS, currencyExponent } from '../../src/money/currency.js';

/** The server's table, loaded by path at test time (the app's tests run in app/): the app itself never imports server code. */
const SERVER_TABLE = resolve(process.cwd(), '../core-service/src/wallet/currency.ts');

describe('currency exponents', () => {
  it('are the ones the platform moves money in, currency for currency', async () => {
    const server = (await import(SERVER_TABLE)) as { CURRENCY_EXPONENTS: Record<string, number> };
    expect(Object.keys(server.CURRENCY_EXPONENTS).length).toBeGreaterThan(20);
    expect(CURRENCY_EXPONENTS).toEqual({ ...server.CURRENCY_EXPONENTS });
  });

  it('fall back to the browser for a currency the table does not list', () => {
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('BHD')).toBe(3);
    expect(currencyExponent('HUF')).toBe(new Intl.NumberFormat('en', { style: 'currency', currency: 'HUF' }).resolvedOptions().maximumFractionDigits);
  });
});
