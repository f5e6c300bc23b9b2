import { context, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger/index.js';
import { runWithCorrelationId } from '../../src/logger/correlation.js';
import { captureTraceContext, contextFromTraceCarrier, runInSpan, tracingModeFromEnv } from '../../src/tracing/index.js';
import { createLogCapture } from '../logger/log-capture.js';
import { useInMemoryTracing } from './support/in-memory-tracing.js';

const tracing = useInMemoryTracing();

describe('trace carriers', () => {
  it('a captured carrier restores the same span as a remote parent, tracestate included', () => {
    const remote = contextFromTraceCarrier({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'vendor=abc' });
    const restored = trace.getSpanContext(remote);
    expect(restored).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(restored?.traceState?.get('vendor')).toBe('abc');

    const child = trace.getTracer('test').startSpan('child', {}, remote);
    const carrier = captureTraceContext(trace.setSpan(context.active(), child));
    child.end();
    expect(carrier).toEqual({ traceparent: `00-0af7651916cd43dd8448eb211c80319c-${child.spanContext().spanId}-01`, tracestate: 'vendor=abc' });
  });

  it('outside any span nothing is captured, and a missing or empty carrier leaves the context as it was', () => {
    expect(captureTraceContext()).toBeUndefined();
    const base = context.active();
    expect(contextFromTraceCarrier(undefined, base)).toBe(base);
    expect(contextFromTraceCarrier({}, base)).toBe(base);
  });

  it("runInSpan continues the carrier's trace and records a thrown error on the span", async () => {
    const parent = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    await expect(
      runInSpan('deliver EMAIL', { parent }, async () => {
        throw new Error('smtp refused');
      }),
    ).rejects.toThrow('smtp refused');
    const [span] = tracing.spans();
    expect(span?.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(span?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(span?.status).toMatchObject({ code: 2, message: 'smtp refused' });
    expect(span?.events.map((event) => event.name)).toEqual(['exception']);
  });
});

describe('log lines inside a span', () => {
  it('carry trace_id and span_id beside the correlation id; lines outside a span carry neither', async () => {
    const capture = createLogCapture();
    const log = createLogger({ service: 'payment-service', level: 'info', destination: capture.stream });
    let ids = { traceId: '', spanId: '' };
    await runWithCorrelationId('corr-1', () =>
      runInSpan('createTransfer', {}, async (span) => {
        ids = span.spanContext();
        log.info('inside');
      }),
    );
    log.info('outside');
    const [inside, outside] = capture.lines;
    expect(inside).toMatchObject({ msg: 'inside', correlationId: 'corr-1', trace_id: ids.traceId, span_id: ids.spanId });
    expect(outside).not.toHaveProperty('trace_id');
    expect(outside).not.toHaveProperty('span_id');
  });
});

describe('when tracing is on', () => {
  it.each([
    [{}, false, 'not-configured'],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true, 'otlp'],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true, 'otlp'],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true, 'console'],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false, 'disabled'],
    [{ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false, 'disabled'],
  ] as const)('%o → enabled %s (%s)', (env, enabled, mode) => {
    expect(tracingModeFromEnv(env)).toEqual({ enabled, mode });
  });
});
