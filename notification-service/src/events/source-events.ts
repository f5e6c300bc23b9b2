import type { EventBus } from 'core-service';
import type { NotificationDeps } from '../deps.js';
import { EVENT_RULES, intentsFor } from '../domain/catalog.js';
import { createNotification } from '../delivery/create-notification.js';

/**
 * Subscribes to every event the catalog has a rule for. The handler's writes commit with the
 * bus's processed-event record (exactly once per event), and the notification's dedupe key
 * (event id, type, recipient) is the second guard: a redelivered event gives no second message.
 */
export function registerSourceEventHandlers(bus: EventBus, deps: NotificationDeps): void {
  for (const type of Object.keys(EVENT_RULES)) {
    bus.on<Record<string, unknown>>(
      type,
      async (event, { session }) => {
        if (session === undefined) throw new Error('notification handlers run in a transaction');
        for (const intent of intentsFor(event)) {
          await createNotification(deps, { tenantId: event.tenantId, intent, sourceId: event.id }, session);
        }
      },
      { name: `notify-${type}` },
    );
  }
}
