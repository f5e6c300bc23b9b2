import type { IncomingMessage } from 'node:http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

/** Probes and scrapes: a span per Kubernetes probe or Prometheus scrape is noise, not a trace. */
const UNTRACED_PATHS = /^\/(health(\/|$)|metrics$|favicon\.ico$)/;

/**
 * The libraries every service shares: incoming and outgoing HTTP (node:http server, Node's
 * fetch), GraphQL execution, MongoDB and Redis commands.
 *
 * MongoDB and Redis spans need a parent: relay polls, stream reads, BullMQ's own polling and
 * lease renewals would otherwise each start a one-span trace, many per second per process.
 *
 * pino is not instrumented: the logger's own mixin adds `trace_id`/`span_id` (see
 * logger/logger.ts), which works whether or not pino was loaded after the module hook, and we
 * do not ship log records through OpenTelemetry (logs go to stdout).
 */
export function createInstrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.test(request.url ?? ''),
      // A readiness probe to a subgraph without a request around it (the gateway's health check).
      requireParentforOutgoingSpans: true,
    }),
    new UndiciInstrumentation({
      requireParentforSpans: true,
      ignoreRequestHook: (request) => UNTRACED_PATHS.test(request.path),
    }),
    // Trivial resolvers (a property read) would be most of a federated response's spans.
    new GraphQLInstrumentation({ ignoreTrivialResolveSpans: true, mergeItems: true }),
    new MongoDBInstrumentation({ requireParentSpan: true }),
    new IORedisInstrumentation({ requireParentSpan: true }),
  ] as Instrumentation[];
}
