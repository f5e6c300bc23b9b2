import type { MongoClient } from 'mongodb';
import { Gauge, type Registry } from 'prom-client';
import { getConnectionPoolStats } from '../database/pool-monitor.js';
import { counterFromTotals } from './scrape-snapshot.js';

/**
 * The MongoDB connection pool of `client`, read at scrape time from the CMAP-event counters of
 * `monitorConnectionPool` (which `connectMongo` and the service accessor turn on). Summed over
 * the client's servers.
 */
export function registerPoolMetrics(registry: Registry, client: MongoClient): void {
  new Gauge({
    name: 'mongodb_pool_connections',
    help: 'Open MongoDB connections by state: in_use (checked out) or available (idle in the pool)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const stats = getConnectionPoolStats(client);
      this.set({ state: 'in_use' }, stats.checkedOut);
      this.set({ state: 'available' }, stats.availableConnections);
    },
  });
  new Gauge({
    name: 'mongodb_pool_wait_queue_size',
    help: 'Operations waiting for a MongoDB connection right now',
    registers: [registry],
    collect() {
      this.set(getConnectionPoolStats(client).waitQueueSize);
    },
  });
  new Gauge({
    name: 'mongodb_pool_max_size',
    help: 'maxPoolSize of the pools (per server)',
    registers: [registry],
    collect() {
      this.set(getConnectionPoolStats(client).maxPoolSize);
    },
  });
  counterFromTotals({ name: 'mongodb_pool_checkout_timeouts_total', help: 'Connection check-outs that waited past waitQueueTimeoutMS (pool exhausted)', registers: [registry] }, () => [
    [{}, getConnectionPoolStats(client).waitQueueTimeouts],
  ]);
}
