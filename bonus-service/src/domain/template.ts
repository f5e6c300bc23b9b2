import { checkAmount, checkCurrency } from 'core-service';

export const BONUS_TYPES = ['WELCOME', 'DEPOSIT_MATCH', 'REFERRAL', 'CASHBACK', 'MANUAL'] as const;
export type BonusType = (typeof BONUS_TYPES)[number];

/** A template as stored in bonus `bonus_templates`: one per (tenant, code). */
export interface BonusTemplate {
  _id: string;
  id: string;
  tenantId: string;
  code: string;
  name: string;
  type: BonusType;
  currency: string;
  /** Fixed award, or `percent` of the trigger capped by `maxAmount`: exactly one of the two. */
  amount: number | null;
  percent: number | null;
  maxAmount: number | null;
  turnoverMultiplier: number;
  validForDays: number;
  maxClaimsPerUser: number;
  active: boolean;
  startsAt: Date | null;
  endsAt: Date | null;
  /** Total the template may ever award; null for no limit. */
  budget: number | null;
  /** Sum of every award made from it (counts against `budget`). */
  budgetSpent: number;
  /** Users may claim it themselves (WELCOME always, MANUAL when set). */
  claimable: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface BonusTemplateInput {
  code: string;
  name: string;
  type: BonusType;
  currency: string;
  amount?: number | null;
  percent?: number | null;
  maxAmount?: number | null;
  turnoverMultiplier?: number | null;
  validForDays?: number | null;
  maxClaimsPerUser?: number | null;
  active?: boolean | null;
  startsAt?: Date | string | null;
  endsAt?: Date | string | null;
  budget?: number | null;
  claimable?: boolean | null;
}

export type TemplateFields = Omit<BonusTemplate, '_id' | 'id' | 'tenantId' | 'budgetSpent' | 'createdAt' | 'updatedAt'>;

/** A refused field and why; the resolver turns the list into one typed error. */
export interface TemplateProblem {
  field: string;
  message: string;
}

const CODE = /^[A-Z0-9_-]{2,64}$/;

function toDate(value: Date | string | null | undefined): Date | null | 'invalid' {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? 'invalid' : date;
}

function isWholeInRange(value: number, min: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= min && value <= max;
}

/**
 * The template's stored fields from an admin's input, with defaults for what was left out, or
 * the problems that refuse it. Nothing is read or written: the resolver calls this first.
 */
export function normalizeTemplateInput(input: BonusTemplateInput): { ok: true; value: TemplateFields } | { ok: false; problems: TemplateProblem[] } {
  const problems: TemplateProblem[] = [];
  const amount = input.amount ?? null;
  const percent = input.percent ?? null;
  const maxAmount = input.maxAmount ?? null;
  const budget = input.budget ?? null;
  const startsAt = toDate(input.startsAt);
  const endsAt = toDate(input.endsAt);
  const turnoverMultiplier = input.turnoverMultiplier ?? 0;
  const validForDays = input.validForDays ?? 30;
  const maxClaimsPerUser = input.maxClaimsPerUser ?? 1;

  if (!CODE.test(input.code)) problems.push({ field: 'code', message: 'code must be 2 to 64 of A-Z, 0-9, _ and -' });
  if (input.name.trim().length === 0 || input.name.length > 200) problems.push({ field: 'name', message: 'name must be 1 to 200 characters' });
  if (!BONUS_TYPES.includes(input.type)) problems.push({ field: 'type', message: 'unknown bonus type' });
  if (checkCurrency(input.currency) !== null) problems.push({ field: 'currency', message: `unsupported currency ${input.currency}` });
  if ((amount === null) === (percent === null)) problems.push({ field: 'amount', message: 'give exactly one of amount and percent' });
  if (amount !== null && checkAmount(amount) !== null) problems.push({ field: 'amount', message: 'amount must be a positive whole number of minor units' });
  if (percent !== null && !isWholeInRange(percent, 1, 1000)) problems.push({ field: 'percent', message: 'percent must be a whole number from 1 to 1000' });
  // A percent of an unbounded trigger would be an unbounded award.
  if (percent !== null && (maxAmount === null || checkAmount(maxAmount) !== null)) problems.push({ field: 'maxAmount', message: 'a percent template needs a positive maxAmount' });
  if (amount !== null && maxAmount !== null) problems.push({ field: 'maxAmount', message: 'maxAmount caps percent templates only' });
  // Fixed-amount awards have no trigger to take a percent of; event-driven ones usually do.
  if (percent !== null && (input.type === 'WELCOME' || input.type === 'MANUAL')) problems.push({ field: 'percent', message: `${input.type} templates award a fixed amount` });
  if (!isWholeInRange(turnoverMultiplier, 0, 100)) problems.push({ field: 'turnoverMultiplier', message: 'turnoverMultiplier must be a whole number from 0 to 100' });
  if (!isWholeInRange(validForDays, 1, 3650)) problems.push({ field: 'validForDays', message: 'validForDays must be a whole number from 1 to 3650' });
  if (!isWholeInRange(maxClaimsPerUser, 1, 1_000_000)) problems.push({ field: 'maxClaimsPerUser', message: 'maxClaimsPerUser must be at least 1' });
  if (budget !== null && checkAmount(budget) !== null) problems.push({ field: 'budget', message: 'budget must be a positive whole number of minor units' });
  if (startsAt === 'invalid') problems.push({ field: 'startsAt', message: 'startsAt is not a date' });
  if (endsAt === 'invalid') problems.push({ field: 'endsAt', message: 'endsAt is not a date' });
  if (startsAt instanceof Date && endsAt instanceof Date && endsAt <= startsAt) problems.push({ field: 'endsAt', message: 'endsAt must be after startsAt' });
  if (problems.length > 0) return { ok: false, problems };

  return {
    ok: true,
    value: {
      code: input.code,
      name: input.name.trim(),
      type: input.type,
      currency: input.currency,
      amount,
      percent,
      maxAmount,
      turnoverMultiplier,
      validForDays,
      maxClaimsPerUser,
      active: input.active ?? true,
      startsAt: startsAt as Date | null,
      endsAt: endsAt as Date | null,
      budget,
      claimable: input.type === 'WELCOME' || (input.type === 'MANUAL' && input.claimable === true),
    },
  };
}
