import { describe, expect, it } from 'vitest';
import { PaymentIntent } from '../../src/payments/payment-intent.js';

function counter(): () => string {
  let n = 0;
  return () => `key-${++n}`;
}

const payment = { toUserId: 'u2', amount: 1250, currency: 'EUR', description: 'lunch' };

describe('one idempotency key per intended payment', () => {
  it('a second click while the first send is in flight sends nothing', () => {
    const intent = new PaymentIntent(counter());
    expect(intent.begin(payment)).toBe('key-1');
    expect(intent.begin(payment)).toBeNull();
  });

  it('a retry after an unknown outcome (network error) reuses the same key', () => {
    const intent = new PaymentIntent(counter());
    expect(intent.begin(payment)).toBe('key-1');
    intent.finish('unknown');
    expect(intent.begin(payment)).toBe('key-1');
  });

  it('changing the details after an unknown outcome is a different payment with a new key', () => {
    const intent = new PaymentIntent(counter());
    intent.begin(payment);
    intent.finish('unknown');
    expect(intent.begin({ ...payment, amount: 1300 })).toBe('key-2');
  });

  it('a refused payment (nothing was written) gets a fresh key on the next try', () => {
    const intent = new PaymentIntent(counter());
    intent.begin(payment);
    intent.finish('refused');
    expect(intent.begin(payment)).toBe('key-2');
  });

  it('after success the same details do not send again until the form is reset', () => {
    const intent = new PaymentIntent(counter());
    intent.begin(payment);
    intent.finish('succeeded');
    expect(intent.begin(payment)).toBeNull();
    intent.reset();
    expect(intent.begin(payment)).toBe('key-2');
  });
});
