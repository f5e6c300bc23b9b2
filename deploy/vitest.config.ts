import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    conditions: ['source'],
    // One copy of graphql for workspace sources and Apollo (see core-service/vitest.config.ts).
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  // Test files run in the `ssr` environment, which does not inherit the top-level conditions:
  // without it workspace packages (core-service, the services' metrics) cannot load from source.
  environments: { ssr: { resolve: { conditions: ['source'] } } },
  test: {
    include: ['test/**/*.test.ts'],
    env: { LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'silent' },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
