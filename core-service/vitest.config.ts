import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  // The global setup runs in Vitest's own `__vitest__` environment, which does not inherit the
  // top-level conditions; without this it cannot load workspace packages from source.
  environments: { __vitest__: { resolve: { conditions: ['source'] } } },
  test: {
    include: ['test/**/*.test.ts'],
    // One MongoDB engine and one private redis-server for the whole run (core-service/testing).
    globalSetup: ['./src/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
