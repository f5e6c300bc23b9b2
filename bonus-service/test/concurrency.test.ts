import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CLAIM, createTemplate, errorCode, expectBooksBalance, poolWallet, startBonus } from './helpers.js';

describe('concurrent claims', () => {
  it('50 simultaneous claims of a once-per-user template by one user make one award', async () => {
    const bonus = await startBonus();
    const alice = bonus.user();
    const template = await createTemplate(bonus, bonus.admin(), { amount: 400, maxClaimsPerUser: 1 });

    const answers = await Promise.all(Array.from({ length: 50 }, () => bonus.graphql(alice, CLAIM, { code: template.code, key: `k-${randomUUID()}` })));
    const won = answers.filter((answer) => answer.errors === undefined);
    expect(won).toHaveLength(1);
    expect(new Set(answers.filter((a) => a.errors).map(errorCode))).toEqual(new Set(['MSBonusClaimLimitReached']));
    expect(await bonus.payments.wallet(alice.id)).toMatchObject({ bonusBalance: 400, balance: 0 });
    expect(await bonus.service.deps.store.bonuses.countDocuments({ tenantId: bonus.fixture.tenantId })).toBe(1);
    await expectBooksBalance(bonus);
  });

  it('the same claim sent 20 times at once with one key makes one award and every answer is it', async () => {
    const bonus = await startBonus();
    const alice = bonus.user();
    const template = await createTemplate(bonus, bonus.admin(), { amount: 400, maxClaimsPerUser: 10 });
    const key = `k-${randomUUID()}`;
    const answers = await Promise.all(Array.from({ length: 20 }, () => bonus.graphql(alice, CLAIM, { code: template.code, key })));
    expect(answers.map((a) => a.errors)).toEqual(Array(20).fill(undefined));
    expect(new Set(answers.map((a) => a.data.claimBonus.id)).size).toBe(1);
    expect((await bonus.payments.wallet(alice.id))?.bonusBalance).toBe(400);
    await expectBooksBalance(bonus);
  });

  it('concurrent claims by many users against a nearly spent budget never overspend it', async () => {
    const bonus = await startBonus();
    const admin = bonus.admin();
    // Room for exactly 3 awards of 300 out of 1,000.
    const template = await createTemplate(bonus, admin, { amount: 300, budget: 1_000 });
    const users = Array.from({ length: 12 }, () => bonus.user());
    const answers = await Promise.all(users.map((user) => bonus.graphql(user, CLAIM, { code: template.code, key: `k-${randomUUID()}` })));
    const won = answers.filter((a) => a.errors === undefined);
    expect(won).toHaveLength(3);
    expect(new Set(answers.filter((a) => a.errors).map(errorCode))).toEqual(new Set(['MSBonusBudgetExhausted']));
    const stored = await bonus.service.deps.store.templates.findOne({ _id: template.id });
    expect(stored?.budgetSpent).toBe(900);
    expect((await poolWallet(bonus))?.bonusBalance).toBe(-900);
    await expectBooksBalance(bonus);
  });
});
