import { Gauge, type Registry } from 'prom-client';
import type { EventBus, EventBusStats } from '../events/event-bus.js';
import { getLogger } from '../logger/logger.js';
import { perScrape } from './scrape-snapshot.js';

/**
 * The event bus as operations watch it, read when scraped from `bus.getStats()` (one XINFO
 * GROUPS, one XLEN, one count and one indexed find on the outbox per scrape, shared by the five
 * gauges): the outbox backlog and its age, the consumer group's lag and pending entries, the
 * dead-letter stream's length. A failed read (Redis or MongoDB down) sets them to NaN instead of
 * failing `/metrics` or repeating a stale value: a gap on the dashboard, no false "all drained".
 */
export function registerEventBusMetrics(registry: Registry, bus: Pick<EventBus, 'getStats'>, options: { maxAgeMs?: number } = {}): void {
  const stats = perScrape(() => bus.getStats(), options.maxAgeMs);
  const gauge = (name: string, help: string, value: (s: EventBusStats) => number | null): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        let current: EventBusStats;
        try {
          current = await stats();
        } catch (error) {
          getLogger().debug({ err: error, metric: name }, 'event bus stats unavailable for /metrics');
          this.set(Number.NaN);
          return;
        }
        // Lag is null on Redis before 7 (no `lag` field in XINFO GROUPS): unknown, not zero.
        this.set(value(current) ?? Number.NaN);
      },
    });
  };
  gauge('outbox_pending_entries', 'Committed outbox entries not yet published', (s) => s.outboxPending);
  gauge('outbox_oldest_pending_age_seconds', 'Age of the oldest unpublished outbox entry (0 when none): the outbox lag', (s) => s.oldestOutboxPendingMs / 1000);
  gauge('event_consumer_lag_entries', "Stream entries not yet delivered to this service's consumer group (XINFO GROUPS lag)", (s) => s.lag);
  gauge('event_consumer_pending_entries', "Entries delivered to this service's consumer group and not yet acknowledged", (s) => s.pending);
  gauge('event_dead_letter_entries', "Entries in this service's dead-letter stream", (s) => s.deadLetters);
}
