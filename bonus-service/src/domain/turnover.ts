import type { UserBonus } from './user-bonus.js';

/** A movement that counts towards turnover: an outgoing transfer or a withdrawal. */
export interface TurnoverEvent {
  eventId: string;
  userId: string;
  currency: string;
  amount: number;
  occurredAt: Date;
}

export type TurnoverOutcome = { kind: 'ignored' } | { kind: 'progress'; turnoverProgress: number } | { kind: 'converted'; turnoverProgress: number };

/**
 * What one turnover event does to one award. Only active awards of the same user and currency
 * count it, and only movements after the award. Each event is applied once by the event bus (the
 * handler's writes commit with its processed-event record), so this rule need not remember
 * events. Progress stops at the requirement; reaching it converts.
 */
export function applyTurnover(bonus: Pick<UserBonus, 'status' | 'userId' | 'currency' | 'createdAt' | 'turnoverRequired' | 'turnoverProgress'>, event: TurnoverEvent): TurnoverOutcome {
  if (bonus.status !== 'ACTIVE') return { kind: 'ignored' };
  if (bonus.userId !== event.userId || bonus.currency !== event.currency) return { kind: 'ignored' };
  if (event.occurredAt < bonus.createdAt) return { kind: 'ignored' };
  if (!Number.isSafeInteger(event.amount) || event.amount <= 0) return { kind: 'ignored' };
  const turnoverProgress = Math.min(bonus.turnoverRequired, bonus.turnoverProgress + event.amount);
  return isTurnoverMet(bonus.turnoverRequired, turnoverProgress) ? { kind: 'converted', turnoverProgress } : { kind: 'progress', turnoverProgress };
}

export function isTurnoverMet(turnoverRequired: number, turnoverProgress: number): boolean {
  return turnoverProgress >= turnoverRequired;
}

/** Whether an award is past its expiry at `now` (the sweep's and the delayed job's test). */
export function isExpired(bonus: Pick<UserBonus, 'status' | 'expiresAt'>, now: Date): boolean {
  return bonus.status === 'ACTIVE' && bonus.expiresAt.getTime() <= now.getTime();
}
