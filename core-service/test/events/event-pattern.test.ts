import { describe, expect, it } from 'vitest';
import { createIntegrationEvent, matchesEventPattern, parseIntegrationEvent } from '../../src/events/index.js';
import { runWithCorrelationId } from '../../src/logger/index.js';
import { EventBus } from '../../src/events/index.js';

describe('event patterns', () => {
  it('payment.* matches one word after payment and nothing deeper', () => {
    expect(matchesEventPattern('payment.*', 'payment.completed')).toBe(true);
    expect(matchesEventPattern('payment.*', 'payment.failed')).toBe(true);
    expect(matchesEventPattern('payment.*', 'payment.refund.completed')).toBe(false);
    expect(matchesEventPattern('payment.*', 'payment')).toBe(false);
    expect(matchesEventPattern('payment.*', 'wallet.created')).toBe(false);
    expect(matchesEventPattern('payment.*', 'paymentx.completed')).toBe(false);
  });

  it('** matches one or more words, a bare * or ** matches every type', () => {
    expect(matchesEventPattern('payment.**', 'payment.refund.completed')).toBe(true);
    expect(matchesEventPattern('payment.**', 'payment.completed')).toBe(true);
    expect(matchesEventPattern('*.completed', 'transfer.completed')).toBe(true);
    expect(matchesEventPattern('*.completed', 'transfer.failed')).toBe(false);
    expect(matchesEventPattern('*', 'anything.at.all')).toBe(true);
    expect(matchesEventPattern('**', 'x')).toBe(true);
  });

  it('a pattern without wildcards is an exact match', () => {
    expect(matchesEventPattern('transfer.completed', 'transfer.completed')).toBe(true);
    expect(matchesEventPattern('transfer.completed', 'transfer.completed.v2')).toBe(false);
  });
});

describe('integration event envelope', () => {
  it('carries id, type, tenant, user, occurredAt, the correlation id of the current request, and data', () => {
    const event = runWithCorrelationId('corr-123', () => createIntegrationEvent({ type: 'payment.completed', tenantId: 't1', userId: 'u1', data: { amount: 500 }, correlationId: undefined }));
    expect(event).toMatchObject({ type: 'payment.completed', tenantId: 't1', userId: 'u1', data: { amount: 500 } });
    expect(event.id).toMatch(/^[0-9a-f]{24}$/);
    expect(Number.isNaN(Date.parse(event.occurredAt))).toBe(false);
    // createIntegrationEvent takes the id it is given; the bus reads it from the logger's context
    expect(event.correlationId).toBeNull();
    expect(parseIntegrationEvent(JSON.stringify(event))).toEqual(event);
  });

  it('rejects malformed types and a missing tenant', () => {
    expect(() => createIntegrationEvent({ type: 'payment completed', tenantId: 't', userId: null, data: {} })).toThrow(TypeError);
    expect(() => createIntegrationEvent({ type: 'payment.completed', tenantId: '', userId: null, data: {} })).toThrow(TypeError);
    expect(() => parseIntegrationEvent('{"type":"x"}')).toThrow(TypeError);
  });

  it('on() refuses a pattern so a typo cannot silently subscribe to nothing', () => {
    const bus = new EventBus({ serviceName: 's', redis: {} as never });
    expect(() => bus.on('payment.*', () => undefined)).toThrow(/onPattern/);
  });
});
