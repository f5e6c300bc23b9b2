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
    // Deliveries are awaited on conditions, bounded generously (45 s each): on a loaded 2-core CI
    // machine running every package's suite at once, one file took 450 s and a 15 s bound on an
    // email failed. The bounds catch a delivery that never comes, they time nothing.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
