import { Counter, Gauge, type Registry } from 'prom-client';
import { createServiceMetricsCatalog } from 'core-service';
import type { Channel, DeliveryStatus } from './domain/channels.js';

/**
 * notification-service's own metrics on its server's registry: delivery outcomes by channel,
 * provider breakers and queue depths (read when scraped).
 */
export class NotificationMetrics {
  readonly #deliveries: Counter<'channel' | 'status'>;

  constructor(registry: Registry, sources: { breakerStates: () => Record<string, string>; queueDepths: () => Promise<Record<string, number>> }) {
    this.#deliveries = new Counter({ name: 'notification_deliveries_total', help: 'Deliveries reaching a status, by channel', labelNames: ['channel', 'status'] as const, registers: [registry] });
    new Gauge({
      name: 'notification_provider_breaker_open',
      help: "1 while the provider's circuit breaker refuses sends (open), 0.5 half-open, 0 closed",
      labelNames: ['provider'] as const,
      registers: [registry],
      collect() {
        for (const [provider, state] of Object.entries(sources.breakerStates())) this.set({ provider }, state === 'open' ? 1 : state === 'half-open' ? 0.5 : 0);
      },
    });
    new Gauge({
      name: 'notification_queue_depth',
      help: "Jobs on a channel's delivery queue (waiting, delayed, active)",
      labelNames: ['channel'] as const,
      registers: [registry],
      async collect() {
        for (const [channel, depth] of Object.entries(await sources.queueDepths())) this.set({ channel }, depth);
      },
    });
  }

  delivery(channel: Channel, status: DeliveryStatus): void {
    this.#deliveries.inc({ channel, status });
  }
}

/** Every metric notification-service serves on `/metrics`, registered on idle sources (dashboards, alert rules). */
export function notificationMetricsCatalog(): Registry {
  return createServiceMetricsCatalog('notification-service', (registry) => new NotificationMetrics(registry, { breakerStates: () => ({}), queueDepths: async () => ({}) }));
}
