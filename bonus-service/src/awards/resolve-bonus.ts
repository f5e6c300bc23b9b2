import type { ClientSession } from 'mongodb';
import { createTransferWithTransactions } from 'core-service';
import { pickBonusPool } from '../domain/system-accounts.js';
import type { UserBonus, UserBonusStatus } from '../domain/user-bonus.js';
import { BONUS_EVENTS } from '../events/bonus-events.js';
import { bonusEventData } from '../events/bonus-events.js';
import type { BonusDeps } from './bonus-deps.js';

export type Resolution = Exclude<UserBonusStatus, 'ACTIVE'>;

const RESOLUTION_EVENTS: Record<Resolution, string> = {
  CONVERTED: BONUS_EVENTS.converted,
  EXPIRED: BONUS_EVENTS.expired,
  CANCELLED: BONUS_EVENTS.cancelled,
};

/**
 * Ends an active award inside the caller's transaction: conversion turns the credit into cash,
 * expiry and cancellation return it to the pool. The status change is a conditional update from
 * ACTIVE, so when conversion and expiry race, the second writer conflicts, retries, finds the
 * award resolved and does nothing: exactly one of them moves money. Returns the award as it now
 * is and whether this call resolved it.
 */
export async function resolveBonus(
  deps: BonusDeps,
  session: ClientSession,
  target: { tenantId: string; bonusId: string },
  resolution: Resolution,
  extra: { turnoverProgress?: number; reason?: string } = {},
): Promise<{ bonus: UserBonus | null; resolved: boolean }> {
  const now = deps.now();
  const resolved = await deps.store.bonuses.findOneAndUpdate(
    { _id: target.bonusId, tenantId: target.tenantId, status: 'ACTIVE' },
    {
      $set: {
        status: resolution,
        resolvedAt: now,
        ...(extra.turnoverProgress !== undefined ? { turnoverProgress: extra.turnoverProgress } : {}),
        ...(extra.reason !== undefined ? { cancelReason: extra.reason } : {}),
      },
    },
    { session, returnDocument: 'after' },
  );
  if (resolved === null) return { bonus: await deps.store.bonus(target.tenantId, target.bonusId, session), resolved: false };
  await moveResolvedCredit(deps, session, resolved);
  await deps.emit(RESOLUTION_EVENTS[resolution], resolved.tenantId, resolved.userId, bonusEventData(resolved), { session });
  return { bonus: resolved, resolved: true };
}

/**
 * The money side of a resolution. Every leg keeps each balance type summing to zero per tenant
 * and currency: the credit always goes back from the user's `bonusBalance` to the pool's; a
 * conversion then pays the same amount from the pool's `balance` into the user's `balance`.
 * (One same-wallet bonus → cash transfer would leave the pool's bonus debt and the user's cash
 * unmatched per balance type.) Keys derive from the award, so a retried body cannot pay twice.
 */
async function moveResolvedCredit(deps: BonusDeps, session: ClientSession, bonus: UserBonus): Promise<void> {
  const common = { db: deps.paymentDb, client: deps.client, tenantId: bonus.tenantId, amount: bonus.amount, currency: bonus.currency, meta: { bonusId: bonus.id }, emit: deps.emit };
  const isConversion = bonus.status === 'CONVERTED';
  await createTransferWithTransactions(
    {
      ...common,
      fromUserId: bonus.userId,
      toUserId: pickBonusPool(deps.poolShards),
      toSystemAccount: true,
      fromBalanceType: 'bonusBalance',
      toBalanceType: 'bonusBalance',
      type: isConversion ? 'bonus_conversion' : 'bonus_forfeit',
      idempotencyKey: `bonus-${isConversion ? 'convert' : 'forfeit'}-${bonus.id}`,
    },
    { session },
  );
  if (!isConversion) return;
  await createTransferWithTransactions(
    {
      ...common,
      fromUserId: pickBonusPool(deps.poolShards),
      fromSystemAccount: true,
      toUserId: bonus.userId,
      fromBalanceType: 'balance',
      toBalanceType: 'balance',
      type: 'bonus_conversion',
      idempotencyKey: `bonus-cash-${bonus.id}`,
      balanceCaps: deps.balanceCaps(),
    },
    { session },
  );
}
