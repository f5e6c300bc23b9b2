export { startTracing, currentTracing } from './start-tracing.js';
export type { StartTracingOptions, TracingHandle } from './start-tracing.js';
export { tracingModeFromEnv } from './tracing-mode.js';
export { captureTraceContext, contextFromTraceCarrier, traceCarrierOf, runInSpan, SpanKind, TRACER_NAME } from './trace-context.js';
export type { TraceCarrier, SpanOptions } from './trace-context.js';
