import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { metricValue, scrapeMetrics } from 'core-service/testing';
import { AWARD, CANCEL, CLAIM, createTemplate, startBonus } from './helpers.js';

const key = (): string => `k-${randomUUID()}`;

describe('bonus-service metrics', () => {
  it('awards, conversions and cancellations move their counters by template type and currency, amounts by the exact minor units', async () => {
    const bonus = await startBonus();
    const admin = bonus.admin();
    const alice = bonus.user();
    const before = await scrapeMetrics(bonus.url);
    expect(metricValue(before, 'bonus_awards_total')).toBe(0);

    const welcome = await createTemplate(bonus, admin, { amount: 2_501, turnoverMultiplier: 4 });
    const instant = await createTemplate(bonus, admin, { amount: 303, turnoverMultiplier: 0 });
    const k = key();
    expect((await bonus.graphql(alice, CLAIM, { code: welcome.code, key: k })).errors).toBeUndefined();
    // The replay answers with the first award and counts nothing.
    expect((await bonus.graphql(alice, CLAIM, { code: welcome.code, key: k })).errors).toBeUndefined();
    const converted = await bonus.graphql(alice, CLAIM, { code: instant.code, key: key() });
    expect(converted.data.claimBonus.status).toBe('CONVERTED');

    const manual = await createTemplate(bonus, admin, { type: 'MANUAL', amount: 700 });
    const known = bonus.user();
    await bonus.service.deps.store.users.insertOne({ _id: known.id, tenantId: bonus.fixture.tenantId, status: 'active', referredBy: null, updatedAt: new Date() });
    const awarded = await bonus.graphql(admin, AWARD, { userId: known.id, code: manual.code, key: key() });
    expect((await bonus.graphql(admin, CANCEL, { id: awarded.data.awardBonus.id, reason: 'abuse' })).data.cancelBonus.status).toBe('CANCELLED');

    const after = await scrapeMetrics(bonus.url);
    expect(metricValue(after, 'bonus_awards_total', { type: 'WELCOME', currency: 'EUR' })).toBe(2);
    expect(metricValue(after, 'bonus_awards_total', { type: 'MANUAL', currency: 'EUR' })).toBe(1);
    expect(metricValue(after, 'bonus_awarded_amount_minor_total', { type: 'WELCOME', currency: 'EUR' })).toBe(2_501 + 303);
    expect(metricValue(after, 'bonus_resolutions_total', { type: 'WELCOME', currency: 'EUR', status: 'converted' })).toBe(1);
    expect(metricValue(after, 'bonus_converted_amount_minor_total', { type: 'WELCOME', currency: 'EUR' })).toBe(303);
    expect(metricValue(after, 'bonus_resolutions_total', { type: 'MANUAL', currency: 'EUR', status: 'cancelled' })).toBe(1);
    expect(metricValue(after, 'bonus_converted_amount_minor_total', { type: 'MANUAL', currency: 'EUR' })).toBe(0);
    expect(after.filter((s) => s.name === 'bonus_awards_total').every((s) => s.labels['service'] === 'bonus-service')).toBe(true);
    // The SDK's metrics are on the same registry.
    expect(metricValue(after, 'mongodb_transactions_total', { outcome: 'committed' })).toBeGreaterThanOrEqual(4);
    expect(after.some((s) => s.name === 'event_dead_letter_entries')).toBe(true);
    expect(after.some((s) => s.name === 'queue_jobs' && s.labels['queue'] === 'bonus-expiry')).toBe(true);
  });
});
