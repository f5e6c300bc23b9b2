export { ServiceLifecycle, createServiceLifecycle } from './service-lifecycle.js';
export type {
  ServiceLifecycleOptions,
  LifecycleState,
  ShutdownReport,
  ServiceLivenessReport,
  ServiceReadinessReport,
} from './service-lifecycle.js';
export { redisHealthCheck, mongoHealthCheck } from './health-checks.js';
export type { HealthCheckFn, HealthCheckResult } from './health-checks.js';
export { createHealthReporter, healthReportsKey, DEFAULT_HEALTH_REPORT_INTERVAL_MS } from './health-report.js';
export type { HealthReporter, HealthReporterOptions, InstanceHealthReport, ReadinessSource } from './health-report.js';
export { readSystemHealth } from './system-health.js';
export type { SystemHealth, ServiceHealth, InstanceHealth, HealthStatus, HealthThresholds, ReadSystemHealthOptions } from './system-health.js';
