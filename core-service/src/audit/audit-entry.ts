import type { ObjectId } from 'mongodb';

/** What an entry is about: money moved, an admin changed something, or a security event. */
export type AuditCategory = 'money' | 'admin' | 'security';
export type AuditOutcome = 'success' | 'failure';

/** Who did it. `service`: a service acting on its own (event handlers, jobs); `anonymous`: before sign-in (failed logins). */
export interface AuditActor {
  type: 'user' | 'service' | 'system' | 'anonymous';
  id: string | null;
  sessionId?: string | null;
}

export interface AuditResource {
  type: string;
  id: string;
}

/** What a caller gives `AuditTrail.record`; the trail adds time, service, correlation and trace ids. */
export interface AuditEvent {
  tenantId: string;
  category: AuditCategory;
  /** Dotted verb, past tense: `transfer.created`, `config.set`, `auth.login.failed`. */
  action: string;
  resource: AuditResource;
  /** Defaults to the request's user (correlation context), else `system`. */
  actor?: AuditActor;
  outcome?: AuditOutcome;
  /** State before and after the change, where it applies; secrets masked by the caller. */
  before?: unknown;
  after?: unknown;
  /** Anything else worth keeping (amount, currency, reason, client address). */
  data?: Record<string, unknown>;
}

/**
 * A document of `core_service.audit_log`. Written with `pending: true` in the transaction of the
 * change; the sealer then gives it its place in the tenant's chain (`seq`, `prevHash`, `hash`)
 * and removes `pending`. Nothing else ever updates or deletes an entry (retention prunes whole
 * chain prefixes and records the anchor it keeps).
 */
export interface AuditEntryDocument {
  _id: ObjectId;
  tenantId: string;
  at: Date;
  service: string;
  category: AuditCategory;
  action: string;
  outcome: AuditOutcome;
  actor: AuditActor;
  resource: AuditResource;
  before?: unknown;
  after?: unknown;
  data?: Record<string, unknown>;
  correlationId: string | null;
  traceId: string | null;
  pending?: true;
  seq?: number;
  prevHash?: string;
  hash?: string;
}

/** Per tenant: the last sealed link, and the link retention kept when it pruned older entries. */
export interface AuditChainHeadDocument {
  _id: string;
  seq: number;
  hash: string;
  updatedAt: Date;
  /** Entries up to `anchor.seq` were pruned; verification starts after it. */
  anchor?: { seq: number; hash: string; prunedAt: Date };
}

export const AUDIT_LOG_COLLECTION = 'audit_log';
export const AUDIT_CHAIN_HEADS_COLLECTION = 'audit_chain_heads';
/** `prevHash` of a tenant's first entry. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);
