import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startPlatform, type Platform } from '../../../scripts/dev/platform.mjs';
import { startOtlpRecorder } from './otlp-recorder.js';
import { PLATFORM_KEY, type SharedPlatform } from './shared-platform.js';

/**
 * Vitest global setup of the end-to-end suite: the platform as `npm start` runs it (engine,
 * redis-server, every service and the gateway as separate processes), booted once per run and
 * shared by every file under test/e2e. Isolation comes from each test's own users and its own
 * client address (TRUST_PROXY names loopback, so a test's `X-Forwarded-For` is its address).
 * A test that needs other settings boots its own platform with `startPlatform`.
 *
 * Every line the processes print goes to gateway/.e2e-platform.log, warnings and up by default
 * (`PLATFORM_LOG_LEVEL`): after a failed CI run, scripts/ci/failure-summary.mjs shows its tail.
 *
 * Every process exports traces to a local recorder (test/support/otlp-recorder.ts), sampling only
 * what a caller marked sampled (`traceparent` flag 01): the tracing test chooses its own trace,
 * and the other tests' requests cost no spans.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'platform-e2e-'));
  const recorder = await startOtlpRecorder();
  const output: string[] = [];
  const log = createWriteStream(fileURLToPath(new URL('../../.e2e-platform.log', import.meta.url)));
  let platform: Platform;
  try {
    platform = await startPlatform({
      dataDir,
      freePorts: true,
      brand: `e2e${process.pid}`,
      env: {
        ...SHARED_PLATFORM_ENV,
        LOG_LEVEL: process.env['PLATFORM_LOG_LEVEL'] ?? 'warn',
        OTEL_EXPORTER_OTLP_ENDPOINT: recorder.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0',
      },
      output: (line) => {
        output.push(line);
        log.write(`${line}\n`);
        if (output.length > 400) output.shift();
      },
    });
  } catch (error) {
    log.end();
    await recorder.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`platform did not start: ${(error as Error).message}\n${output.slice(-60).join('\n')}`);
  }
  const shared: SharedPlatform = {
    gatewayUrl: platform.gatewayUrl,
    gatewayBase: platform.gatewayBase,
    redisUrl: platform.redisUrl,
    mongoUri: platform.mongoUri,
    brand: platform.brand,
    services: platform.services,
    providerSinksUrl: platform.providerSinksUrl,
    env: platform.env,
    traceRecorderUrl: recorder.url,
  };
  project.provide(PLATFORM_KEY, shared);
  return async () => {
    await platform.stop();
    log.end();
    await recorder.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

/** Settings of the shared platform; tests that assert on limits read them from here. */
export const SHARED_PLATFORM_ENV = {
  RATE_LIMIT_USER: '4000',
  RATE_LIMIT_IP: '1000000',
  TRUST_PROXY: 'loopback',
  // bonus-service's expiry backstop every half second, so an award made due is expired promptly.
  BONUS_EXPIRY_SWEEP_MS: '500',
  // Login limits low enough for a test to reach them in a few attempts (every attempt costs a
  // password hash); tests that count on them read LOGIN_LIMITS.
  AUTH_SERVICE_SECURITY: JSON.stringify({ loginThrottle: { maxFailuresPerAddress: 10, maxFailuresPerAccountAddress: 3, maxFailuresPerAccount: 6 } }),
} as const;

export const LOGIN_LIMITS = { perAddress: 10, perAccountAddress: 3, perAccount: 6 } as const;
