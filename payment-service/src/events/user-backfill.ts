import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { getLogger, type EventBus } from 'core-service';
import { backfillReason, type ProjectionHealth } from '../domain/user-projection.js';
import type { UserProjectionStore } from '../store/user-projection-store.js';
import { USER_EVENTS } from './user-events.js';

/** Where the boot-time request goes when it is about every tenant (the envelope needs one). */
export const ALL_TENANTS = 'platform';

/**
 * Rebuilds the users projection from auth-service's snapshot: publishes
 * `users.backfill_requested`, auth-service answers with `user.snapshot` events that the
 * projection applies like any other user event (ordered by the instant each was written, so a
 * snapshot never undoes a newer live change). Payment-service never calls auth-service.
 */
export class UserBackfill {
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: { events: EventBus; redis: Redis; store: UserProjectionStore }) {}

  /**
   * What decides whether the projection is behind. Read before the consumer group is joined:
   * joining creates the group, which would hide that it had been lost.
   */
  async health(): Promise<ProjectionHealth> {
    const { events, redis, store } = this.options;
    const [projectedUsers, state] = await Promise.all([store.count(), store.backfillState()]);
    let groupLastDeliveredId: string | null = null;
    let streamMaxDeletedId: string | null = null;
    try {
      const groups = (await redis.xinfo('GROUPS', events.streamKey)) as unknown[][];
      for (const group of groups) {
        const fields = pairs(group);
        if (fields.get('name') === events.serviceName) groupLastDeliveredId = String(fields.get('last-delivered-id'));
      }
      const stream = pairs((await redis.xinfo('STREAM', events.streamKey)) as unknown[]);
      const maxDeleted = stream.get('max-deleted-entry-id');
      // Redis < 7 does not report trimming; a gap then shows only as a lost group.
      if (typeof maxDeleted === 'string' && maxDeleted !== '0-0') streamMaxDeletedId = maxDeleted;
    } catch (error) {
      // No stream yet: no group either, and nothing was trimmed.
      if (!(error instanceof Error && /no such key/i.test(error.message))) throw error;
    }
    return { projectedUsers, groupLastDeliveredId, streamMaxDeletedId, hasUnfinishedBackfill: state?.pendingBackfillId != null };
  }

  /** Asks auth-service for a snapshot of one tenant's users, or of every tenant's. Returns the backfill's id. */
  async request(tenantId: string | null): Promise<string> {
    const backfillId = randomUUID();
    await this.options.store.markBackfillRequested(backfillId, tenantId, new Date());
    await this.options.events.emit(USER_EVENTS.BackfillRequested, tenantId ?? ALL_TENANTS, null, { backfillId, tenantId });
    return backfillId;
  }

  /**
   * Asks again when the last request has gone unanswered for `olderThanMs`: auth-service was
   * down, or its consumer group did not exist yet when the request was published (a group
   * starts at the stream's end). Returns the new backfill's id, or null when nothing is pending.
   */
  async retryIfUnanswered(olderThanMs: number, now = Date.now()): Promise<string | null> {
    const state = await this.options.store.backfillState();
    if (state?.pendingBackfillId == null || state.requestedAt === null || now - state.requestedAt.getTime() < olderThanMs) return null;
    return this.request(state.pendingTenantId ?? null);
  }

  /** Checks every `everyMs` for an unanswered request (one timer per instance; a duplicate request is harmless). */
  startRetrying(everyMs: number): void {
    if (this.#timer !== undefined || everyMs <= 0) return;
    this.#timer = setInterval(() => {
      this.retryIfUnanswered(everyMs).catch((error: unknown) => getLogger('payment-service').warn({ err: error }, 'users backfill retry failed'));
    }, everyMs);
    this.#timer.unref();
  }

  stopRetrying(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The start-up check: asks for every tenant's users when the projection is empty or behind. */
  async requestIfBehind(health: ProjectionHealth): Promise<string | null> {
    const reason = backfillReason(health);
    if (reason === null) return null;
    const backfillId = await this.request(null);
    getLogger('payment-service').info({ reason, backfillId, projectedUsers: health.projectedUsers }, 'users projection behind: backfill requested');
    return backfillId;
  }
}

/** XINFO answers as flat [name, value, ...] lists. */
function pairs(flat: unknown[]): Map<string, unknown> {
  const map = new Map<string, unknown>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), flat[i + 1]);
  return map;
}
