import { context, trace, ROOT_CONTEXT, SpanKind, type Span } from '@opentelemetry/api';
import { captureTraceContext, contextFromTraceCarrier, runInSpan, traceCarrierOf, TRACER_NAME } from '../tracing/trace-context.js';
import type { IntegrationEvent } from './integration-event.js';

/** A producer span of one event and the envelope that carries it (to be written to the stream). */
export interface PublishSpan {
  span: Span | undefined;
  envelope: IntegrationEvent;
}

/**
 * Producer spans of a batch about to be appended to the stream. Each traced event's span is a
 * child of the context the event was emitted in (recorded in its envelope, which for an outbox
 * event is the mutation's, long before the relay runs), and the stream copy of the envelope
 * names this span instead, so consumers' spans hang below the publish. Untraced events get no
 * span and go out unchanged.
 */
export function startPublishSpans(events: ReadonlyArray<IntegrationEvent>, streamKey: string): PublishSpan[] {
  return events.map((event) => {
    const parent = traceCarrierOf(event);
    if (parent === undefined) return { span: undefined, envelope: event };
    const span = trace
      .getTracer(TRACER_NAME)
      .startSpan(`publish ${event.type}`, { kind: SpanKind.PRODUCER, attributes: messagingAttributes(event, streamKey, 'send') }, contextFromTraceCarrier(parent));
    const carrier = captureTraceContext(trace.setSpan(ROOT_CONTEXT, span));
    return { span, envelope: carrier !== undefined ? { ...event, ...carrier } : event };
  });
}

/** Runs the append inside the only span of a one-event batch (so its Redis command joins that trace). */
export function withinPublishSpans<T>(spans: readonly PublishSpan[], fn: () => Promise<T>): Promise<T> {
  const only = spans.length === 1 ? spans[0]?.span : undefined;
  return only === undefined ? fn() : context.with(trace.setSpan(context.active(), only), fn);
}

export function endPublishSpans(spans: readonly PublishSpan[]): void {
  for (const { span } of spans) span?.end();
}

/** Runs a consumer's handlers for one event in a span that continues the event's trace. */
export function runInConsumeSpan<T>(event: IntegrationEvent, streamKey: string, consumerGroup: string, fn: () => Promise<T>): Promise<T> {
  return runInSpan(
    `process ${event.type}`,
    {
      kind: SpanKind.CONSUMER,
      parent: traceCarrierOf(event),
      attributes: { ...messagingAttributes(event, streamKey, 'process'), 'messaging.consumer.group.name': consumerGroup },
    },
    fn,
  );
}

function messagingAttributes(event: IntegrationEvent, streamKey: string, operation: 'send' | 'process') {
  return {
    'messaging.system': 'redis',
    'messaging.operation.type': operation,
    'messaging.destination.name': streamKey,
    'messaging.message.id': event.id,
    'event.type': event.type,
    'tenant.id': event.tenantId,
  };
}
