import { context, propagation, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/**
 * The SDK as services run it (async-local-storage context, W3C propagation), exporting into
 * memory instead of OTLP; no instrumentations, so the only spans are the ones under test.
 * Registered globally for the file (each test file runs in its own worker).
 */
export function useInMemoryTracing(): { spans(): ReadableSpan[] } {
  const exporter = new InMemorySpanExporter();
  const sdk = new NodeSDK({
    serviceName: 'tracing-test',
    autoDetectResources: false,
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
  });
  beforeAll(() => sdk.start());
  // Each test reads only its own spans.
  beforeEach(() => exporter.reset());
  afterAll(async () => {
    await sdk.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });
  return { spans: () => exporter.getFinishedSpans() };
}

/** The W3C `traceparent` naming a span (version 00, sampled). */
export function traceparentOf(span: ReadableSpan): string {
  return `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;
}
