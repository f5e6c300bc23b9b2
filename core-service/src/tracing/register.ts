/**
 * `node --import core-service/tracing/register …` (every service's `start` script): starts
 * tracing before the service's own modules are imported.
 *
 * ES modules bind their imports when they are linked, so instrumentations cannot patch
 * `mongodb`, `ioredis`, `graphql` or `node:http` after the fact the way they patch `require`;
 * the module hook (import-in-the-middle, through `@opentelemetry/instrumentation/hook.mjs`)
 * must be registered first, and the instrumentations created before the first import of those
 * modules. `--import` modules run to completion before the entry point is loaded, which gives
 * exactly that order. The hook intercepts only the instrumented packages: wrapping every module
 * (the default) would also wrap every TypeScript file tsx compiles, for nothing.
 *
 * With tracing off (no exporter configured, or `OTEL_SDK_DISABLED=true`) nothing is registered
 * and the process runs exactly as without this file.
 */
import { register } from 'node:module';
import { tracingModeFromEnv } from './tracing-mode.js';

const HOOKED_MODULES = ['mongodb', 'ioredis', 'graphql', 'http', 'https', 'node:http', 'node:https'];

if (tracingModeFromEnv().enabled) {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: HOOKED_MODULES } });
  // Imported only now: the SDK's own imports must not reach the instrumented modules before the hook.
  const { startTracing } = await import('./start-tracing.js');
  await startTracing({ serviceName: process.env['OTEL_SERVICE_NAME'] || process.env['npm_package_name'] || 'unknown-service' });
}
