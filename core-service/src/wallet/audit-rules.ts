import type { AuditRule } from '../audit/event-audit.js';
import type { IntegrationEvent } from '../events/integration-event.js';
import type { TransactionType } from './ledger.js';

type MovementData = { transferId?: string; type?: string; fromUserId?: string; toUserId?: string; amount?: number; currency?: string; status?: string; reason?: string | null };

/** A completed or failed movement as an audit entry: amount in minor units, both parties, the outcome. */
const movement =
  (outcome: 'success' | 'failure'): AuditRule =>
  (event: IntegrationEvent) => {
    const data = (event.data ?? {}) as MovementData;
    return {
      category: 'money',
      action: event.type,
      outcome,
      resource: { type: 'transfer', id: data.transferId ?? 'unknown' },
      data: {
        type: data.type ?? null,
        fromUserId: data.fromUserId ?? null,
        toUserId: data.toUserId ?? null,
        amount: data.amount ?? null,
        currency: data.currency ?? null,
        status: data.status ?? null,
        ...(data.reason !== undefined ? { reason: data.reason } : {}),
      },
    };
  };

const MOVEMENT_TYPES: readonly TransactionType[] = ['transfer', 'deposit', 'withdrawal', 'bonus_award', 'bonus_forfeit', 'bonus_conversion', 'fee', 'reversal', 'hold', 'release'];

/**
 * Every money movement as an audit entry (core-service/audit), keyed by the events the transfer
 * and hold helpers emit (`<type>.completed`, `transfer.failed`). With the bus's auditor, each
 * entry is written in the movement's own transaction, beside its ledger entries and outbox
 * event, so no movement exists without its entry. The actor is the caller of the request (an
 * admin for deposits, the user for transfers and withdrawals), or `system` for sagas, event
 * handlers and recovery.
 */
export const MONEY_MOVEMENT_AUDIT_RULES: Readonly<Record<string, AuditRule>> = {
  ...Object.fromEntries(MOVEMENT_TYPES.map((type) => [`${type}.completed`, movement('success')])),
  'transfer.failed': movement('failure'),
};
