import type { Redis } from 'ioredis';
import { getLogger } from '../logger/logger.js';
import { healthReportField, healthReportsKey, type InstanceHealthReport } from './health-report.js';

export type HealthStatus = 'ok' | 'degraded' | 'down';

export interface InstanceHealth extends InstanceHealthReport {
  /** No report for three of its intervals: the process is gone or hung. */
  stale: boolean;
}

export interface ServiceHealth {
  name: string;
  status: HealthStatus;
  readyInstances: number;
  instances: InstanceHealth[];
  outbox: InstanceHealthReport['outbox'] | null;
  events: InstanceHealthReport['events'] | null;
  queues: InstanceHealthReport['queues'];
  problems: string[];
}

export interface SystemHealth {
  status: HealthStatus;
  problems: string[];
  checkedAt: Date;
  services: ServiceHealth[];
}

/** When shared gauges make a service DEGRADED (they are read from MongoDB and Redis, so every instance reports the same). */
export interface HealthThresholds {
  /** Oldest unpublished outbox entry, seconds. Default 30. */
  outboxLagSeconds?: number;
  /** Stream entries not yet delivered to the consumer group. Default 1 000. */
  consumerLag?: number;
}

export interface ReadSystemHealthOptions {
  redis: Redis;
  brand: string;
  /** The answering process's own report: shown on its own when Redis cannot be read. */
  self?: () => Promise<InstanceHealthReport>;
  thresholds?: HealthThresholds;
  now?: () => Date;
  /**
   * A stale instance is forgotten after this long once its service has a ready instance again
   * (a replaced pod, a crashed process restarted under a new pid). Default 5 minutes. A service
   * with no live instance keeps its last report for as long as it is down.
   */
  forgetStaleAfterMs?: number;
}

const STALE_AFTER_INTERVALS = 3;
const STATUS_ORDER: Record<HealthStatus, number> = { ok: 0, degraded: 1, down: 2 };

/**
 * The platform as its processes last reported it (health-report.ts): one `HGETALL`. Each service's
 * status is the worst of: no ready live instance (down); an instance not ready or stale, a check
 * failing, a breaker not closed, dead letters, failed jobs, outbox or consumer lag past the
 * thresholds (degraded). The platform's status is its worst service's; `problems` says why, worst
 * first. Reports of replaced instances are removed here, after `forgetStaleAfterMs`.
 */
export async function readSystemHealth(options: ReadSystemHealthOptions): Promise<SystemHealth> {
  const now = options.now?.() ?? new Date();
  const key = healthReportsKey(options.brand);
  let reports: InstanceHealthReport[];
  const unreadable: string[] = [];
  try {
    reports = parseReports(await options.redis.hgetall(key));
  } catch (error) {
    getLogger('system-health').warn({ err: error }, 'health reports unreadable');
    if (options.self === undefined) throw error;
    reports = [await options.self()];
    unreadable.push(`Redis is unreachable: only ${reports[0]!.service} ${reports[0]!.instance}, which answered this request, is shown`);
  }

  const forgetAfterMs = options.forgetStaleAfterMs ?? 5 * 60_000;
  const byService = new Map<string, InstanceHealth[]>();
  for (const report of reports) {
    const silentMs = now.getTime() - Date.parse(report.reportedAt);
    const instance: InstanceHealth = { ...report, stale: silentMs > STALE_AFTER_INTERVALS * report.intervalMs };
    byService.set(report.service, [...(byService.get(report.service) ?? []), instance]);
  }

  const forgotten: string[] = [];
  const services = [...byService.entries()].map(([name, all]) => {
    const live = all.filter((instance) => !instance.stale);
    const hasReadyInstance = live.some((instance) => instance.ready);
    const instances = all.filter((instance) => {
      const forget = instance.stale && hasReadyInstance && now.getTime() - Date.parse(instance.reportedAt) > forgetAfterMs;
      if (forget) forgotten.push(healthReportField(name, instance.instance));
      return !forget;
    });
    return assess(name, instances, options.thresholds ?? {}, now);
  });
  if (forgotten.length > 0 && unreadable.length === 0) {
    await options.redis.hdel(key, ...forgotten).catch(() => undefined);
  }

  services.sort((a, b) => STATUS_ORDER[b.status] - STATUS_ORDER[a.status] || serviceOrder(a.name) - serviceOrder(b.name) || a.name.localeCompare(b.name));
  const worst = services.reduce<HealthStatus>((status, service) => (STATUS_ORDER[service.status] > STATUS_ORDER[status] ? service.status : status), 'ok');
  const status = unreadable.length > 0 && worst === 'ok' ? 'degraded' : worst;
  return { status, problems: [...unreadable, ...services.flatMap((service) => service.problems)], checkedAt: now, services };
}

/** The gateway first, then the subgraphs in port order, then anything else by name. */
function serviceOrder(name: string): number {
  const known = ['gateway', 'auth', 'payment', 'bonus', 'notification'].indexOf(name.replace(/-service$/, ''));
  return known === -1 ? 99 : known;
}

function assess(name: string, instances: InstanceHealth[], thresholds: HealthThresholds, now: Date): ServiceHealth {
  const live = instances.filter((instance) => !instance.stale);
  const readyInstances = live.filter((instance) => instance.ready).length;
  const down: string[] = [];
  const degraded: string[] = [];
  if (readyInstances === 0) {
    down.push(live.length === 0 ? `${name}: no instance is reporting` : `${name}: no instance is ready`);
  }
  for (const instance of instances) {
    if (instance.stale) {
      degraded.push(`${name} ${instance.instance}: no report for ${Math.round((now.getTime() - Date.parse(instance.reportedAt)) / 1000)} s`);
      continue;
    }
    if (!instance.ready) degraded.push(`${name} ${instance.instance}: not ready (${instance.state})`);
    for (const check of instance.checks.filter((c) => !c.ok)) {
      degraded.push(`${name} ${instance.instance}: ${check.name} check failing${check.error ? ` (${check.error})` : ''}`);
    }
    for (const breaker of instance.breakers.filter((b) => b.state !== 'closed')) {
      degraded.push(`${name} ${instance.instance}: circuit breaker ${breaker.name} is ${breaker.state}`);
    }
  }
  // Shared gauges: every instance reads the same source, so the newest live report speaks for all.
  const newest = [...(live.length > 0 ? live : instances)].sort((a, b) => Date.parse(b.reportedAt) - Date.parse(a.reportedAt))[0];
  const outbox = newest?.outbox ?? null;
  const events = newest?.events ?? null;
  const queues = newest?.queues ?? [];
  if (outbox !== null && outbox.oldestPendingAgeSeconds > (thresholds.outboxLagSeconds ?? 30)) {
    degraded.push(`${name}: outbox lag ${Math.round(outbox.oldestPendingAgeSeconds)} s (${outbox.pending} unpublished)`);
  }
  if (events?.lag != null && events.lag > (thresholds.consumerLag ?? 1_000)) degraded.push(`${name}: consumer lag ${events.lag} entries`);
  if (events?.deadLetters != null && events.deadLetters > 0) degraded.push(`${name}: ${events.deadLetters} event(s) in the dead-letter stream`);
  for (const queue of queues.filter((q) => q.failed > 0)) degraded.push(`${name}: ${queue.failed} failed job(s) in queue ${queue.name}`);

  const status: HealthStatus = down.length > 0 ? 'down' : degraded.length > 0 ? 'degraded' : 'ok';
  return { name, status, readyInstances, instances, outbox, events, queues, problems: [...down, ...degraded] };
}

/** Reports as stored; a field that is not a report (a foreign write, an older format) is skipped. */
function parseReports(fields: Record<string, string>): InstanceHealthReport[] {
  const reports: InstanceHealthReport[] = [];
  for (const value of Object.values(fields)) {
    try {
      const report = JSON.parse(value) as InstanceHealthReport;
      if (typeof report.service === 'string' && typeof report.instance === 'string' && typeof report.reportedAt === 'string' && typeof report.intervalMs === 'number') {
        reports.push(report);
      }
    } catch {
      // skipped, see above
    }
  }
  return reports;
}
