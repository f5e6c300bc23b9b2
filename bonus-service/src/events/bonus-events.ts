import type { UserBonus } from '../domain/user-bonus.js';

/** What bonus-service publishes (through its outbox, in the transaction that made the change). */
export const BONUS_EVENTS = {
  awarded: 'bonus.awarded',
  progress: 'bonus.progress',
  converted: 'bonus.converted',
  expired: 'bonus.expired',
  cancelled: 'bonus.cancelled',
  expiring: 'bonus.expiring',
} as const;

export type BonusEventType = (typeof BONUS_EVENTS)[keyof typeof BONUS_EVENTS];

/**
 * Every bonus event carries the award as the API's `UserBonus` under `bonus`, so the gateway can
 * push `bonusUpdated` without reading anything.
 */
export function bonusEventData(bonus: UserBonus): { bonus: Record<string, unknown> } {
  return {
    bonus: {
      id: bonus.id,
      userId: bonus.userId,
      templateCode: bonus.templateCode,
      type: bonus.type,
      currency: bonus.currency,
      amount: bonus.amount,
      turnoverRequired: bonus.turnoverRequired,
      turnoverProgress: bonus.turnoverProgress,
      status: bonus.status,
      expiresAt: bonus.expiresAt.toISOString(),
      createdAt: bonus.createdAt.toISOString(),
      resolvedAt: bonus.resolvedAt?.toISOString() ?? null,
    },
  };
}
