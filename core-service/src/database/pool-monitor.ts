import type { ConnectionCheckOutFailedEvent, ConnectionPoolCreatedEvent, ConnectionPoolMonitoringEvent, MongoClient } from 'mongodb';

/**
 * Pool statistics built from the driver's CMAP monitoring events. The driver exposes no public
 * pool counters, and reading `client.topology.s.pool` breaks on driver upgrades, so the counts
 * are kept from the events the driver promises to emit.
 */
export interface ConnectionPoolStats {
  /** Open connections (created and not yet closed), over every server. */
  totalConnections: number;
  /** Connections lent to an operation right now. */
  checkedOut: number;
  availableConnections: number;
  /** Operations waiting for a connection right now. */
  waitQueueSize: number;
  /** Check-outs that failed because `waitQueueTimeoutMS` elapsed: the pool was exhausted. */
  waitQueueTimeouts: number;
  checkOutFailures: number;
  connectionsCreated: number;
  connectionsClosed: number;
  totalCheckOuts: number;
  /** Pool clears (a server was marked unknown; its connections were dropped). */
  poolClears: number;
  /** Servers with an open pool. */
  pools: number;
  /** `maxPoolSize` the pools were created with (per server; 0 means unlimited). */
  maxPoolSize: number;
  averageCheckOutMs: number;
}

export type PoolHealthLevel = 'healthy' | 'warning' | 'critical';

export interface PoolHealthStatus {
  status: PoolHealthLevel;
  utilizationPercent: number;
  message: string;
}

interface ServerPoolCounters {
  maxPoolSize: number;
  open: number;
  checkedOut: number;
  waiting: number;
}

class PoolTracker {
  readonly servers = new Map<string, ServerPoolCounters>();
  waitQueueTimeouts = 0;
  checkOutFailures = 0;
  connectionsCreated = 0;
  connectionsClosed = 0;
  totalCheckOuts = 0;
  poolClears = 0;
  checkOutMsTotal = 0;

  server(address: string): ServerPoolCounters {
    let counters = this.servers.get(address);
    if (counters === undefined) {
      counters = { maxPoolSize: 0, open: 0, checkedOut: 0, waiting: 0 };
      this.servers.set(address, counters);
    }
    return counters;
  }

  stats(): ConnectionPoolStats {
    let totalConnections = 0;
    let checkedOut = 0;
    let waitQueueSize = 0;
    let maxPoolSize = 0;
    for (const server of this.servers.values()) {
      totalConnections += server.open;
      checkedOut += server.checkedOut;
      waitQueueSize += server.waiting;
      maxPoolSize = Math.max(maxPoolSize, server.maxPoolSize);
    }
    return {
      totalConnections,
      checkedOut,
      availableConnections: Math.max(0, totalConnections - checkedOut),
      waitQueueSize,
      waitQueueTimeouts: this.waitQueueTimeouts,
      checkOutFailures: this.checkOutFailures,
      connectionsCreated: this.connectionsCreated,
      connectionsClosed: this.connectionsClosed,
      totalCheckOuts: this.totalCheckOuts,
      poolClears: this.poolClears,
      pools: this.servers.size,
      maxPoolSize,
      averageCheckOutMs: this.totalCheckOuts === 0 ? 0 : this.checkOutMsTotal / this.totalCheckOuts,
    };
  }

  /**
   * Utilisation of the busiest server's pool, not the average: an exhausted primary stalls
   * every write even while the secondaries' pools sit idle.
   */
  utilizationPercent(): number {
    let busiest = 0;
    for (const server of this.servers.values()) {
      if (server.maxPoolSize > 0) busiest = Math.max(busiest, server.checkedOut / server.maxPoolSize);
    }
    return Math.round(busiest * 100);
  }
}

const trackers = new WeakMap<MongoClient, PoolTracker>();
/** Clients with at least one open pool; the no-argument statistics sum over these. */
const liveTrackers = new Set<PoolTracker>();

/**
 * Starts counting pool events for `client`. Call before `connect()`, or the pools created while
 * connecting are missed. Calling it twice for one client is harmless.
 */
export function monitorConnectionPool(client: MongoClient): void {
  if (trackers.has(client)) return;
  const tracker = new PoolTracker();
  trackers.set(client, tracker);
  const server = (event: ConnectionPoolMonitoringEvent) => tracker.server(event.address);

  client.on('connectionPoolCreated', (event: ConnectionPoolCreatedEvent) => {
    server(event).maxPoolSize = event.options.maxPoolSize ?? 0;
    liveTrackers.add(tracker);
  });
  client.on('connectionPoolClosed', (event) => {
    tracker.servers.delete(event.address);
    if (tracker.servers.size === 0) liveTrackers.delete(tracker);
  });
  client.on('connectionPoolCleared', () => {
    tracker.poolClears += 1;
  });
  client.on('connectionCreated', (event) => {
    server(event).open += 1;
    tracker.connectionsCreated += 1;
  });
  client.on('connectionClosed', (event) => {
    const counters = tracker.servers.get(event.address);
    if (counters !== undefined) counters.open = Math.max(0, counters.open - 1);
    tracker.connectionsClosed += 1;
  });
  client.on('connectionCheckOutStarted', (event) => {
    server(event).waiting += 1;
  });
  client.on('connectionCheckedOut', (event) => {
    const counters = server(event);
    counters.waiting = Math.max(0, counters.waiting - 1);
    counters.checkedOut += 1;
    tracker.totalCheckOuts += 1;
    tracker.checkOutMsTotal += event.durationMS;
  });
  client.on('connectionCheckOutFailed', (event: ConnectionCheckOutFailedEvent) => {
    const counters = tracker.servers.get(event.address);
    if (counters !== undefined) counters.waiting = Math.max(0, counters.waiting - 1);
    tracker.checkOutFailures += 1;
    if (event.reason === 'timeout') tracker.waitQueueTimeouts += 1;
  });
  client.on('connectionCheckedIn', (event) => {
    const counters = tracker.servers.get(event.address);
    if (counters !== undefined) counters.checkedOut = Math.max(0, counters.checkedOut - 1);
  });
}

function sumStats(all: ConnectionPoolStats[]): ConnectionPoolStats {
  const total = new PoolTracker().stats();
  let checkOutMsTotal = 0;
  for (const stats of all) {
    for (const key of Object.keys(total) as Array<keyof ConnectionPoolStats>) {
      if (key === 'maxPoolSize') total.maxPoolSize = Math.max(total.maxPoolSize, stats.maxPoolSize);
      else if (key !== 'averageCheckOutMs') total[key] += stats[key];
    }
    checkOutMsTotal += stats.averageCheckOutMs * stats.totalCheckOuts;
  }
  total.averageCheckOutMs = total.totalCheckOuts === 0 ? 0 : checkOutMsTotal / total.totalCheckOuts;
  return total;
}

/**
 * Pool statistics of one monitored client, or summed over every monitored client of the process
 * when called without one (the brief's `getConnectionPoolStats()`).
 */
export function getConnectionPoolStats(client?: MongoClient): ConnectionPoolStats {
  if (client !== undefined) return (trackers.get(client) ?? new PoolTracker()).stats();
  return sumStats([...liveTrackers].map((tracker) => tracker.stats()));
}

export const POOL_WARNING_PERCENT = 80;
export const POOL_CRITICAL_PERCENT = 95;

export function getPoolHealthStatus(client?: MongoClient): PoolHealthStatus {
  const selected = client !== undefined ? [trackers.get(client)].filter((t) => t !== undefined) : [...liveTrackers];
  const utilizationPercent = Math.max(0, ...selected.map((tracker) => tracker.utilizationPercent()));
  if (utilizationPercent > POOL_CRITICAL_PERCENT) {
    return { status: 'critical', utilizationPercent, message: `Pool nearly exhausted (>${POOL_CRITICAL_PERCENT}%)` };
  }
  if (utilizationPercent > POOL_WARNING_PERCENT) {
    return { status: 'warning', utilizationPercent, message: `High pool utilization (>${POOL_WARNING_PERCENT}%)` };
  }
  return { status: 'healthy', utilizationPercent, message: 'Pool healthy' };
}
