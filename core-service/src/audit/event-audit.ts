import type { ClientSession } from 'mongodb';
import type { IntegrationEvent } from '../events/integration-event.js';
import type { AuditEvent } from './audit-entry.js';
import type { AuditTrail } from './audit-trail.js';

/** How one event type reads as an audit entry; `null` skips that event. `tenantId` defaults to the event's. */
export type AuditRule = (event: IntegrationEvent) => (Omit<AuditEvent, 'tenantId'> & { tenantId?: string }) | null;

/** What the event bus calls for every event it emits (structural, so events do not import audit). */
export interface EventAuditor {
  record(event: IntegrationEvent, session: ClientSession | undefined): Promise<void>;
}

/**
 * Audit entries derived from the events a service already emits for each change: an event
 * written to the outbox in a transaction gets its audit entry in the same transaction, so
 * services audit by declaring which events matter and how they read, not by a second write at
 * every call site that can be forgotten.
 */
export function createEventAuditor(trail: AuditTrail, rules: Readonly<Record<string, AuditRule>>): EventAuditor {
  return {
    async record(event, session) {
      const rule = rules[event.type];
      if (rule === undefined) return;
      const entry = rule(event);
      if (entry === null) return;
      await trail.record({ ...entry, tenantId: entry.tenantId ?? event.tenantId }, session !== undefined ? { session } : {});
    },
  };
}
