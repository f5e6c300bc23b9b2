import { describe, expect, it } from 'vitest';
import { counterpartyLabel } from '../../src/history/history-page.js';

describe('transfer history labels', () => {
  it('names the other side of a transfer, the platform for a system account', () => {
    expect(counterpartyLabel({ displayName: 'Bob', systemAccount: false }, true)).toBe('Sent to Bob');
    expect(counterpartyLabel({ displayName: 'Alice', systemAccount: false }, false)).toBe('Received from Alice');
    expect(counterpartyLabel({ displayName: null, systemAccount: true }, false)).toBe('Received from the platform');
    expect(counterpartyLabel({ displayName: null, systemAccount: true }, true)).toBe('Sent to the platform');
    expect(counterpartyLabel({ displayName: null, systemAccount: false }, true)).toBe('Sent to another user');
  });
});
