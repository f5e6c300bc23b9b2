import { inject } from 'vitest';

/** What the e2e global setup hands to every test file: where the running platform is. */
export interface SharedPlatform {
  gatewayUrl: string;
  gatewayBase: string;
  redisUrl: string;
  mongoUri: string;
  brand: string;
  services: Array<{ name: string; port: number; url: string }>;
  /** Inspection API of the local SMTP/Twilio recorders (GET /emails?to=, GET /sms?to=), or null. */
  providerSinksUrl: string | null;
  env: Record<string, string>;
  /** The trace recorder every process exports to; `GET /traces/<traceId>` lists a trace's spans. */
  traceRecorderUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    e2ePlatform: SharedPlatform;
  }
}

export const PLATFORM_KEY = 'e2ePlatform' as const;

export function sharedPlatform(): SharedPlatform {
  const platform = inject(PLATFORM_KEY);
  if (platform === undefined) throw new Error('no platform: run this file through gateway/vitest.config.ts (test/e2e)');
  return platform;
}
