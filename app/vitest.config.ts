import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // jsdom and simulated typing are slow on a loaded 2-core machine: the default 5 s is not a bound on anything.
        test: { name: 'unit', include: ['test/unit/**/*.test.{ts,tsx}'], environment: 'jsdom', setupFiles: ['test/unit/setup.ts'], testTimeout: 30_000 },
      },
      {
        // A built bundle served by `vite preview` in front of the platform booted once per run
        // the way `npm start` boots it (test/browser/global-setup.ts), driven by Chromium.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/browser/global-setup.ts'],
          // Generous for loaded CI machines; every wait inside is on a condition.
          testTimeout: 300_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
