/**
 * payment-service's read model of auth-service's users: what money rules need to know about a
 * party (tenant, status) and what `lookupRecipient` may reveal (id, display name), built only
 * from auth-service's integration events. Pure: the store reads and writes, these rules decide.
 *
 * Events arrive at least once and, across retries and instances, out of order. Each field group
 * therefore carries the instant auth-service wrote it (`statusAt`, `profileAt`), and an event
 * changes a group only when it is strictly newer: a redelivery is a no-op, and a late `active`
 * cannot undo a later suspension.
 */

export const USER_STATUSES = ['active', 'suspended', 'locked'] as const;
export type ProjectedStatus = (typeof USER_STATUSES)[number];

export interface ProjectedUser {
  userId: string;
  tenantId: string;
  email: string | null;
  /** The lookup key of `email` (see `emailKey`). */
  emailKey: string | null;
  displayName: string | null;
  status: ProjectedStatus;
  /** Epoch ms at which auth-service set `status`. */
  statusAt: number;
  /** Epoch ms at which auth-service set `email` / `displayName`; 0 while only the status is known. */
  profileAt: number;
}

/**
 * One fact about a user, as read from an event. `registered` and `snapshot` carry the whole
 * user; `status` only the new status. `at` is when auth-service wrote the fact.
 */
export type UserFact =
  | { kind: 'registered' | 'snapshot'; tenantId: string; userId: string; at: number; email: string | null; displayName: string | null; status: ProjectedStatus }
  | { kind: 'status'; tenantId: string; userId: string; at: number; status: ProjectedStatus };

/** Email lookups match as auth-service's unique index does: trimmed, NFC, lower case. */
export function emailKey(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

export function isProjectedStatus(value: unknown): value is ProjectedStatus {
  return typeof value === 'string' && (USER_STATUSES as readonly string[]).includes(value);
}

/**
 * The user after `fact`, or null when the fact changes nothing (already applied, older than what
 * is known, or about another tenant's record under the same id, which auth-service never emits).
 */
export function applyUserFact(current: ProjectedUser | null, fact: UserFact): ProjectedUser | null {
  if (current !== null && current.tenantId !== fact.tenantId) return null;
  const base: ProjectedUser = current ?? {
    userId: fact.userId,
    tenantId: fact.tenantId,
    email: null,
    emailKey: null,
    displayName: null,
    // A status change seen before the registration still says the account exists.
    status: 'active',
    statusAt: 0,
    profileAt: 0,
  };
  let next = base;
  if (fact.at > base.statusAt) next = { ...next, status: fact.status, statusAt: fact.at };
  if (fact.kind !== 'status' && fact.at > base.profileAt) {
    next = { ...next, email: fact.email, emailKey: fact.email === null ? null : emailKey(fact.email), displayName: fact.displayName, profileAt: fact.at };
  }
  return current !== null && next === base ? null : next;
}

/** Why a party may not take part in a movement; null when it may. */
export type PartyRefusal = 'not_found' | 'inactive';

/**
 * A recipient must be a user payment-service knows in the caller's tenant and active. A user of
 * another tenant reads as not found, like an unknown id: a tenant's users must not learn which
 * ids exist elsewhere.
 */
export function refuseRecipient(user: ProjectedUser | null, tenantId: string): PartyRefusal | null {
  if (user === null || user.tenantId !== tenantId) return 'not_found';
  return user.status === 'active' ? null : 'inactive';
}

/** A sender must be known and active: a suspended or locked account moves no money out. */
export function refuseSender(user: ProjectedUser | null, tenantId: string): PartyRefusal | null {
  return refuseRecipient(user, tenantId);
}

/** What `lookupRecipient` reveals: id and display name, nothing else (no status, no email). */
export function toRecipient(user: ProjectedUser | null, tenantId: string): { id: string; displayName: string | null } | null {
  if (user === null || user.tenantId !== tenantId || user.status !== 'active') return null;
  return { id: user.userId, displayName: user.displayName };
}

/** Stream ids `<ms>-<seq>` compared numerically (string order breaks at a new digit count). */
export function compareStreamIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split('-').map((part) => BigInt(part));
  const [bMs = 0n, bSeq = 0n] = b.split('-').map((part) => BigInt(part));
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  if (aSeq !== bSeq) return aSeq < bSeq ? -1 : 1;
  return 0;
}

export interface ProjectionHealth {
  projectedUsers: number;
  /** The stream position payment-service's consumer group has read up to; null when the group does not exist. */
  groupLastDeliveredId: string | null;
  /** The newest entry trimming (or XDEL) removed from the stream (`max-deleted-entry-id`); null when unknown. */
  streamMaxDeletedId: string | null;
  /** Whether a backfill was requested and its completion never arrived. */
  hasUnfinishedBackfill: boolean;
}

/**
 * Whether the projection must be rebuilt from auth-service's snapshot at start-up:
 * - empty (a new deployment, or a wiped database);
 * - the consumer group is gone while users are projected (Redis lost its stream): events of the
 *   gap are unrecoverable from the stream;
 * - the group's position is older than the newest entry trimming removed: an entry it never read
 *   is gone (comparing with the stream's first entry would also flag unread entries that are
 *   still there);
 * - a previous backfill never completed.
 */
export function backfillReason(health: ProjectionHealth): 'empty' | 'group_lost' | 'stream_gap' | 'unfinished' | null {
  if (health.projectedUsers === 0) return 'empty';
  if (health.groupLastDeliveredId === null) return 'group_lost';
  if (health.streamMaxDeletedId !== null && compareStreamIds(health.groupLastDeliveredId, health.streamMaxDeletedId) < 0) return 'stream_gap';
  if (health.hasUnfinishedBackfill) return 'unfinished';
  return null;
}
