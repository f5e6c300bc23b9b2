export { retry, RetryConfigs, computeRetryDelay } from './retry.js';
export type { RetryConfig, RetryStrategy } from './retry.js';
export { CircuitBreaker, createCircuitBreaker, CircuitOpenError } from './circuit-breaker.js';
export type { CircuitBreakerOptions, CircuitState } from './circuit-breaker.js';
export { Bulkhead, createBulkhead, BulkheadRejectedError, BulkheadQueueTimeoutError } from './bulkhead.js';
export type { BulkheadOptions } from './bulkhead.js';
