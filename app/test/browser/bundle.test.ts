import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PAYMENT_ERROR_MESSAGES } from '../../src/payments/payment-errors.js';
import { gql } from './support/api.js';
import { browserEnv } from './support/env.js';

describe('the production bundle', () => {
  it('loads at most 250 KB of gzipped JavaScript before the first render', () => {
    const dist = browserEnv().distDir;
    const html = readFileSync(join(dist, 'index.html'), 'utf8');
    // The entry script and everything it preloads; lazily loaded chunks (the admin console) are not initial.
    const scripts = [...html.matchAll(/<(?:script[^>]*type="module"[^>]*src|link[^>]*rel="modulepreload"[^>]*href)="([^"]+\.js)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    const bytes = scripts.reduce((sum, src) => sum + gzipSync(readFileSync(join(dist, src.replace(/^\//, '')))).length, 0);
    console.info(`initial JS: ${scripts.join(', ')} = ${(bytes / 1024).toFixed(1)} KB gzip`);
    expect(bytes).toBeLessThanOrEqual(250 * 1024);
  });
});

describe('payment error messages', () => {
  it('every MSPayment* code the platform lists has its own message in the app', async () => {
    const { errorCodes } = await gql<{ errorCodes: string[] }>('{ errorCodes }');
    const paymentCodes = errorCodes.filter((code) => code.startsWith('MSPayment'));
    expect(paymentCodes.length).toBeGreaterThan(5);
    expect(paymentCodes.filter((code) => !(code in PAYMENT_ERROR_MESSAGES))).toEqual([]);
  });
});
