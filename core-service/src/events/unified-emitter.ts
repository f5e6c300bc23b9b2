import type { IntegrationEvent } from './integration-event.js';
import type { EmitOptions, EventBus, WebhookEventDispatcher } from './event-bus.js';
import { getEventBus } from './default-event-bus.js';

export interface UnifiedEmitter {
  /**
   * Emits the integration event and delivers it to the tenant's webhooks under the same id.
   * With `options.session` both wait for the commit: the relay publishes the event and then
   * dispatches the webhooks, so an aborted transaction reaches neither consumers nor tenants.
   */
  emit<TData>(
    type: string,
    tenantId: string,
    userId: string | null | undefined,
    data: TData,
    options?: Omit<EmitOptions, 'dispatchWebhooks'>,
  ): Promise<IntegrationEvent<TData>>;
}

export function createUnifiedEmitter(webhookManager: WebhookEventDispatcher, bus: EventBus = getEventBus()): UnifiedEmitter {
  bus.attachWebhooks(webhookManager);
  return {
    emit: (type, tenantId, userId, data, options = {}) => bus.emit(type, tenantId, userId, data, { ...options, dispatchWebhooks: true }),
  };
}
