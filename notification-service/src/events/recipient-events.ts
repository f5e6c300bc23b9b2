import { randomUUID } from 'node:crypto';
import type { ClientSession } from 'mongodb';
import type { EventBus, IntegrationEvent } from 'core-service';
import type { NotificationDeps } from '../deps.js';
import type { RecipientDocument } from '../store/documents.js';

interface UserData {
  email?: string | null;
  phone?: string | null;
  displayName?: string | null;
  status?: string;
  to?: string;
  createdAt?: string;
  updatedAt?: string;
}

/**
 * notification-service's read model of users (where to send, what to call them), from
 * auth-service's events. Each write is conditional on being newer than what is stored, so
 * redeliveries and a backfill racing live events change nothing.
 */
export function registerRecipientEventHandlers(bus: EventBus, deps: NotificationDeps): void {
  bus.on<UserData>('user.registered', (event, { session }) => upsertRecipient(deps, event, event.data, event.data.createdAt ?? event.occurredAt, session), { name: 'recipients-registered' });
  bus.on<UserData>('user.snapshot', (event, { session }) => upsertRecipient(deps, event, event.data, event.data.updatedAt ?? event.occurredAt, session), { name: 'recipients-snapshot' });
  bus.on<UserData>(
    'user.status_changed',
    (event, { session }) => upsertRecipient(deps, event, event.data.to !== undefined ? { status: event.data.to } : {}, event.data.updatedAt ?? event.occurredAt, session),
    { name: 'recipients-status' },
  );
}

async function upsertRecipient(deps: NotificationDeps, event: IntegrationEvent<unknown>, data: UserData, at: string, session: ClientSession | undefined): Promise<void> {
  if (event.userId === null) return;
  const updatedAt = new Date(at);
  const fields: Partial<RecipientDocument> = {
    ...(data.email !== undefined ? { email: data.email } : {}),
    ...(data.phone !== undefined ? { phone: data.phone } : {}),
    ...(data.displayName !== undefined ? { displayName: data.displayName } : {}),
    ...(data.status !== undefined ? { status: data.status } : {}),
  };
  const options = session ? { session } : {};
  const recipients = deps.store.recipients;
  const existing = await recipients.findOne({ _id: event.userId }, options);
  if (existing === null) {
    await recipients.insertOne({ _id: event.userId, tenantId: event.tenantId, email: null, phone: null, displayName: null, status: 'active', ...fields, updatedAt }, options);
    return;
  }
  if (existing.updatedAt > updatedAt) return;
  await recipients.updateOne({ _id: event.userId }, { $set: { ...fields, updatedAt } }, options);
}

/**
 * An empty read model (first start next to existing users) asks auth-service for a snapshot of
 * every user, answered with `user.snapshot` events. Called once the consumer group exists.
 */
export async function requestRecipientsBackfillIfEmpty(bus: EventBus, deps: NotificationDeps): Promise<boolean> {
  if ((await deps.store.recipients.estimatedDocumentCount()) > 0) return false;
  await bus.emit('users.backfill_requested', 'platform', null, { backfillId: randomUUID(), tenantId: null });
  return true;
}
