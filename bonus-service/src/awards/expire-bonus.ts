import { withTransaction } from 'core-service';
import { isExpired } from '../domain/turnover.js';
import type { UserBonus } from '../domain/user-bonus.js';
import { BONUS_EVENTS, bonusEventData } from '../events/bonus-events.js';
import type { BonusDeps } from './bonus-deps.js';
import { resolveBonus } from './resolve-bonus.js';

/**
 * Expires one award when it is due: the credit goes back to the pool. Safe to run any number of
 * times and concurrently with a conversion (see resolveBonus): a job that fires early, twice, or
 * after the award was converted changes nothing.
 */
export async function expireBonus(deps: BonusDeps, target: { tenantId: string; bonusId: string }): Promise<{ bonus: UserBonus | null; resolved: boolean }> {
  return withTransaction({
    client: deps.client,
    fn: async (session) => {
      const bonus = await deps.store.bonus(target.tenantId, target.bonusId, session);
      if (bonus === null || !isExpired(bonus, deps.now())) return { bonus, resolved: false };
      return resolveBonus(deps, session, target, 'EXPIRED');
    },
  });
}

/** Publishes `bonus.expiring` once per award: the flag and the event commit together. */
export async function announceExpiring(deps: BonusDeps, target: { tenantId: string; bonusId: string }): Promise<boolean> {
  return withTransaction({
    client: deps.client,
    fn: async (session) => {
      const bonus = await deps.store.bonuses.findOneAndUpdate(
        { _id: target.bonusId, tenantId: target.tenantId, status: 'ACTIVE', expiringNotified: false, expiringNoticeAt: { $lte: deps.now() } },
        { $set: { expiringNotified: true } },
        { session, returnDocument: 'after' },
      );
      if (bonus === null) return false;
      await deps.emit(BONUS_EVENTS.expiring, bonus.tenantId, bonus.userId, bonusEventData(bonus), { session });
      return true;
    },
  });
}
