import { createIntegrationEvent, type EventBus, type IntegrationEvent } from 'core-service';
import type { UsersStore } from '../store/users-store.js';
import { AUTH_EVENTS } from './auth-events.js';

/**
 * The backfill responder. A service keeping a read model of users (payment-service) asks with
 * `users.backfill_requested` when its model is empty or behind; auth-service answers on the
 * same stream with one `user.snapshot` per user (its state and the instant it was last
 * written, so the consumer can order it against live events) and a closing
 * `users.backfill_completed`. Events rather than an HTTP endpoint: services talk through events.
 *
 * At least once: a crash mid-answer leaves the request pending, another instance re-claims it
 * and answers again from the start; snapshots are idempotent for the consumer.
 */
export interface BackfillRequestedData {
  backfillId: string;
  /** One tenant, or null for every tenant. */
  tenantId: string | null;
}

export interface UserSnapshotData {
  backfillId: string;
  email: string;
  phone: string | null;
  displayName: string | null;
  status: string;
  /** When the user record was last written: the snapshot is its state as of then. */
  updatedAt: string;
}

export const BACKFILL_EVENTS = {
  Requested: 'users.backfill_requested',
  Completed: 'users.backfill_completed',
} as const;

/** Published in pages: one round trip per page, without holding every user in memory. */
const PAGE_SIZE = 500;

export async function startUserSnapshotResponder(events: EventBus, users: UsersStore): Promise<void> {
  events.on<BackfillRequestedData>(
    BACKFILL_EVENTS.Requested,
    async (request) => {
      const { backfillId, tenantId } = request.data;
      const filter = tenantId === null ? {} : { tenantId };
      let page: IntegrationEvent<UserSnapshotData>[] = [];
      let count = 0;
      for await (const user of users.collection
        .find(filter, { projection: { _id: 0, passwordHash: 0 } })
        .sort({ id: 1 })
        .batchSize(PAGE_SIZE)) {
        page.push(
          createIntegrationEvent<UserSnapshotData>({
            type: AUTH_EVENTS.UserSnapshot,
            tenantId: user.tenantId,
            userId: user.id,
            data: { backfillId, email: user.email, phone: user.phone ?? null, displayName: user.displayName, status: user.status, updatedAt: user.updatedAt.toISOString() },
            correlationId: request.correlationId,
          }),
        );
        count += 1;
        if (page.length === PAGE_SIZE) {
          await events.publish(page);
          page = [];
        }
      }
      await events.publish(page);
      await events.emit(BACKFILL_EVENTS.Completed, request.tenantId, null, { backfillId, tenantId, users: count }, { correlationId: request.correlationId ?? backfillId });
    },
    // Reads and publishes only; nothing to commit with the processed-event record.
    { name: 'user-snapshot', transaction: false },
  );
  // The relay as well: events a crashed instance committed go out at boot, not at the next emit.
  await events.start();
}
