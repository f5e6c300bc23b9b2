import { inject } from 'vitest';

/** What the global setup hands to every test worker. */
export interface TestInfrastructure {
  /** Connection string of the run's MongoDB (embedded engine or `MONGO_URI`); empty when it could not start. */
  mongoUri: string;
  /** Why MongoDB is unavailable, when `mongoUri` is empty. Tests that need it fail with this. */
  mongoError: string;
  /** URL of the run's Redis (private `redis-server` or `REDIS_URL`). */
  redisUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    coreServiceTestInfrastructure: TestInfrastructure;
  }
}

export const PROVIDED_CONTEXT_KEY = 'coreServiceTestInfrastructure' as const;

/** The run's infrastructure, as provided by `core-service/testing`'s global setup. */
export function getTestInfrastructure(): TestInfrastructure {
  const infrastructure = inject(PROVIDED_CONTEXT_KEY);
  if (infrastructure === undefined) {
    throw new Error(
      "core-service/testing: no infrastructure was provided. Add globalSetup: ['core-service/testing/global-setup'] " +
        "(or the path to src/testing/global-setup.ts) to this package's vitest.config.ts.",
    );
  }
  return infrastructure;
}
