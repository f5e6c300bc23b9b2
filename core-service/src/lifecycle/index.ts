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
