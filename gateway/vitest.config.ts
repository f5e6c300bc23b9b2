import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    conditions: ['source'],
    // One copy of graphql for our sources and for Apollo (see core-service/vitest.config.ts).
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  environments: { __vitest__: { resolve: { conditions: ['source'] } }, ssr: { resolve: { conditions: ['source'] } } },
  test: {
    include: ['test/**/*.test.ts'],
    env: { LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'silent' },
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
