import type { EventBus, IntegrationEvent } from 'core-service';
import { isProjectedStatus, type UserFact } from '../domain/user-projection.js';
import type { UserProjectionStore } from '../store/user-projection-store.js';

/**
 * auth-service's events payment-service consumes (auth-service/src/events/auth-events.ts and
 * user-snapshot.ts). The names are the contract; a service never imports another, so they are
 * spelled here again.
 */
export const USER_EVENTS = {
  Registered: 'user.registered',
  StatusChanged: 'user.status_changed',
  Snapshot: 'user.snapshot',
  BackfillRequested: 'users.backfill_requested',
  BackfillCompleted: 'users.backfill_completed',
} as const;

type Data = Record<string, unknown>;

/** The instant auth-service wrote the fact; events from before the payload carried it fall back to the envelope's. */
function writtenAt(event: IntegrationEvent, field: string): number {
  const stamp = (event.data as Data | null)?.[field];
  const parsed = typeof stamp === 'string' ? Date.parse(stamp) : Number.NaN;
  return Number.isNaN(parsed) ? Date.parse(event.occurredAt) : parsed;
}

function text(data: Data, field: string): string | null {
  return typeof data[field] === 'string' ? data[field] : null;
}

/** The fact an auth event states about a user; null for an event that names no user or carries no usable status. */
export function toUserFact(event: IntegrationEvent): UserFact | null {
  if (event.userId === null) return null;
  const data = (event.data ?? {}) as Data;
  const who = { tenantId: event.tenantId, userId: event.userId };
  switch (event.type) {
    case USER_EVENTS.Registered: {
      // Older registrations carried no status: a new account is active.
      const status = data['status'] ?? 'active';
      if (!isProjectedStatus(status)) return null;
      return { kind: 'registered', ...who, at: writtenAt(event, 'createdAt'), email: text(data, 'email'), displayName: text(data, 'displayName'), status };
    }
    case USER_EVENTS.Snapshot: {
      if (!isProjectedStatus(data['status'])) return null;
      return { kind: 'snapshot', ...who, at: writtenAt(event, 'updatedAt'), email: text(data, 'email'), displayName: text(data, 'displayName'), status: data['status'] };
    }
    case USER_EVENTS.StatusChanged: {
      if (!isProjectedStatus(data['to'])) return null;
      return { kind: 'status', ...who, at: writtenAt(event, 'updatedAt'), status: data['to'] };
    }
    default:
      return null;
  }
}

/**
 * Keeps the projection current: each user event is applied in the transaction that records it
 * as processed (exactly once per event id), and the fact's own ordering makes re-applying or
 * late arrival harmless beyond that.
 */
export function registerUserProjection(events: EventBus, store: UserProjectionStore): void {
  for (const type of [USER_EVENTS.Registered, USER_EVENTS.StatusChanged, USER_EVENTS.Snapshot]) {
    events.on(
      type,
      async (event, { session }) => {
        const fact = toUserFact(event);
        if (fact !== null) await store.apply(fact, session);
      },
      { name: `users-projection:${type}` },
    );
  }
  events.on<{ backfillId?: unknown; users?: unknown }>(
    USER_EVENTS.BackfillCompleted,
    async (event, { session }) => {
      if (typeof event.data.backfillId !== 'string') return;
      await store.markBackfillCompleted(event.data.backfillId, typeof event.data.users === 'number' ? event.data.users : 0, new Date(), session);
    },
    { name: 'users-projection:backfill-completed' },
  );
}
