import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Link, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * A span context as it travels inside data (an integration event's envelope, a queued delivery
 * document): the W3C `traceparent` and `tracestate` header values.
 */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

/**
 * W3C trace context itself rather than the global propagator: what is stored must be exactly
 * `traceparent`/`tracestate`, whatever `OTEL_PROPAGATORS` adds to HTTP headers (baggage, b3).
 */
const w3c = new W3CTraceContextPropagator();

/** The tracer of this SDK's own spans (event publish and process, delivery jobs). */
export const TRACER_NAME = 'core-service';

/**
 * The active span's context as a carrier, or undefined when no span is being recorded. The
 * check comes first so that with tracing off (no provider, or an unsampled trace) nothing is
 * serialized: hot paths such as transfers pay one context lookup.
 */
export function captureTraceContext(activeContext: Context = context.active()): TraceCarrier | undefined {
  const span = trace.getSpan(activeContext);
  if (span === undefined || !span.isRecording()) return undefined;
  const carrier: Record<string, string> = {};
  w3c.inject(activeContext, carrier, { set: (target, key, value) => void (target[key] = value) });
  const traceparent = carrier['traceparent'];
  if (traceparent === undefined) return undefined;
  return carrier['tracestate'] ? { traceparent, tracestate: carrier['tracestate'] } : { traceparent };
}

/** A context whose remote parent is the carrier's span (the root context when there is none). */
export function contextFromTraceCarrier(carrier: Partial<TraceCarrier> | null | undefined, base: Context = ROOT_CONTEXT): Context {
  if (!carrier?.traceparent) return base;
  return w3c.extract(base, carrier, {
    get: (target, key) => (target as Record<string, string | undefined>)[key],
    keys: (target) => Object.keys(target),
  });
}

/** The carrier fields of a parsed document, when it has them (they are optional everywhere). */
export function traceCarrierOf(value: { traceparent?: unknown; tracestate?: unknown } | null | undefined): TraceCarrier | undefined {
  if (typeof value?.traceparent !== 'string') return undefined;
  return typeof value.tracestate === 'string' && value.tracestate.length > 0 ? { traceparent: value.traceparent, tracestate: value.tracestate } : { traceparent: value.traceparent };
}

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /**
   * The span's parent when it continues work begun elsewhere (another process, or before an
   * async boundary such as a queue). Absent: the active span is the parent.
   */
  parent?: TraceCarrier | undefined;
  links?: Link[];
}

/**
 * Runs `fn` inside a new active span and ends it when `fn` settles; a thrown error is recorded
 * on the span and rethrown. With tracing off the tracer is OpenTelemetry's no-op one.
 */
export function runInSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const tracer = trace.getTracer(TRACER_NAME);
  const parentContext = options.parent !== undefined ? contextFromTraceCarrier(options.parent, context.active()) : context.active();
  return tracer.startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, ...(options.attributes ? { attributes: options.attributes } : {}), ...(options.links ? { links: options.links } : {}) },
    parentContext,
    async (span) => {
      try {
        return await fn(span);
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

export { SpanKind };
