import { createHash } from 'node:crypto';
import { WALLET_ERRORS, WalletError } from './errors.js';

/**
 * A stable hash of a request's meaningful input: keys sorted at every depth so that the same
 * request serialised in another order is still the same request.
 */
export function hashRequest(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:\-]{8,128}$/;

export function isValidIdempotencyKey(key: unknown): key is string {
  return typeof key === 'string' && IDEMPOTENCY_KEY.test(key);
}

/**
 * Decides what a request that reuses an idempotency key gets: the first result when it is the
 * same request, an error when the key was used for a different one.
 */
export function assertSameRequest(storedHash: string, requestHash: string, idempotencyKey: string): void {
  if (storedHash !== requestHash) {
    throw new WalletError(
      WALLET_ERRORS.IdempotencyKeyReused,
      'This idempotency key was already used for a different request',
      { idempotencyKey },
    );
  }
}
