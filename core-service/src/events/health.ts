import type { Redis } from 'ioredis';
import type { MongoClient } from 'mongodb';
import { mongoHealthCheck, redisHealthCheck, type HealthCheckFn } from '../lifecycle/health-checks.js';
import type { ServiceLifecycle } from '../lifecycle/service-lifecycle.js';
import type { EventBus } from './event-bus.js';

export interface EventBusHealthOptions {
  /** Unhealthy when a committed outbox entry waits longer than this; default 60 s. */
  maxOutboxPendingMs?: number;
}

/**
 * A lifecycle health check for the bus: unhealthy when handlers are registered but the bus is
 * not listening, or when committed outbox entries are not going out (no relay anywhere).
 * Lag and dead letters are reported, not judged: how much is too much is the service's call.
 */
export function eventBusHealthCheck(bus: EventBus, options: EventBusHealthOptions = {}): HealthCheckFn {
  const maxOutboxPendingMs = options.maxOutboxPendingMs ?? 60_000;
  return async () => {
    const stats = await bus.getStats();
    const problems: string[] = [];
    if (stats.subscriptions > 0 && !stats.listening) problems.push('handlers registered but not listening');
    if (stats.oldestOutboxPendingMs > maxOutboxPendingMs) problems.push(`outbox entry pending for ${stats.oldestOutboxPendingMs} ms`);
    return {
      healthy: problems.length === 0,
      details: { ...stats },
      ...(problems.length > 0 ? { error: problems.join('; ') } : {}),
    };
  };
}

/**
 * The readiness checks every subgraph has: MongoDB (critical: it is the source of truth), Redis
 * and the event bus (reported, not critical: money and logins work while Redis is down, README
 * "When Redis is down").
 */
export function addServiceHealthChecks(lifecycle: Pick<ServiceLifecycle, 'addHealthCheck'>, sources: { client: MongoClient; redis: Redis; events: EventBus }): void {
  lifecycle.addHealthCheck('mongo', mongoHealthCheck(sources.client));
  lifecycle.addHealthCheck('redis', redisHealthCheck(sources.redis), { critical: false });
  lifecycle.addHealthCheck('events', eventBusHealthCheck(sources.events), { critical: false });
}
