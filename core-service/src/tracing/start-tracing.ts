import { trace } from '@opentelemetry/api';
import { tracingModeFromEnv } from './tracing-mode.js';

export interface StartTracingOptions {
  /** `service.name` of this process's spans; `OTEL_SERVICE_NAME` wins when set. */
  serviceName: string;
  env?: NodeJS.ProcessEnv;
}

export interface TracingHandle {
  readonly enabled: boolean;
  /** Why tracing is off (`disabled`, `not-configured`), or the exporters it sends to. */
  readonly mode: string;
  readonly serviceName: string;
  /** Exports what has ended so far (called by the lifecycle as its last stop step). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

const STATE = Symbol.for('core-service.tracing');
type GlobalWithTracing = typeof globalThis & { [STATE]?: Promise<TracingHandle> };

/**
 * Starts OpenTelemetry for this process, once: later calls get the first call's handle (the
 * `--import` register file starts it before the service's modules load, and the lifecycle calls
 * it again by name). Kept on `globalThis` so a second copy of this module (source and dist side
 * by side) does not start a second SDK.
 *
 * The SDK's own environment handling is kept for everything but the on/off decision: protocol
 * (`OTEL_EXPORTER_OTLP_PROTOCOL`), endpoint, headers, batch delays (`OTEL_BSP_*`), sampler
 * (`OTEL_TRACES_SAMPLER`, default parent-based always-on), resource attributes. Only traces:
 * metrics are Prometheus (`/metrics`) and logs go to stdout, so the SDK's metric and log
 * pipelines, which default to OTLP too, are switched off.
 */
export function startTracing(options: StartTracingOptions): Promise<TracingHandle> {
  const holder = globalThis as GlobalWithTracing;
  holder[STATE] ??= start(options);
  return holder[STATE];
}

async function start(options: StartTracingOptions): Promise<TracingHandle> {
  const env = options.env ?? process.env;
  const serviceName = env['OTEL_SERVICE_NAME'] || options.serviceName;
  const { enabled, mode } = tracingModeFromEnv(env);
  if (!enabled) {
    return { enabled: false, mode, serviceName, flush: async () => undefined, shutdown: async () => undefined };
  }
  // Loaded only when tracing is on: the SDK brings every exporter it can build from the
  // environment (gRPC, protobuf, Zipkin), which a process with tracing off should not load.
  const [{ NodeSDK }, { createInstrumentations }] = await Promise.all([import('@opentelemetry/sdk-node'), import('./instrumentations.js')]);
  const sdk = new NodeSDK({
    serviceName,
    instrumentations: createInstrumentations(),
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  let stopped: Promise<void> | undefined;
  const handle: TracingHandle = {
    enabled: true,
    mode,
    serviceName,
    async flush() {
      const provider = trace.getTracerProvider() as { forceFlush?: () => Promise<void>; getDelegate?: () => { forceFlush?: () => Promise<void> } };
      // The API hands out a proxy; the SDK's provider behind it is what buffers spans.
      await (provider.getDelegate?.() ?? provider).forceFlush?.();
    },
    shutdown() {
      stopped ??= sdk.shutdown();
      return stopped;
    },
  };
  return handle;
}

/** The running tracing setup, if `startTracing` was called. */
export function currentTracing(): Promise<TracingHandle> | undefined {
  return (globalThis as GlobalWithTracing)[STATE];
}
