/* Kept apart from start-tracing.ts: the register file reads it before anything imports the SDK. */

/**
 * Whether and where spans go, from the standard OpenTelemetry variables:
 * - `OTEL_SDK_DISABLED=true`: off, whatever else is set;
 * - `OTEL_TRACES_EXPORTER`: the exporters (`otlp`, `console`, `zipkin`, `none`), handed to the SDK;
 * - otherwise on with `otlp` when `OTEL_EXPORTER_OTLP_ENDPOINT` (or `_TRACES_ENDPOINT`) is set,
 *   and off when it is not: a developer's `npm start` has no collector to send to, and
 *   instrumenting for nobody would only slow every request down.
 */
export function tracingModeFromEnv(env: NodeJS.ProcessEnv = process.env): { enabled: boolean; mode: string } {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return { enabled: false, mode: 'disabled' };
  const exporters = env['OTEL_TRACES_EXPORTER']?.trim();
  if (exporters) return exporters === 'none' ? { enabled: false, mode: 'disabled' } : { enabled: true, mode: exporters };
  if (env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) return { enabled: true, mode: 'otlp' };
  return { enabled: false, mode: 'not-configured' };
}
