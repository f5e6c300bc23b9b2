import type { ClientSession } from 'mongodb';
import type { TransferEvent, TransferEventEmitter } from '../wallet/transfer.js';
import type { EventBus } from './event-bus.js';

export interface TransferEventEmitterOptions {
  /** Sees every event inside the movement's transaction before it is written (cache invalidation after commit, counters). */
  observe?: (type: string, tenantId: string, userId: string | null, data: Record<string, unknown>, session: ClientSession) => Promise<void>;
  /** Which event types also go to the tenant's webhooks; default none. */
  dispatchWebhooks?: (type: string) => boolean;
}

/**
 * The emitter a service hands to the money helpers: each event into `bus`'s outbox through the
 * movement's session, and a movement's events together as one outbox insert (`emitAll`).
 */
export function createTransferEventEmitter(bus: EventBus, options: TransferEventEmitterOptions = {}): TransferEventEmitter {
  const { observe, dispatchWebhooks = () => false } = options;
  return Object.assign(
    async (type: string, tenantId: string, userId: string | null, data: Record<string, unknown>, { session }: { session: ClientSession }) => {
      await observe?.(type, tenantId, userId, data, session);
      return bus.emit(type, tenantId, userId, data, { session, dispatchWebhooks: dispatchWebhooks(type) });
    },
    {
      emitAll: async (events: ReadonlyArray<TransferEvent>, { session }: { session: ClientSession }) => {
        if (observe !== undefined) for (const event of events) await observe(event.type, event.tenantId, event.userId, event.data, session);
        return bus.emitAll(
          events.map((event) => ({ ...event, dispatchWebhooks: dispatchWebhooks(event.type) })),
          { session },
        );
      },
    },
  );
}
