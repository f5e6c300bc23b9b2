import { Gauge, type Registry } from 'prom-client';
import { getLogger } from '../logger/logger.js';

/** What the metrics read of a BullMQ queue (a `Queue` fits). */
export interface QueueCountsSource {
  readonly name: string;
  getJobCounts(...types: QueueJobState[]): Promise<Record<string, number>>;
}

export type QueueJobState = 'waiting' | 'active' | 'delayed' | 'prioritized' | 'failed';

const STATES: QueueJobState[] = ['waiting', 'active', 'delayed', 'prioritized', 'failed'];

/**
 * `queue_jobs{queue, state}`: BullMQ jobs by state, read when scraped (one pipelined round trip
 * per queue). `queues` is a function because some queues are created at start-up, after the
 * metrics; undefined entries (a queue not started here) are skipped. A queue whose Redis does
 * not answer drops out of that scrape instead of failing `/metrics`.
 */
export function registerQueueMetrics(registry: Registry, queues: () => Iterable<QueueCountsSource | undefined>): void {
  new Gauge({
    name: 'queue_jobs',
    help: 'BullMQ jobs by queue and state (waiting, active, delayed, prioritized, failed)',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const present = [...queues()].filter((queue): queue is QueueCountsSource => queue !== undefined);
      const counts = await Promise.all(
        present.map((queue) =>
          queue.getJobCounts(...STATES).catch((error: unknown) => {
            getLogger().debug({ err: error, queue: queue.name }, 'queue counts unavailable for /metrics');
            return undefined;
          }),
        ),
      );
      for (const [index, queue] of present.entries()) {
        const byState = counts[index];
        if (byState === undefined) continue;
        for (const state of STATES) this.set({ queue: queue.name, state }, byState[state] ?? 0);
      }
    },
  });
}
