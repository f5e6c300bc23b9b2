import { type } from 'arktype';
import { describe, expect, it } from 'vitest';
import { getErrorCode } from '../../src/errors/index.js';
import { checkInput, createValidator, validateInput } from '../../src/validation/index.js';

const TransferInput = type({
  toUserId: 'string > 0',
  amount: 'number.integer > 0',
  currency: "'EUR' | 'USD'",
  'note?': 'string <= 140',
  meta: { idempotencyKey: 'string.uuid' },
});

describe('validateInput', () => {
  it('returns the typed value when the input is valid', () => {
    const value = validateInput(TransferInput, {
      toUserId: 'u2',
      amount: 500,
      currency: 'EUR',
      meta: { idempotencyKey: '0f8fad5b-d9cb-469f-a165-70867728950e' },
    });
    expect(value.amount).toBe(500);
  });

  it('throws BAD_USER_INPUT listing every bad field, without echoing the values', () => {
    let caught: unknown;
    try {
      validateInput(TransferInput, { toUserId: '', amount: 10.5, currency: 'GBP', meta: { idempotencyKey: 'secret-ish' } });
    } catch (error) {
      caught = error;
    }
    expect(getErrorCode(caught)).toBe('BAD_USER_INPUT');
    const fields = (caught as { extensions: { fields: Array<{ path: string; message: string }> } }).extensions.fields;
    expect(fields.map((field) => field.path).sort()).toEqual(['amount', 'currency', 'meta.idempotencyKey', 'toUserId']);
    expect(fields.find((field) => field.path === 'meta.idempotencyKey')?.message).toMatch(/UUID/i);
    expect(JSON.stringify(fields)).not.toContain('secret-ish');
    expect(JSON.stringify(fields)).not.toContain('GBP');
  });

  it('reports a missing required field', () => {
    const result = checkInput(TransferInput, { amount: 1, currency: 'EUR', meta: { idempotencyKey: '0f8fad5b-d9cb-469f-a165-70867728950e' } });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.fields).toEqual([expect.objectContaining({ path: 'toUserId', code: 'required' })]);
  });

  it('builds reusable validators', () => {
    const validateAmount = createValidator(type('number.integer >= 0'), 'Invalid amount');
    expect(validateAmount(3)).toBe(3);
    expect(() => validateAmount(-1)).toThrow('Invalid amount');
  });
});
