import { describe, expect, it } from 'vitest';
import { createIntegrationEvent } from 'core-service';
import { applyUserFact, backfillReason, compareStreamIds, refuseRecipient, refuseSender, toRecipient, type ProjectedUser, type UserFact } from '../src/domain/user-projection.js';
import { toUserFact } from '../src/events/user-events.js';

const T = 'tenant-a';
const registered = (at: number, overrides: Partial<Extract<UserFact, { email: unknown }>> = {}): UserFact => ({
  kind: 'registered',
  tenantId: T,
  userId: 'alice',
  at,
  email: 'Alice@Example.com',
  displayName: 'Alice',
  status: 'active',
  ...overrides,
});
const status = (at: number, to: ProjectedUser['status']): UserFact => ({ kind: 'status', tenantId: T, userId: 'alice', at, status: to });

/** Applies facts in the order given, as the consumer would. */
function project(...facts: UserFact[]): ProjectedUser | null {
  return facts.reduce<ProjectedUser | null>((user, fact) => applyUserFact(user, fact) ?? user, null);
}

describe('applying user facts to the projection', () => {
  it('a registration projects the user with a lookup key for the email', () => {
    expect(project(registered(1_000))).toEqual({
      userId: 'alice',
      tenantId: T,
      email: 'Alice@Example.com',
      emailKey: 'alice@example.com',
      displayName: 'Alice',
      status: 'active',
      statusAt: 1_000,
      profileAt: 1_000,
    });
  });

  it('a redelivered registration or status change changes nothing', () => {
    const user = project(registered(1_000), status(2_000, 'suspended'))!;
    expect(applyUserFact(user, registered(1_000))).toBeNull();
    expect(applyUserFact(user, status(2_000, 'suspended'))).toBeNull();
  });

  it('a status change delivered before an older one keeps the newer status', () => {
    const inOrder = project(registered(1_000), status(2_000, 'suspended'), status(3_000, 'active'));
    const outOfOrder = project(registered(1_000), status(3_000, 'active'), status(2_000, 'suspended'));
    expect(outOfOrder).toEqual(inOrder);
    expect(outOfOrder?.status).toBe('active');
  });

  it('a late suspension cannot be undone by a redelivered registration', () => {
    const user = project(registered(1_000), status(2_000, 'suspended'), registered(1_000));
    expect(user).toMatchObject({ status: 'suspended', email: 'Alice@Example.com' });
  });

  it('a status change seen before the registration still gets the profile once the registration arrives', () => {
    const user = project(status(2_000, 'locked'), registered(1_000));
    expect(user).toMatchObject({ status: 'locked', statusAt: 2_000, displayName: 'Alice', emailKey: 'alice@example.com' });
  });

  it('a snapshot older than a live change leaves the live change, a newer one wins', () => {
    const snapshot = (at: number, to: ProjectedUser['status']): UserFact => ({ kind: 'snapshot', tenantId: T, userId: 'alice', at, email: 'new@example.com', displayName: 'A.', status: to });
    expect(project(registered(1_000), status(3_000, 'suspended'), snapshot(2_000, 'active'))).toMatchObject({ status: 'suspended', email: 'new@example.com' });
    expect(project(registered(1_000), status(2_000, 'suspended'), snapshot(3_000, 'active'))).toMatchObject({ status: 'active', displayName: 'A.' });
  });

  it('a fact about the same id in another tenant is ignored', () => {
    const user = project(registered(1_000));
    expect(applyUserFact(user, { ...status(2_000, 'suspended'), tenantId: 'tenant-b' })).toBeNull();
  });
});

describe('who may take part in a movement', () => {
  const alice = project(registered(1_000))!;
  it('an active user of the tenant may send and receive', () => {
    expect(refuseRecipient(alice, T)).toBeNull();
    expect(refuseSender(alice, T)).toBeNull();
  });
  it('an unknown user and a user of another tenant both read as not found', () => {
    expect(refuseRecipient(null, T)).toBe('not_found');
    expect(refuseRecipient(alice, 'tenant-b')).toBe('not_found');
    expect(refuseSender(null, T)).toBe('not_found');
  });
  it('a suspended or locked user neither sends nor receives', () => {
    for (const to of ['suspended', 'locked'] as const) {
      const user = applyUserFact(alice, status(2_000, to))!;
      expect(refuseRecipient(user, T)).toBe('inactive');
      expect(refuseSender(user, T)).toBe('inactive');
    }
  });
  it('a recipient lookup reveals only id and display name, and nothing outside the tenant or of an inactive user', () => {
    expect(toRecipient(alice, T)).toEqual({ id: 'alice', displayName: 'Alice' });
    expect(toRecipient(alice, 'tenant-b')).toBeNull();
    expect(toRecipient(applyUserFact(alice, status(2_000, 'suspended')), T)).toBeNull();
  });
});

describe('reading auth-service events', () => {
  it('uses the instant auth-service wrote the fact, falling back to the envelope for older payloads', () => {
    const event = createIntegrationEvent({ type: 'user.status_changed', tenantId: T, userId: 'alice', data: { from: 'active', to: 'suspended', updatedAt: '2026-01-01T00:00:02.000Z' } });
    expect(toUserFact(event)).toEqual({ kind: 'status', tenantId: T, userId: 'alice', at: Date.parse('2026-01-01T00:00:02.000Z'), status: 'suspended' });
    const legacy = createIntegrationEvent({ type: 'user.registered', tenantId: T, userId: 'bob', data: { email: 'b@x.io', displayName: null }, occurredAt: new Date(5_000) });
    expect(toUserFact(legacy)).toMatchObject({ kind: 'registered', at: 5_000, status: 'active', email: 'b@x.io' });
  });
  it('ignores events without a user or with an unknown status', () => {
    expect(toUserFact(createIntegrationEvent({ type: 'user.registered', tenantId: T, userId: null, data: {} }))).toBeNull();
    expect(toUserFact(createIntegrationEvent({ type: 'user.status_changed', tenantId: T, userId: 'a', data: { to: 'deleted' } }))).toBeNull();
  });
});

describe('when the projection needs a backfill', () => {
  const healthy = { projectedUsers: 3, groupLastDeliveredId: '1700000000000-5', streamMaxDeletedId: '1700000000000-1', hasUnfinishedBackfill: false };
  it('not when populated, the group is there and nothing unread was trimmed', () => {
    expect(backfillReason(healthy)).toBeNull();
  });
  it('when empty, when the group was lost, when trimming passed the group, or when the last backfill never finished', () => {
    expect(backfillReason({ ...healthy, projectedUsers: 0 })).toBe('empty');
    expect(backfillReason({ ...healthy, groupLastDeliveredId: null })).toBe('group_lost');
    expect(backfillReason({ ...healthy, streamMaxDeletedId: '1700000000000-9' })).toBe('stream_gap');
    expect(backfillReason({ ...healthy, hasUnfinishedBackfill: true })).toBe('unfinished');
  });
  it('stream ids compare as numbers, not strings', () => {
    expect(compareStreamIds('999-0', '1000-0')).toBe(-1);
    expect(compareStreamIds('1000-10', '1000-9')).toBe(1);
    expect(compareStreamIds('5-1', '5-1')).toBe(0);
  });
});
