import { describe, expect, it } from 'vitest';
import { checkTemplateEligibility, computeAwardAmount, computeExpiresAt, computeExpiringNoticeAt, computeTurnoverRequired, fitsBudget } from '../src/domain/award-rules.js';
import { normalizeTemplateInput, type BonusTemplate } from '../src/domain/template.js';
import { applyTurnover, isExpired } from '../src/domain/turnover.js';

const DAY = 24 * 3600 * 1000;
const now = new Date('2026-06-01T12:00:00Z');

function template(overrides: Partial<BonusTemplate> = {}): BonusTemplate {
  return {
    _id: 't1',
    id: 't1',
    tenantId: 'x',
    code: 'WELCOME',
    name: 'Welcome',
    type: 'WELCOME',
    currency: 'EUR',
    amount: 1_000,
    percent: null,
    maxAmount: null,
    turnoverMultiplier: 5,
    validForDays: 30,
    maxClaimsPerUser: 1,
    active: true,
    startsAt: null,
    endsAt: null,
    budget: null,
    budgetSpent: 0,
    claimable: true,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

describe('award amount', () => {
  it('a fixed template awards its amount whatever the trigger', () => {
    expect(computeAwardAmount(template(), 123_456)).toBe(1_000);
  });
  it('a percent template awards the percent of the trigger rounded down, capped by maxAmount', () => {
    const match = template({ amount: null, percent: 50, maxAmount: 2_000 });
    expect(computeAwardAmount(match, 1_001)).toBe(500);
    expect(computeAwardAmount(match, 10_000)).toBe(2_000);
    expect(computeAwardAmount(match, 1)).toBe(0);
  });
  it('turnover required is the amount times the multiplier; zero multiplier needs none', () => {
    expect(computeTurnoverRequired(1_000, 5)).toBe(5_000);
    expect(computeTurnoverRequired(1_000, 0)).toBe(0);
  });
  it('a budget pays only what still fits', () => {
    expect(fitsBudget({ budget: 1_000, budgetSpent: 400 }, 600)).toBe(true);
    expect(fitsBudget({ budget: 1_000, budgetSpent: 401 }, 600)).toBe(false);
    expect(fitsBudget({ budget: null, budgetSpent: 10 ** 12 }, 600)).toBe(true);
  });
});

describe('eligibility', () => {
  it('refuses inactive templates, outside the window, unclaimable ones, other currencies and percent awards without a trigger', () => {
    expect(checkTemplateEligibility(template({ active: false }), { channel: 'claim', now })?.code).toBe('MSBonusTemplateInactive');
    expect(checkTemplateEligibility(template({ startsAt: new Date(now.getTime() + 1) }), { channel: 'claim', now })?.code).toBe('MSBonusOutsideWindow');
    expect(checkTemplateEligibility(template({ endsAt: now }), { channel: 'claim', now })?.code).toBe('MSBonusOutsideWindow');
    expect(checkTemplateEligibility(template({ claimable: false }), { channel: 'claim', now })?.code).toBe('MSBonusNotClaimable');
    expect(checkTemplateEligibility(template({ claimable: false }), { channel: 'admin', now })).toBeNull();
    expect(checkTemplateEligibility(template(), { channel: 'event', now, currency: 'USD' })?.code).toBe('MSBonusCurrencyMismatch');
    expect(checkTemplateEligibility(template({ amount: null, percent: 10, maxAmount: 5 }), { channel: 'admin', now })?.code).toBe('MSBonusInvalidTemplate');
    expect(checkTemplateEligibility(template({ amount: null, percent: 10, maxAmount: 5 }), { channel: 'event', now, currency: 'EUR', triggerAmount: 100 })).toBeNull();
  });
});

describe('template input', () => {
  it('fills defaults and makes only WELCOME and opted-in MANUAL templates claimable', () => {
    const welcome = normalizeTemplateInput({ code: 'W1', name: ' Hi ', type: 'WELCOME', currency: 'EUR', amount: 100 });
    expect(welcome).toMatchObject({ ok: true, value: { name: 'Hi', turnoverMultiplier: 0, validForDays: 30, maxClaimsPerUser: 1, active: true, claimable: true } });
    expect(normalizeTemplateInput({ code: 'M1', name: 'm', type: 'MANUAL', currency: 'EUR', amount: 100 })).toMatchObject({ ok: true, value: { claimable: false } });
    expect(normalizeTemplateInput({ code: 'M1', name: 'm', type: 'MANUAL', currency: 'EUR', amount: 100, claimable: true })).toMatchObject({ ok: true, value: { claimable: true } });
    expect(normalizeTemplateInput({ code: 'D1', name: 'd', type: 'DEPOSIT_MATCH', currency: 'EUR', amount: 100, claimable: true })).toMatchObject({ ok: true, value: { claimable: false } });
  });
  it('names every refused field', () => {
    const result = normalizeTemplateInput({ code: 'x', name: '', type: 'WELCOME', currency: 'EURO', amount: 1.5, validForDays: 0, startsAt: '2026-02-01', endsAt: '2026-01-01' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.field).sort()).toEqual(['amount', 'code', 'currency', 'endsAt', 'name', 'validForDays']);
  });
});

describe('turnover', () => {
  const bonus = { status: 'ACTIVE' as const, userId: 'u1', currency: 'EUR', createdAt: now, turnoverRequired: 3_000, turnoverProgress: 1_000 };
  const event = { eventId: 'e1', userId: 'u1', currency: 'EUR', amount: 500, occurredAt: new Date(now.getTime() + 1) };
  it('adds outgoing movements after the award and converts when the requirement is met', () => {
    expect(applyTurnover(bonus, event)).toEqual({ kind: 'progress', turnoverProgress: 1_500 });
    expect(applyTurnover(bonus, { ...event, amount: 2_000 })).toEqual({ kind: 'converted', turnoverProgress: 3_000 });
    expect(applyTurnover(bonus, { ...event, amount: 9_000 })).toEqual({ kind: 'converted', turnoverProgress: 3_000 });
  });
  it('ignores other users, other currencies, movements before the award and resolved awards', () => {
    expect(applyTurnover(bonus, { ...event, userId: 'u2' }).kind).toBe('ignored');
    expect(applyTurnover(bonus, { ...event, currency: 'USD' }).kind).toBe('ignored');
    expect(applyTurnover(bonus, { ...event, occurredAt: new Date(now.getTime() - 1) }).kind).toBe('ignored');
    expect(applyTurnover({ ...bonus, status: 'EXPIRED' }, event).kind).toBe('ignored');
  });
});

describe('expiry', () => {
  it('expires at validForDays, announces a day before, or at once when validity is shorter', () => {
    const expiresAt = computeExpiresAt(now, 7);
    expect(expiresAt.getTime() - now.getTime()).toBe(7 * DAY);
    expect(computeExpiringNoticeAt(now, expiresAt).getTime()).toBe(expiresAt.getTime() - DAY);
    expect(computeExpiringNoticeAt(now, new Date(now.getTime() + 3_600_000))).toEqual(now);
    expect(isExpired({ status: 'ACTIVE', expiresAt }, expiresAt)).toBe(true);
    expect(isExpired({ status: 'ACTIVE', expiresAt }, new Date(expiresAt.getTime() - 1))).toBe(false);
    expect(isExpired({ status: 'CONVERTED', expiresAt }, expiresAt)).toBe(false);
  });
});
