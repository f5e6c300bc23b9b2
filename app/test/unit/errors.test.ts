import { CombinedGraphQLErrors } from '@apollo/client';
import { describe, expect, it } from 'vitest';
import { PAYMENT_ERROR_MESSAGES } from '../../src/payments/payment-errors.js';
import { describeError, isDefinitiveAnswer } from '../../src/ui/errors.js';

const graphQLError = (code: string, extensions: Record<string, unknown> = {}) => new CombinedGraphQLErrors({ errors: [{ message: `server says ${code}`, extensions: { code, ...extensions } }] });

describe('errors in words', () => {
  it('a payment refusal reads as the page’s message for its code', () => {
    expect(describeError(graphQLError('MSPaymentSelfTransfer'), PAYMENT_ERROR_MESSAGES)).toBe('You cannot send money to yourself.');
  });

  it('a weak password says what is wrong with it', () => {
    expect(describeError(graphQLError('MSAuthWeakPassword', { problems: ['too_short', 'contains_email'] }))).toBe(
      'Choose another password: it is too short (at least 10 characters); it contains your email name.',
    );
  });

  it('a network failure is not a definitive answer (the payment may have gone through); a refusal is', () => {
    expect(describeError(new TypeError('Failed to fetch'))).toBe('Could not reach the server. Check your connection and try again.');
    expect(isDefinitiveAnswer(new TypeError('Failed to fetch'))).toBe(false);
    expect(isDefinitiveAnswer(graphQLError('INTERNAL_SERVER_ERROR'))).toBe(false);
    expect(isDefinitiveAnswer(graphQLError('MSPaymentInsufficientBalance'))).toBe(true);
  });

  it('an unknown code falls back to the server’s message', () => {
    expect(describeError(graphQLError('MSSomethingNew'))).toBe('server says MSSomethingNew');
  });
});
