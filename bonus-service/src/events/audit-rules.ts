import { MONEY_MOVEMENT_AUDIT_RULES, type AuditRule, type IntegrationEvent } from 'core-service';
import { BONUS_EVENTS } from './bonus-events.js';

type BonusData = { bonus?: { id?: string; templateCode?: string; type?: string; amount?: number; currency?: string; status?: string; turnoverRequired?: number } };

const lifecycle =
  (outcome: 'success' | 'failure' = 'success'): AuditRule =>
  (event: IntegrationEvent) => {
    const bonus = (event.data as BonusData | undefined)?.bonus ?? {};
    return {
      category: 'money',
      action: event.type,
      outcome,
      resource: { type: 'bonus', id: bonus.id ?? 'unknown' },
      data: {
        userId: event.userId ?? null,
        templateCode: bonus.templateCode ?? null,
        type: bonus.type ?? null,
        amount: bonus.amount ?? null,
        currency: bonus.currency ?? null,
        status: bonus.status ?? null,
      },
    };
  };

/**
 * bonus-service's audit entries (core-service/audit), written with the events in their
 * transactions: the money it moves in payment's wallets (awards, conversions, forfeits, the
 * movement rules shared with payment-service) and each award's lifecycle (manual awards carry
 * the admin as actor). Template edits are recorded where they happen (resolvers/mutations.ts).
 */
export const BONUS_AUDIT_RULES: Readonly<Record<string, AuditRule>> = {
  ...MONEY_MOVEMENT_AUDIT_RULES,
  [BONUS_EVENTS.awarded]: lifecycle(),
  [BONUS_EVENTS.converted]: lifecycle(),
  [BONUS_EVENTS.expired]: lifecycle('failure'),
  [BONUS_EVENTS.cancelled]: lifecycle('failure'),
};
