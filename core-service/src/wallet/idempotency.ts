import { createHash } from 'node:crypto';
import { WALLET_ERRORS, WalletError } from './errors.js';
import type { TransactionType } from './ledger.js';

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

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;

export function isValidIdempotencyKey(key: unknown): key is string {
  return typeof key === 'string' && IDEMPOTENCY_KEY.test(key);
}

/**
 * Decides what a request that reuses an idempotency key gets: the first result when it is the
 * same request, an error when the key was used for a different one.
 */
export function assertSameRequest(storedHash: string, requestHash: string, idempotencyKey: string): void {
  if (storedHash !== requestHash) {
    throw new WalletError(WALLET_ERRORS.IdempotencyKeyReused, 'This idempotency key was already used for a different request', { idempotencyKey });
  }
}

/**
 * What an idempotency key is unique within: its tenant, the caller who chose it and the kind of
 * movement. Two users (or one user's transfer and withdrawal) may pick the same key without
 * blocking or seeing each other's result.
 */
export interface IdempotencyScope {
  tenantId: string;
  /** The caller who chose the key (the user, the admin for deposits, `system:<service>` for services). */
  initiatedBy: string;
  type: TransactionType;
  idempotencyKey: string;
}

/** The filter finding the movement a key already produced in its scope (index `tenant_initiator_type_key`). */
export function idempotencyFilter(scope: IdempotencyScope): IdempotencyScope {
  return { tenantId: scope.tenantId, initiatedBy: scope.initiatedBy, type: scope.type, idempotencyKey: scope.idempotencyKey };
}
