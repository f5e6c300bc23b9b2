import { randomUUID } from 'node:crypto';
import type { ClientSession } from 'mongodb';
import type { EventBus, IntegrationEvent } from 'core-service';
import type { BonusDeps } from '../awards/bonus-deps.js';

interface UserRegisteredData {
  status?: string;
  referredBy?: string | null;
  createdAt?: string;
}

interface UserStatusChangedData {
  to: string;
  updatedAt?: string;
}

interface UserSnapshotData {
  status: string;
  updatedAt: string;
}

/**
 * bonus-service's read model of users, from auth-service's events: tenant and status decide
 * eligibility, `referredBy` the REFERRAL award. Each write is conditional on being newer than
 * what is stored (`updatedAt`), so redeliveries and out-of-order snapshots change nothing.
 */
export function registerUserEventHandlers(bus: EventBus, deps: BonusDeps): void {
  bus.on<UserRegisteredData>(
    'user.registered',
    async (event, { session }) => {
      await upsertUser(deps, event, { status: event.data.status ?? 'active', referredBy: event.data.referredBy ?? null }, event.data.createdAt ?? event.occurredAt, session);
    },
    { name: 'users-registered' },
  );
  bus.on<UserStatusChangedData>(
    'user.status_changed',
    async (event, { session }) => {
      await upsertUser(deps, event, { status: event.data.to }, event.data.updatedAt ?? event.occurredAt, session);
    },
    { name: 'users-status' },
  );
  bus.on<UserSnapshotData>(
    'user.snapshot',
    async (event, { session }) => {
      await upsertUser(deps, event, { status: event.data.status }, event.data.updatedAt, session);
    },
    { name: 'users-snapshot' },
  );
}

async function upsertUser(deps: BonusDeps, event: IntegrationEvent<unknown>, fields: { status: string; referredBy?: string | null }, at: string, session: ClientSession | undefined): Promise<void> {
  if (event.userId === null) return;
  const updatedAt = new Date(at);
  const users = deps.store.users;
  const existing = await users.findOne({ _id: event.userId }, session ? { session } : {});
  if (existing === null) {
    await users.insertOne({ _id: event.userId, tenantId: event.tenantId, status: fields.status, referredBy: fields.referredBy ?? null, updatedAt }, session ? { session } : {});
    return;
  }
  // The inviter is known only from registration; a later status event must not erase it.
  const referredBy = fields.referredBy !== undefined && existing.referredBy === null ? { referredBy: fields.referredBy } : {};
  if (existing.updatedAt > updatedAt) {
    if (Object.keys(referredBy).length > 0) await users.updateOne({ _id: event.userId }, { $set: referredBy }, session ? { session } : {});
    return;
  }
  await users.updateOne({ _id: event.userId }, { $set: { status: fields.status, updatedAt, ...referredBy } }, session ? { session } : {});
}

/**
 * An empty read model (first start, or a new deployment next to existing users) asks
 * auth-service for a snapshot of every user: it answers with `user.snapshot` events, applied like
 * live ones. Called after the consumer group exists, so the answer is not missed. Snapshots do
 * not carry inviters: a referral registered before the first start is not rewarded.
 */
export async function requestUsersBackfillIfEmpty(bus: EventBus, deps: BonusDeps): Promise<boolean> {
  if ((await deps.store.users.estimatedDocumentCount()) > 0) return false;
  await bus.emit('users.backfill_requested', 'platform', null, { backfillId: randomUUID(), tenantId: null });
  return true;
}
