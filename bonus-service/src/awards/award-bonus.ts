import { randomUUID } from 'node:crypto';
import type { ClientSession } from 'mongodb';
import { MongoServerError } from 'mongodb';
import { createTransferWithTransactions, hashRequest, runAfterCommit, withTransaction } from 'core-service';
import { BONUS_ERRORS, BonusError } from '../domain/errors.js';
import {
  checkTemplateEligibility,
  checkUserEligibility,
  computeAwardAmount,
  computeExpiresAt,
  computeExpiringNoticeAt,
  computeTurnoverRequired,
  fitsBudget,
  type AwardChannel,
} from '../domain/award-rules.js';
import { pickBonusPool } from '../domain/system-accounts.js';
import type { BonusTemplate } from '../domain/template.js';
import type { AwardTrigger, UserBonus } from '../domain/user-bonus.js';
import { BONUS_EVENTS, bonusEventData } from '../events/bonus-events.js';
import type { BonusDeps } from './bonus-deps.js';
import { resolveBonus } from './resolve-bonus.js';

export interface AwardParams {
  tenantId: string;
  userId: string;
  channel: AwardChannel;
  /** The template by code (claims, admins) or as already loaded (event handlers). */
  templateCode: string;
  /** Unique per tenant: `claim:<user>:<key>`, `admin:<admin>:<key>` or an event trigger. */
  requestKey: string;
  trigger: AwardTrigger;
  /** Fixed by the trigger (deposit, transfer); checked against the template's. */
  currency?: string;
  triggerAmount?: number;
}

/**
 * Awards a template to a user: checks the request, then in ONE transaction (a transaction-mode
 * saga: every step or none) counts the claim, spends the budget, moves the amount from the pool
 * to the user's `bonusBalance` (two ledger entries), writes the award record and its events.
 * The same request key answers with the first award; the same key with other input is refused.
 *
 * `session` joins an event handler's transaction (exactly once with the processed-event record);
 * without it the award runs its own.
 */
export async function awardBonus(deps: BonusDeps, params: AwardParams, session?: ClientSession): Promise<UserBonus> {
  const requestHash = hashRequest({ userId: params.userId, templateCode: params.templateCode, channel: params.channel, currency: params.currency, triggerAmount: params.triggerAmount });
  const template = await deps.store.template(params.tenantId, params.templateCode, session);
  if (template === null) {
    // A replay must not fail because the template was renamed since; look for the first answer.
    const replayed = await deps.store.bonuses.findOne({ tenantId: params.tenantId, requestKey: params.requestKey }, session ? { session } : {});
    if (replayed !== null) return sameRequest(replayed, requestHash);
    throw new BonusError({ code: BONUS_ERRORS.TemplateNotFound, message: `No bonus template ${params.templateCode}` });
  }
  const bonusId = randomUUID();
  const run = (txSession: ClientSession) => writeAward(deps, txSession, template._id, params, requestHash, bonusId);
  if (session !== undefined) {
    // In an event handler's transaction the counter is created in it as well; a concurrent
    // creator makes the handler's transaction fail and the bus run it again.
    await ensureClaimCounter(deps, template, params.userId, session);
    return run(session);
  }
  // Claim counters exist before any transaction increments them: a conditional $inc on an
  // existing document makes concurrent claims conflict and retry, where concurrent upserts
  // would race on the insert.
  await ensureClaimCounter(deps, template, params.userId);
  try {
    return await withTransaction({ client: deps.client, fn: run });
  } catch (error) {
    // Two requests with one key raced and the other committed first: answer as its replay.
    if (isDuplicateRequestKey(error)) return withTransaction({ client: deps.client, fn: run });
    throw error;
  }
}

async function writeAward(deps: BonusDeps, session: ClientSession, templateId: string, params: AwardParams, requestHash: string, bonusId: string): Promise<UserBonus> {
  const { store } = deps;
  const existing = await store.bonuses.findOne({ tenantId: params.tenantId, requestKey: params.requestKey }, { session });
  if (existing !== null) return sameRequest(existing, requestHash);

  // The template as of this transaction's snapshot: a concurrent deactivation or budget change
  // conflicts with the budget write below or is seen here.
  const template = await store.templates.findOne({ _id: templateId }, { session });
  if (template === null) throw new BonusError({ code: BONUS_ERRORS.TemplateNotFound, message: `No bonus template ${params.templateCode}` });
  const now = deps.now();
  const refusal = checkTemplateEligibility(template, {
    channel: params.channel,
    now,
    ...(params.currency !== undefined ? { currency: params.currency } : {}),
    ...(params.triggerAmount !== undefined ? { triggerAmount: params.triggerAmount } : {}),
  });
  if (refusal !== null) throw new BonusError(refusal);
  const userRefusal = checkUserEligibility(await store.users.findOne({ _id: params.userId }, { session }), params.tenantId, { mustBeKnown: params.channel === 'admin' });
  if (userRefusal !== null) throw new BonusError(userRefusal);
  const amount = computeAwardAmount(template, params.triggerAmount);
  if (amount <= 0) throw new BonusError({ code: BONUS_ERRORS.InvalidTemplate, message: 'The trigger is too small for an award' });

  // Every refusal is decided by reads before the first write: an event handler's award shares
  // the handler's transaction, and a refusal caught there must leave nothing half-written.
  const counter = await store.claimCounters.findOne({ _id: claimCounterId(template, params.userId) }, { session });
  if ((counter?.count ?? 0) >= template.maxClaimsPerUser)
    throw new BonusError({ code: BONUS_ERRORS.ClaimLimitReached, message: `Template ${template.code} allows ${template.maxClaimsPerUser} award(s) per user` });
  if (!fitsBudget(template, amount)) throw new BonusError({ code: BONUS_ERRORS.BudgetExhausted, message: `Template ${template.code} has no budget left for ${amount}` });

  const counted = await store.claimCounters.updateOne({ _id: claimCounterId(template, params.userId), count: { $lt: template.maxClaimsPerUser } }, { $inc: { count: 1 } }, { session });
  if (counted.matchedCount === 0) throw new BonusError({ code: BONUS_ERRORS.ClaimLimitReached, message: `Template ${template.code} allows ${template.maxClaimsPerUser} award(s) per user` });
  if (template.budget !== null) {
    // Conditional on what is left, in the write itself: concurrent awards against a nearly
    // spent budget conflict on this document and only those that still fit pass.
    const spent = await store.templates.updateOne({ _id: template._id, budgetSpent: { $lte: template.budget - amount } }, { $inc: { budgetSpent: amount } }, { session });
    if (spent.matchedCount === 0) throw new BonusError({ code: BONUS_ERRORS.BudgetExhausted, message: `Template ${template.code} has no budget left for ${amount}` });
  }

  await createTransferWithTransactions(
    {
      db: deps.paymentDb,
      // Its ledger, outbox and audit inserts go as one bulkWrite (the helper's insert batch).
      client: deps.client,
      tenantId: params.tenantId,
      fromUserId: pickBonusPool(deps.poolShards),
      fromSystemAccount: true,
      toUserId: params.userId,
      fromBalanceType: 'bonusBalance',
      toBalanceType: 'bonusBalance',
      amount,
      currency: template.currency,
      type: 'bonus_award',
      idempotencyKey: `bonus-award-${bonusId}`,
      meta: { bonusId, templateCode: template.code },
      emit: deps.emit,
      balanceCaps: deps.balanceCaps(),
    },
    { session },
  );

  const expiresAt = computeExpiresAt(now, template.validForDays);
  const bonus: UserBonus = {
    _id: bonusId,
    id: bonusId,
    tenantId: params.tenantId,
    userId: params.userId,
    templateId: template._id,
    templateCode: template.code,
    type: template.type,
    currency: template.currency,
    amount,
    turnoverRequired: computeTurnoverRequired(amount, template.turnoverMultiplier),
    turnoverProgress: 0,
    status: 'ACTIVE',
    expiresAt,
    expiringNoticeAt: computeExpiringNoticeAt(now, expiresAt),
    expiringNotified: false,
    createdAt: now,
    resolvedAt: null,
    requestKey: params.requestKey,
    requestHash,
    trigger: params.trigger,
  };
  await store.bonuses.insertOne(bonus, { session });
  await deps.emit(BONUS_EVENTS.awarded, bonus.tenantId, bonus.userId, bonusEventData(bonus), { session });
  if (bonus.turnoverRequired === 0) {
    // Nothing to wager: the award is cash at once, in the same transaction.
    const { bonus: converted } = await resolveBonus(deps, session, { tenantId: bonus.tenantId, bonusId }, 'CONVERTED');
    return converted ?? bonus;
  }
  await runAfterCommit(session, () => deps.expiry.schedule(bonus));
  return bonus;
}

function sameRequest(existing: UserBonus, requestHash: string): UserBonus {
  if (existing.requestHash !== requestHash) {
    throw new BonusError({ code: BONUS_ERRORS.IdempotencyKeyReused, message: 'This idempotency key was used for another request' });
  }
  return existing;
}

function claimCounterId(template: Pick<BonusTemplate, '_id' | 'tenantId'>, userId: string): string {
  return `${template.tenantId}:${template._id}:${userId}`;
}

async function ensureClaimCounter(deps: BonusDeps, template: BonusTemplate, userId: string, session?: ClientSession): Promise<void> {
  const create = () =>
    deps.store.claimCounters.updateOne(
      { _id: claimCounterId(template, userId) },
      { $setOnInsert: { tenantId: template.tenantId, templateId: template._id, userId, count: 0 } },
      { upsert: true, ...(session ? { session } : {}) },
    );
  if (session !== undefined) {
    await create();
    return;
  }
  try {
    await create();
  } catch (error) {
    // Another request created it first: exactly what was wanted.
    if (!(error instanceof MongoServerError && error.code === 11000)) throw error;
  }
}

function isDuplicateRequestKey(error: unknown): boolean {
  return (
    error instanceof MongoServerError &&
    error.code === 11000 &&
    typeof error['keyPattern'] === 'object' &&
    error['keyPattern'] !== null &&
    'requestKey' in (error['keyPattern'] as Record<string, unknown>)
  );
}
