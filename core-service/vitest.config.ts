import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    conditions: ['source'],
    // graphql 16 ships CJS (`main`) and ESM (`module`) without an `exports` map: Vite would give
    // our sources the ESM copy while Node gives Apollo and graphql-query-complexity the CJS one,
    // and graphql-js refuses types from "another module or realm". Node's choice for everyone.
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  // The global setup runs in Vitest's own `__vitest__` environment, which does not inherit the
  // top-level conditions; without this it cannot load workspace packages from source.
  // The test files run in the `ssr` environment, which does not inherit them either: without
  // it `access-engine` (a source-only workspace package) cannot be imported by core-service/access.
  environments: { __vitest__: { resolve: { conditions: ['source'] } }, ssr: { resolve: { conditions: ['source'] } } },
  test: {
    include: ['test/**/*.test.ts'],
    // One MongoDB engine and one private redis-server for the whole run (core-service/testing).
    globalSetup: ['./src/testing/global-setup.ts'],
    // SDK log lines would bury test output; tests that check logging capture their own stream.
    env: { LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'silent' },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
