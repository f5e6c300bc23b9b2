import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    conditions: ['source'],
    // One copy of graphql for our sources and for Apollo (see core-service/vitest.config.ts).
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  ssr: { resolve: { conditions: ['source'] } },
  // The global setup runs in Vitest's own environment, which does not inherit the conditions.
  environments: { __vitest__: { resolve: { conditions: ['source'] } } },
  test: {
    include: ['test/**/*.test.ts'],
    // One MongoDB engine and one private redis-server for the whole run.
    globalSetup: ['./test/global-setup.ts'],
    env: { LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'silent' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
