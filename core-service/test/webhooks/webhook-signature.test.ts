import { describe, expect, it } from 'vitest';
import { buildWebhookSignatureHeader, maskWebhookSecret, verifyWebhookSignature } from '../../src/webhooks/index.js';

const secret = 'whsec_test_secret_value';
const body = JSON.stringify({ id: 'e1', type: 'transfer.completed', data: { amount: 1000 } });

describe('webhook signatures', () => {
  it('a signature made over timestamp.body verifies with the same secret', () => {
    const header = buildWebhookSignatureHeader(body, secret, 1_700_000_000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(header, body, secret, 300, 1_700_000_100)).toBe(true);
    expect(verifyWebhookSignature(header, Buffer.from(body), secret, 300, 1_700_000_100)).toBe(true);
  });

  it('rejects a changed body, another secret, a stale timestamp and garbage', () => {
    const header = buildWebhookSignatureHeader(body, secret, 1_700_000_000);
    expect(verifyWebhookSignature(header, body.replace('1000', '9000'), secret, 300, 1_700_000_000)).toBe(false);
    expect(verifyWebhookSignature(header, body, 'whsec_other', 300, 1_700_000_000)).toBe(false);
    expect(verifyWebhookSignature(header, body, secret, 300, 1_700_000_301)).toBe(false);
    // the timestamp is inside the MAC: moving it forward breaks the signature
    expect(verifyWebhookSignature(header.replace('t=1700000000', 't=1700000200'), body, secret, 300, 1_700_000_200)).toBe(false);
    expect(verifyWebhookSignature('', body, secret)).toBe(false);
    expect(verifyWebhookSignature('t=abc,v1=zz', body, secret)).toBe(false);
    expect(verifyWebhookSignature(undefined, body, secret)).toBe(false);
  });

  it('accepts any of several v1 signatures (secret rotation)', () => {
    const fresh = buildWebhookSignatureHeader(body, secret, 1_700_000_000);
    const old = buildWebhookSignatureHeader(body, 'whsec_old', 1_700_000_000);
    const both = `${fresh},${old.split(',')[1]}`;
    expect(verifyWebhookSignature(both, body, secret, 300, 1_700_000_000)).toBe(true);
    expect(verifyWebhookSignature(both, body, 'whsec_old', 300, 1_700_000_000)).toBe(true);
  });

  it('masks a secret down to its last four characters', () => {
    expect(maskWebhookSecret('whsec_abcdefghijklmnopWXYZ')).toBe('whsec_…WXYZ');
    expect(maskWebhookSecret('plain-secret-1234')).toBe('…1234');
  });
});
