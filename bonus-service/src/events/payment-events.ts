import type { ClientSession } from 'mongodb';
import type { EventBus, IntegrationEvent } from 'core-service';
import { getLogger } from 'core-service';
import { awardBonus } from '../awards/award-bonus.js';
import { BonusError } from '../domain/errors.js';
import type { BonusDeps } from '../awards/bonus-deps.js';
import { resolveBonus } from '../awards/resolve-bonus.js';
import { applyTurnover } from '../domain/turnover.js';
import { isSystemAccount } from '../domain/system-accounts.js';
import type { BonusType } from '../domain/template.js';
import type { AwardTrigger } from '../domain/user-bonus.js';
import { BONUS_EVENTS, bonusEventData } from './bonus-events.js';

/** The part of core-service's transfer events (emitTransferEvents) that bonus rules read. */
export interface MoneyEventData {
  transferId: string;
  type: string;
  fromUserId: string;
  toUserId: string;
  amount: number;
  currency: string;
  status: string;
}

/**
 * What bonus-service consumes from payment-service. Every handler writes through the bus's
 * session, so its effects commit with the processed-event record: a redelivered or twice-read
 * event changes nothing, whichever instance reads it. Awards made here also carry a request key
 * derived from the trigger (unique per tenant), the second line of defence.
 */
export function registerPaymentEventHandlers(bus: EventBus, deps: BonusDeps): void {
  bus.on<MoneyEventData>(
    'deposit.completed',
    async (event, { session }) => {
      await onDeposit(deps, event, requireSession(session));
    },
    { name: 'deposit-bonuses' },
  );
  bus.on<MoneyEventData>(
    'transfer.completed',
    async (event, { session }) => {
      await countTurnover(deps, event, requireSession(session));
      await awardFromTemplates(deps, event, 'CASHBACK', event.data.fromUserId, `cashback:${event.data.transferId}`, requireSession(session));
    },
    { name: 'transfer-bonuses' },
  );
  bus.on<MoneyEventData>(
    'withdrawal.completed',
    async (event, { session }) => {
      await countTurnover(deps, event, requireSession(session));
    },
    { name: 'withdrawal-turnover' },
  );
}

function requireSession(session: ClientSession | undefined): ClientSession {
  if (session === undefined) throw new Error('bonus handlers need the bus to run them in a transaction');
  return session;
}

const TRIGGER_KINDS: Record<BonusType, AwardTrigger['kind']> = { WELCOME: 'claim', MANUAL: 'admin', DEPOSIT_MATCH: 'deposit', REFERRAL: 'referral', CASHBACK: 'transfer' };

/** A deposit is a DEPOSIT_MATCH trigger only when it is the user's first (recorded here once). */
export async function onDeposit(deps: BonusDeps, event: IntegrationEvent<MoneyEventData>, session: ClientSession): Promise<void> {
  const { transferId, toUserId, amount, currency } = event.data;
  const id = `${event.tenantId}:${toUserId}`;
  const first = await deps.store.firstDeposits.findOne({ _id: id }, { session });
  if (first !== null && first.transferId !== transferId) return;
  if (first === null) await deps.store.firstDeposits.insertOne({ _id: id, tenantId: event.tenantId, userId: toUserId, transferId, amount, currency, at: new Date(event.occurredAt) }, { session });
  await awardFromTemplates(deps, event, 'DEPOSIT_MATCH', toUserId, `deposit:${transferId}`, session);
  // The inviter earns once per invited user, on that user's first deposit.
  const invited = await deps.store.users.findOne({ _id: toUserId }, { session });
  if (invited?.referredBy) await awardFromTemplates(deps, event, 'REFERRAL', invited.referredBy, `referral:${toUserId}`, session);
}

/**
 * Awards every active template of `type` in the event's currency. A refusal (claim limit,
 * budget, window) is the template's rule working, not a failure to retry: it is logged and the
 * event is done. Refusals are decided before any write, so the shared transaction stays clean.
 */
async function awardFromTemplates(deps: BonusDeps, event: IntegrationEvent<MoneyEventData>, type: BonusType, userId: string, trigger: string, session: ClientSession): Promise<void> {
  if (isSystemAccount(userId)) return;
  const templates = await deps.store.templates.find({ tenantId: event.tenantId, type, active: true, currency: event.data.currency }, { session }).toArray();
  for (const template of templates) {
    try {
      await awardBonus(
        deps,
        {
          tenantId: event.tenantId,
          userId,
          channel: 'event',
          templateCode: template.code,
          requestKey: `${trigger}:${template._id}`,
          trigger: { kind: TRIGGER_KINDS[type], id: event.data.transferId, amount: event.data.amount },
          currency: event.data.currency,
          triggerAmount: event.data.amount,
        },
        session,
      );
    } catch (error) {
      if (!(error instanceof BonusError)) throw error;
      getLogger().info({ tenantId: event.tenantId, userId, template: template.code, code: error.code }, 'event-driven award refused');
    }
  }
}

/** Outgoing transfers and withdrawals count towards the sender's active awards in that currency. */
export async function countTurnover(deps: BonusDeps, event: IntegrationEvent<MoneyEventData>, session: ClientSession): Promise<void> {
  const { fromUserId, currency, amount } = event.data;
  const active = await deps.store.bonuses.find({ tenantId: event.tenantId, userId: fromUserId, status: 'ACTIVE', currency }, { session }).toArray();
  const movement = { eventId: event.id, userId: fromUserId, currency, amount, occurredAt: new Date(event.occurredAt) };
  for (const bonus of active) {
    const outcome = applyTurnover(bonus, movement);
    if (outcome.kind === 'ignored') continue;
    if (outcome.kind === 'converted') {
      await resolveBonus(deps, session, { tenantId: bonus.tenantId, bonusId: bonus.id }, 'CONVERTED', { turnoverProgress: outcome.turnoverProgress });
      continue;
    }
    const updated = await deps.store.bonuses.findOneAndUpdate({ _id: bonus._id, status: 'ACTIVE' }, { $set: { turnoverProgress: outcome.turnoverProgress } }, { session, returnDocument: 'after' });
    if (updated !== null) await deps.emit(BONUS_EVENTS.progress, updated.tenantId, updated.userId, bonusEventData(updated), { session });
  }
}
