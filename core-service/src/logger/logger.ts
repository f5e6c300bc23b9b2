import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { getCorrelationContext } from './correlation.js';
import { buildRedactPaths, REDACTED, SENSITIVE_FIELD_NAMES } from './redaction.js';

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  /** Service name written as `service` on every line. */
  service?: string;
  level?: LoggerOptions['level'];
  /** Where lines go; stdout when absent. Tests pass a stream to capture output. */
  destination?: DestinationStream;
  /** Extra field names to redact, on top of the built-in sensitive names. */
  redactFields?: readonly string[];
  /**
   * `pretty`: human-readable lines (pino-pretty); `json`: one JSON object per line. Default from
   * `LOG_FORMAT`, else pretty when stdout is a terminal outside production, JSON otherwise
   * (log shippers and pipes get JSON). Ignored when `destination` is given.
   */
  format?: LogFormat;
}

export type LogFormat = 'pretty' | 'json';

/** The format the environment asks for (see `CreateLoggerOptions.format`). */
export function defaultLogFormat(env: NodeJS.ProcessEnv = process.env, stdoutIsTerminal = process.stdout.isTTY === true): LogFormat {
  const requested = env['LOG_FORMAT'];
  if (requested === 'pretty' || requested === 'json') return requested;
  return stdoutIsTerminal && env['NODE_ENV'] !== 'production' ? 'pretty' : 'json';
}

/**
 * A JSON pino logger whose every line carries the current correlation id (and, inside a traced
 * span, `trace_id` and `span_id`). The id is added by
 * `mixin`, evaluated per line, so a logger created once at start-up still stamps each request's
 * own id; no per-request child loggers are needed.
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const pinoOptions: LoggerOptions = {
    level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
    base: options.service !== undefined ? { service: options.service } : {},
    redact: { paths: buildRedactPaths([...SENSITIVE_FIELD_NAMES, ...(options.redactFields ?? [])]), censor: REDACTED },
    mixin() {
      const context = getCorrelationContext();
      const traced = traceFields();
      if (context === undefined) return traced ?? {};
      const fields = context.fields !== undefined ? { ...context.fields, correlationId: context.correlationId } : { correlationId: context.correlationId };
      return traced !== undefined ? { ...fields, ...traced } : fields;
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.destination !== undefined) return pino(pinoOptions, options.destination);
  return (options.format ?? defaultLogFormat()) === 'pretty' ? pino(pinoOptions, prettyStream()) : pino(pinoOptions);
}

/**
 * The active span's ids, so a log line leads to its trace. Read here rather than left to the
 * pino instrumentation: it works whatever loaded pino first, and with tracing off it costs one
 * context lookup that finds no span.
 */
function traceFields(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getActiveSpan();
  if (span === undefined) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/**
 * pino-pretty as a stream in this thread rather than as a pino transport (a worker thread):
 * it is for a developer's terminal, where the throughput a worker buys does not matter, and
 * in-thread nothing is lost when a process exits at once. Loaded only when asked for, so JSON
 * logging never pays for it. Colours are on: pretty output is asked for by a terminal, even
 * when it reaches it through a parent process's pipe (`npm start`).
 */
function prettyStream(): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as (options: Record<string, unknown>) => DestinationStream;
  return pretty({ colorize: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true });
}

let rootLogger: Logger = createLogger();

/**
 * The process-wide root logger. Modules of this SDK log through `getLogger()` (never a captured
 * reference) so `configureLogger` redirects them too, which is how tests capture output.
 */
export function getLogger(service?: string): Logger {
  return service === undefined ? rootLogger : rootLogger.child({ service });
}

/** Replaces the root logger (level, destination, service name). */
export function configureLogger(options: CreateLoggerOptions): Logger {
  rootLogger = createLogger(options);
  return rootLogger;
}

/** A logger for one service: a child of the root logger with `service` on every line. */
export function createServiceLogger(service: string): Logger {
  return getLogger(service);
}

/**
 * Proxy over the current root logger, so `import { logger }` keeps working after
 * `configureLogger` swaps the root.
 */
export const logger: Logger = new Proxy({} as Logger, {
  get(_target, property) {
    const value = Reflect.get(rootLogger, property, rootLogger) as unknown;
    return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(rootLogger) : value;
  },
  // `logger.level = 'debug'` must reach the real logger, not the proxy's empty target.
  set(_target, property, value) {
    return Reflect.set(rootLogger, property, value, rootLogger);
  },
});
