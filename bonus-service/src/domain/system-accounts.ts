import { randomInt } from 'node:crypto';

/**
 * The tenant's bonus pool: the system account every award is paid from and every forfeit goes
 * back to. It is made of wallets like any other (payment `wallets`), allowed to go negative, so
 * each movement is an ordinary two-entry transfer and each balance type still sums to zero.
 *
 * Like payment-service's funding account it is split into sub-wallets (`system:bonus-pool#0..N-1`),
 * one picked at random per movement: as one document it would serialise every award of a
 * tenant and currency (each transaction writing it conflicts with every other one in flight;
 * measured: claim p99 over 4 s at 16 concurrent claims). The pool's balance is the sum of its
 * shards, read only by reconciliation and admins.
 */
export const BONUS_POOL_PREFIX = 'system:bonus-pool';

export function bonusPoolUserId(shard: number): string {
  return `${BONUS_POOL_PREFIX}#${shard}`;
}

export function pickBonusPool(shards: number): string {
  return bonusPoolUserId(shards <= 1 ? 0 : randomInt(shards));
}

export function isSystemAccount(userId: string): boolean {
  return userId.startsWith('system:');
}
