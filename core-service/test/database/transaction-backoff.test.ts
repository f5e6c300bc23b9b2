import { describe, expect, it } from 'vitest';
import { transactionRetryBackoffMs } from '../../src/database/transaction.js';

describe('write-conflict back-off', () => {
  it('waits a jittered moment that grows with the attempt and never exceeds 250 ms', () => {
    for (let attempt = 2; attempt < 20; attempt += 1) {
      const ceiling = Math.min(250, 2 ** Math.min(attempt, 8));
      for (let i = 0; i < 50; i += 1) {
        const wait = transactionRetryBackoffMs(attempt);
        expect(Number.isInteger(wait) && wait >= 0 && wait <= ceiling).toBe(true);
      }
    }
  });
});
