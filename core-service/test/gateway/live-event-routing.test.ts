import { describe, expect, it } from 'vitest';
import { createIntegrationEvent } from '../../src/events/integration-event.js';
import { routeIntegrationEvent } from '../../src/gateway/live/live-event-routing.js';

const bonus = {
  id: 'b1',
  userId: 'u1',
  templateCode: 'WELCOME',
  type: 'WELCOME',
  currency: 'EUR',
  amount: 1_000,
  turnoverRequired: 3_000,
  turnoverProgress: 0,
  status: 'ACTIVE',
  expiresAt: '2026-12-31T00:00:00.000Z',
  createdAt: '2026-12-01T00:00:00.000Z',
  resolvedAt: null,
};

describe('live routing of bonus events', () => {
  it("every bonus.* event becomes bonusUpdated for the award's owner, carrying the award", () => {
    for (const type of ['bonus.awarded', 'bonus.progress', 'bonus.converted', 'bonus.expired', 'bonus.cancelled']) {
      const event = createIntegrationEvent({ type, tenantId: 't1', userId: 'u1', data: { bonus } });
      expect(routeIntegrationEvent(event)).toEqual({ field: 'bonusUpdated', tenantId: 't1', userIds: ['u1'], payload: bonus, eventId: event.id });
    }
  });

  it("the ledger's bonus_award.completed is not a bonus update, and an event without an award id routes nowhere", () => {
    expect(routeIntegrationEvent(createIntegrationEvent({ type: 'bonus_award.completed', tenantId: 't1', userId: 'system:bonus-pool#0', data: { transferId: 'x' } }))).toBeUndefined();
    expect(routeIntegrationEvent(createIntegrationEvent({ type: 'bonus.awarded', tenantId: 't1', userId: 'u1', data: { bonus: { userId: 'u1' } } }))).toBeUndefined();
  });
});
