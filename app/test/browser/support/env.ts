import { inject } from 'vitest';

/** Where the browser suite's app and platform are (test/browser/global-setup.ts). */
export interface BrowserTestEnv {
  appUrl: string;
  gatewayUrl: string;
  distDir: string;
  /** The platform's SMTP/Twilio recorders (GET /emails?to=, GET /sms?to=). */
  providerSinksUrl: string | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    appBrowserEnv: BrowserTestEnv;
  }
}

export const APP_KEY = 'appBrowserEnv' as const;

export function browserEnv(): BrowserTestEnv {
  const env = inject(APP_KEY);
  if (env === undefined) throw new Error('run through app/vitest.config.ts (project browser)');
  return env;
}
