import type { Redis } from 'ioredis';
import type { MongoClient } from 'mongodb';

export interface HealthCheckResult {
  healthy: boolean;
  latencyMs?: number;
  details?: Record<string, unknown>;
  error?: string;
}

/** May answer synchronously (a flag) or asynchronously (a ping). */
export type HealthCheckFn = () => Promise<HealthCheckResult | boolean> | HealthCheckResult | boolean;

/** PING on a Redis connection; a down connection answers at once (no offline queue). */
export function redisHealthCheck(client: Redis): HealthCheckFn {
  return async () => {
    const started = performance.now();
    await client.ping();
    return { healthy: true, latencyMs: round(performance.now() - started), details: { status: client.status } };
  };
}

/** `ping` on the admin database. */
export function mongoHealthCheck(client: MongoClient): HealthCheckFn {
  return async () => {
    const started = performance.now();
    await client.db('admin').command({ ping: 1 });
    return { healthy: true, latencyMs: round(performance.now() - started) };
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
