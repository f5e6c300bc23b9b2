import type { IntegrationEvent } from './integration-event.js';
import type { EmitOptions, EventBus, WebhookEventDispatcher } from './event-bus.js';
import { getEventBus } from './default-event-bus.js';

export type UnifiedEmitOptions = Omit<EmitOptions, 'dispatchWebhooks'>;

export interface UnifiedEmitter {
  /**
   * Emits the integration event and delivers it to the tenant's webhooks under the same id.
   * With `options.session` both wait for the commit: the relay publishes the event and then
   * dispatches the webhooks, so an aborted transaction reaches neither consumers nor tenants.
   */
  emit<TData>(type: string, tenantId: string, userId: string | null | undefined, data: TData, options?: UnifiedEmitOptions): Promise<IntegrationEvent<TData>>;
  /** The brief's short form: tenant and user are read from `data.tenantId` / `data.userId`. */
  emit<TData extends { tenantId: string; userId?: string | null }>(type: string, data: TData, options?: UnifiedEmitOptions): Promise<IntegrationEvent<TData>>;
}

export function createUnifiedEmitter(webhookManager: WebhookEventDispatcher, bus: EventBus = getEventBus()): UnifiedEmitter {
  bus.attachWebhooks(webhookManager);
  const emit = (type: string, ...rest: unknown[]): Promise<IntegrationEvent<unknown>> => {
    if (typeof rest[0] === 'string') {
      const [tenantId, userId, data, options] = rest as [string, string | null | undefined, unknown, UnifiedEmitOptions | undefined];
      return bus.emit(type, tenantId, userId, data, { ...options, dispatchWebhooks: true });
    }
    const [data, options] = rest as [{ tenantId?: unknown; userId?: unknown } | undefined, UnifiedEmitOptions | undefined];
    if (typeof data?.tenantId !== 'string') throw new TypeError('emit(type, data) needs data.tenantId');
    const userId = typeof data.userId === 'string' ? data.userId : null;
    return bus.emit(type, data.tenantId, userId, data, { ...options, dispatchWebhooks: true });
  };
  return { emit: emit as UnifiedEmitter['emit'] };
}
