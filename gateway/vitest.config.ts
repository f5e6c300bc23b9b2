import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const shared = {
  resolve: {
    conditions: ['source'],
    // One copy of graphql for our sources and for Apollo (see core-service/vitest.config.ts).
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  environments: { __vitest__: { resolve: { conditions: ['source'] } }, ssr: { resolve: { conditions: ['source'] } } },
};

export default defineConfig({
  ...shared,
  test: {
    env: { LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'silent' },
    projects: [
      { ...shared, test: { name: 'unit', include: ['test/*.test.ts'], testTimeout: 60_000 } },
      {
        ...shared,
        // Every file here talks to one platform booted once per run (test/support/global-platform.ts).
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: ['test/support/global-platform.ts'], testTimeout: 120_000, hookTimeout: 180_000 },
      },
    ],
  },
});
