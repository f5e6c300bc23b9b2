export {
  runWithCorrelationId,
  getCorrelationId,
  getCorrelationContext,
  generateCorrelationId,
  bindCorrelationContext,
} from './correlation.js';
export type { CorrelationContext } from './correlation.js';
export { createLogger, getLogger, configureLogger, createServiceLogger, logger, defaultLogFormat } from './logger.js';
export type { Logger, CreateLoggerOptions, LogFormat } from './logger.js';
export { SENSITIVE_FIELD_NAMES, buildRedactPaths, REDACTED } from './redaction.js';
