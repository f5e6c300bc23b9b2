import type { BonusErrorCode } from './errors.js';
import { BONUS_ERRORS } from './errors.js';
import type { BonusTemplate } from './template.js';

const DAY_MS = 24 * 3600 * 1000;

/** How an award comes about: who asks decides which templates qualify. */
export type AwardChannel = 'claim' | 'admin' | 'event';

export interface AwardRequest {
  channel: AwardChannel;
  /** The award's currency when a trigger (deposit, transfer) fixes it. */
  currency?: string;
  /** The trigger's amount, for percent templates. */
  triggerAmount?: number;
  now: Date;
}

export type Refusal = { code: BonusErrorCode; message: string };

/**
 * Whether `template` may award anything for this request, before claim counts and budget (those
 * are decided by conditional writes, not here). Null when it may.
 */
export function checkTemplateEligibility(template: BonusTemplate, request: AwardRequest): Refusal | null {
  if (!template.active) return { code: BONUS_ERRORS.TemplateInactive, message: `Template ${template.code} is not active` };
  if (template.startsAt !== null && request.now < template.startsAt) return { code: BONUS_ERRORS.OutsideWindow, message: `Template ${template.code} has not started` };
  if (template.endsAt !== null && request.now >= template.endsAt) return { code: BONUS_ERRORS.OutsideWindow, message: `Template ${template.code} has ended` };
  if (request.channel === 'claim' && !template.claimable) return { code: BONUS_ERRORS.NotClaimable, message: `Template ${template.code} cannot be claimed` };
  if (request.currency !== undefined && request.currency !== template.currency) {
    return { code: BONUS_ERRORS.CurrencyMismatch, message: `Template ${template.code} awards ${template.currency}, not ${request.currency}` };
  }
  if (template.percent !== null && request.triggerAmount === undefined) {
    return { code: BONUS_ERRORS.InvalidTemplate, message: `Template ${template.code} awards a percent of a trigger and cannot be awarded by hand` };
  }
  return null;
}

/**
 * Whether the user may receive an award. A user the read model has not heard of yet
 * (registration event still in flight) is not refused when the caller is that user (a claim: the
 * gateway signed who they are) or the trigger is one of payment-service's own events (it knows
 * its parties). An admin naming a user is different: an id nobody owns would get a wallet and
 * money, so it must be a user this service knows (`mustBeKnown`), retryable by the admin when
 * the user registered a moment ago.
 */
export function checkUserEligibility(user: { tenantId: string; status: string } | null, tenantId: string, options: { mustBeKnown?: boolean } = {}): Refusal | null {
  if (user === null) {
    return options.mustBeKnown === true ? { code: BONUS_ERRORS.UserNotFound, message: 'No such user in this tenant (one registered a moment ago may not be known yet: retry)' } : null;
  }
  if (user.tenantId !== tenantId) return { code: BONUS_ERRORS.IneligibleUser, message: 'The user is not in this tenant' };
  if (user.status !== 'active') return { code: BONUS_ERRORS.IneligibleUser, message: `The user's account is ${user.status}` };
  return null;
}

/**
 * The award's amount: the fixed amount, or the percent of the trigger rounded down and capped.
 * Zero means nothing to award (a trigger too small for one minor unit).
 */
export function computeAwardAmount(template: Pick<BonusTemplate, 'amount' | 'percent' | 'maxAmount'>, triggerAmount?: number): number {
  if (template.amount !== null) return template.amount;
  if (template.percent === null || triggerAmount === undefined) return 0;
  // Integer arithmetic: a safe-integer trigger times a percent ≤ 1000 stays exact below 2^53 / 1000.
  const raw = Math.floor((triggerAmount * template.percent) / 100);
  return Math.min(raw, template.maxAmount ?? raw);
}

export function computeTurnoverRequired(amount: number, turnoverMultiplier: number): number {
  return amount * turnoverMultiplier;
}

export function computeExpiresAt(now: Date, validForDays: number): Date {
  return new Date(now.getTime() + validForDays * DAY_MS);
}

/** When the expiring-soon notice is due: a day before expiry, or at once for shorter validity. */
export function computeExpiringNoticeAt(createdAt: Date, expiresAt: Date): Date {
  return new Date(Math.max(createdAt.getTime(), expiresAt.getTime() - DAY_MS));
}

/** Whether a budget can pay `amount` more. */
export function fitsBudget(template: Pick<BonusTemplate, 'budget' | 'budgetSpent'>, amount: number): boolean {
  return template.budget === null || template.budgetSpent + amount <= template.budget;
}
