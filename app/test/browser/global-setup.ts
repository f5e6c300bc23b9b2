import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview } from 'vite';
import type { TestProject } from 'vitest/node';
import { startPlatform, type Platform } from '../../../scripts/dev/platform.mjs';
import { gatewayProxy } from '../../vite.config.js';
import { APP_KEY, type BrowserTestEnv } from './support/env.js';

/**
 * `npm run build -w app`, in-process. Vitest sets NODE_ENV=test, which would make Vite bundle
 * React's development build: the bundle measured must be the one shipped.
 */
async function buildForProduction(appDir: string): Promise<void> {
  const before = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({ root: appDir, mode: 'production', logLevel: 'warn', build: { outDir: join(appDir, 'dist'), emptyOutDir: true } });
  } finally {
    process.env['NODE_ENV'] = before;
  }
}

/**
 * The browser suite's world, set up once per run: the platform as `npm start` boots it
 * (scripts/dev/platform.mjs: engine, redis-server, every service, the gateway), the app built
 * for production and served by `vite preview` with the same proxy as the dev server. The bundle
 * the browser loads is the bundle the size test measures.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const appDir = join(import.meta.dirname, '..', '..');
  const dataDir = mkdtempSync(join(tmpdir(), 'app-browser-'));
  const output: string[] = [];
  let platform: Platform | undefined;
  let server: Awaited<ReturnType<typeof preview>> | undefined;
  try {
    // Built before the platform starts: the build briefly sets NODE_ENV, which the platform's
    // processes must not inherit (production refuses the embedded engine).
    await buildForProduction(appDir);
    const started = await startPlatform({
      dataDir,
      freePorts: true,
      brand: `app${process.pid}`,
      env: {
        // Every page's requests reach the gateway from the preview proxy's one address.
        RATE_LIMIT_IP: '1000000',
        RATE_LIMIT_USER: '1000000',
      },
      output: (line) => {
        output.push(line);
        if (output.length > 300) output.shift();
      },
    });
    platform = started;
    server = await preview({
      root: appDir,
      logLevel: 'warn',
      preview: { port: 0, strictPort: false, host: '127.0.0.1', proxy: gatewayProxy(platform.gatewayBase) },
      build: { outDir: join(appDir, 'dist') },
    });
  } catch (error) {
    await platform?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`browser test world did not start: ${(error as Error).message}\n${output.slice(-60).join('\n')}`);
  }
  const address = server.resolvedUrls?.local[0];
  if (!address) throw new Error('vite preview did not report its URL');
  const env: BrowserTestEnv = { appUrl: address.replace(/\/$/, ''), gatewayUrl: platform.gatewayUrl, distDir: join(appDir, 'dist'), providerSinksUrl: platform.providerSinksUrl };
  project.provide(APP_KEY, env);
  return async () => {
    await new Promise<void>((resolve) => server!.httpServer.close(() => resolve()));
    await platform!.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
