import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { MetricObjectWithValues, MetricValue, Registry } from 'prom-client';
import { getLogger } from '../logger/logger.js';
import type { CircuitState } from '../resilience/circuit-breaker.js';
import { BREAKER_STATE_VALUES } from '../metrics/breaker-metrics.js';
import type { HealthCheckResult } from './health-checks.js';

/**
 * What one process says about itself every few seconds: its readiness and checks, and the
 * operational gauges its `/metrics` serves (breakers, queues, outbox, consumer group). The admin
 * console's `systemHealth` reads these (system-health.ts): every process of every service in one
 * Redis read, including processes no load balancer would route a probe to, and a process that
 * stopped reporting is visible as stale instead of silently absent.
 */
export interface InstanceHealthReport {
  service: string;
  /** `host:pid` unless given. */
  instance: string;
  startedAt: string;
  reportedAt: string;
  /** How often this instance reports; it is stale after three intervals without a report. */
  intervalMs: number;
  ready: boolean;
  state: string;
  checks: Array<{ name: string; ok: boolean; critical: boolean; latencyMs?: number; error?: string }>;
  breakers: Array<{ name: string; state: CircuitState }>;
  queues: Array<{ name: string; waiting: number; active: number; delayed: number; prioritized: number; failed: number }>;
  /** Absent for a process without an outbox (the gateway), or when it could not be read. */
  outbox?: { pending: number; oldestPendingAgeSeconds: number };
  /** Absent for a process without a consumer group; a null value could not be read. */
  events?: { lag: number | null; pending: number | null; deadLetters: number | null };
}

/** A readiness answer as the lifecycle (`getReadiness`) and the gateway (`readiness`) give it. */
export interface ReadinessSource {
  ready: boolean;
  state?: string;
  checks: Record<string, HealthCheckResult & { critical?: boolean }>;
}

export interface HealthReporterOptions {
  redis: Redis;
  /** Key prefix (`{brand}:health:instances`). */
  brand: string;
  service: string;
  readiness: () => Promise<ReadinessSource>;
  /** The registry `/metrics` serves: the report reads the same gauges Prometheus scrapes. */
  metrics: Registry;
  /** Default 5 000 ms. */
  intervalMs?: number;
  instance?: string;
}

export const DEFAULT_HEALTH_REPORT_INTERVAL_MS = 5_000;

/** One Redis hash per brand: field `<service>|<instance>` → the JSON report. */
export function healthReportsKey(brand: string): string {
  return `${brand}:health:instances`;
}

export function healthReportField(service: string, instance: string): string {
  return `${service}|${instance}`;
}

export interface HealthReporter {
  /** This instance's report, read now (the `systemHealth` answer uses it when Redis is down). */
  collect(): Promise<InstanceHealthReport>;
  /** Reports now (never throws; a report Redis refuses is skipped). */
  publish(): Promise<void>;
  /** Reports at once, then every interval. */
  start(): Promise<void>;
  /** Stops reporting and removes this instance's report: a graceful stop is not an outage. */
  stop(): Promise<void>;
}

/**
 * Publishes this process's health report to Redis every interval (`HSET`, one command). A report
 * that cannot be written (Redis down) is skipped, not queued: the next one replaces it anyway.
 */
export function createHealthReporter(options: HealthReporterOptions): HealthReporter {
  const intervalMs = options.intervalMs ?? DEFAULT_HEALTH_REPORT_INTERVAL_MS;
  const instance = options.instance ?? `${hostname()}:${process.pid}`;
  const startedAt = new Date().toISOString();
  const key = healthReportsKey(options.brand);
  const field = healthReportField(options.service, instance);
  const log = getLogger('health-report');
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  async function collect(): Promise<InstanceHealthReport> {
    const [readiness, breakers, queues, outboxPending, outboxAge, lag, pending, deadLetters] = await Promise.all([
      options.readiness(),
      read(options.metrics, 'circuit_breaker_state'),
      read(options.metrics, 'queue_jobs'),
      read(options.metrics, 'outbox_pending_entries'),
      read(options.metrics, 'outbox_oldest_pending_age_seconds'),
      read(options.metrics, 'event_consumer_lag_entries'),
      read(options.metrics, 'event_consumer_pending_entries'),
      read(options.metrics, 'event_dead_letter_entries'),
    ]);
    const pendingEntries = single(outboxPending);
    const oldestAge = single(outboxAge);
    return {
      service: options.service,
      instance,
      startedAt,
      reportedAt: new Date().toISOString(),
      intervalMs,
      ready: readiness.ready,
      state: readiness.state ?? (readiness.ready ? 'running' : 'starting'),
      checks: Object.entries(readiness.checks).map(([name, check]) => ({
        name,
        ok: check.healthy,
        critical: check.critical ?? true,
        ...(check.latencyMs !== undefined ? { latencyMs: check.latencyMs } : {}),
        ...(check.error !== undefined ? { error: check.error } : {}),
      })),
      breakers: breakerStates(breakers),
      queues: queueCounts(queues),
      ...(pendingEntries !== null && oldestAge !== null ? { outbox: { pending: pendingEntries, oldestPendingAgeSeconds: oldestAge } } : {}),
      ...(lag !== undefined || pending !== undefined || deadLetters !== undefined ? { events: { lag: single(lag), pending: single(pending), deadLetters: single(deadLetters) } } : {}),
    };
  }

  async function publish(): Promise<void> {
    try {
      const report = await collect();
      await options.redis.hset(key, field, JSON.stringify(report));
    } catch (error) {
      log.debug({ err: error, service: options.service }, 'health report not published');
    }
  }

  function schedule(): void {
    timer = setTimeout(() => {
      inFlight = publish().finally(() => {
        inFlight = undefined;
        if (timer !== undefined) schedule();
      });
    }, intervalMs);
    timer.unref();
  }

  return {
    collect,
    publish,
    async start() {
      await publish();
      schedule();
    },
    async stop() {
      const pendingTimer = timer;
      timer = undefined;
      clearTimeout(pendingTimer);
      await inFlight;
      await options.redis.hdel(key, field).catch((error: unknown) => log.debug({ err: error }, 'health report not removed'));
    },
  };
}

/** A metric's values, read as a scrape would (its `collect` runs); undefined when not registered. */
async function read(registry: Registry, name: string): Promise<MetricObjectWithValues<MetricValue<string>> | undefined> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return undefined;
  return (await metric.get()) as MetricObjectWithValues<MetricValue<string>>;
}

/** An unlabelled gauge's value; null when absent or unreadable (NaN: its source did not answer). */
function single(metric: MetricObjectWithValues<MetricValue<string>> | undefined): number | null {
  const value = metric?.values[0]?.value;
  return value === undefined || Number.isNaN(value) ? null : value;
}

const STATE_BY_VALUE = new Map(Object.entries(BREAKER_STATE_VALUES).map(([state, value]) => [value, state as CircuitState]));

function breakerStates(metric: MetricObjectWithValues<MetricValue<string>> | undefined): InstanceHealthReport['breakers'] {
  return (metric?.values ?? []).map((sample) => ({ name: String(sample.labels['breaker']), state: STATE_BY_VALUE.get(sample.value) ?? 'open' }));
}

function queueCounts(metric: MetricObjectWithValues<MetricValue<string>> | undefined): InstanceHealthReport['queues'] {
  const byQueue = new Map<string, InstanceHealthReport['queues'][number]>();
  for (const sample of metric?.values ?? []) {
    const name = String(sample.labels['queue']);
    const counts = byQueue.get(name) ?? { name, waiting: 0, active: 0, delayed: 0, prioritized: 0, failed: 0 };
    const state = String(sample.labels['state']) as keyof Omit<typeof counts, 'name'>;
    if (state in counts) counts[state] = sample.value;
    byQueue.set(name, counts);
  }
  return [...byQueue.values()];
}
