#!/usr/bin/env node
/**
 * `npm start`: the whole platform on one machine (see platform.mjs for what runs).
 *
 * Installs dependencies when node_modules is missing; seeds the demo tenant (admin + two users,
 * through auth-service's own seed) and funds the two users through the gateway under fixed
 * idempotency keys, so running it again adds nothing; serves the web app (app/, Vite's dev server on
 * 5173, APP_PORT to move it); prints URLs and credentials. Ctrl-C stops
 * everything it started, gateway first, databases last.
 *
 * Secrets (INTERNAL_CONTEXT_SECRET, JWT_SECRET, OTP_SECRET, OTP_DELIVERY_KEY, PAGINATION_CURSOR_SECRET) are
 * generated per run and never written anywhere. Data lives in .data/dev (git-ignored) so the
 * demo survives restarts; `DEV_FRESH=1 npm start` starts from an empty engine.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const say = (message) => process.stdout.write(`[start] ${message}\n`);

// The project brings its own runtime: the npm package `node` (a root devDependency) installs
// Node 24 as node_modules/.bin/node. On a fresh clone `npm start` runs this file with whatever
// `node` the machine has, so install first, then hand over to the project's runtime.
const projectNode = join(root, 'node_modules', '.bin', 'node');
if (!existsSync(projectNode)) {
  say('dependencies missing: npm install');
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
const REQUIRED_MAJOR = 24;
if (Number(process.versions.node.split('.')[0]) < REQUIRED_MAJOR) {
  const child = spawn(projectNode, [import.meta.filename, ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C reaches the whole foreground group; the child shuts the platform down in order, so
  // this process only waits for it (and passes on a SIGTERM sent to it alone).
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await main();
}

async function main() {
  const { startPlatform, fundDemoUsers, DEMO } = await import('./platform.mjs');
  const dataDir = join(root, '.data', 'dev');
  if (process.env.DEV_FRESH === '1') rmSync(dataDir, { recursive: true, force: true });

  let platform;
  let appServer;
  let stopping = false;
  async function shutdown(code) {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await appServer?.close();
    await platform?.stop();
    say('stopped');
    process.exit(code);
  }
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void shutdown(0));

  try {
    platform = await startPlatform({
      dataDir,
      ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
      ...(process.env.MONGO_URI ? { mongoUri: process.env.MONGO_URI } : {}),
      // The services write to pipes read by this process; they log readable lines when this
      // process's own output is a terminal (core-service/src/logger), JSON otherwise.
      env: { LOG_FORMAT: process.env.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json') },
      output: (line) => process.stdout.write(`${line}\n`),
      say,
      onUnexpectedExit: (name, code) => {
        say(`${name} exited (${String(code)}); stopping everything`);
        void shutdown(1);
      },
    });
  } catch (error) {
    say(`failed: ${error.message}`);
    say('if a service failed on data left by an earlier run, DEV_FRESH=1 npm start starts from an empty engine');
    process.exit(1);
  }

  // The web app (app/): Vite's dev server in this process, proxying /graphql, /graphql/stream and
  // /socket.io to the gateway (app/vite.config.ts reads GATEWAY_URL), so the browser sees one origin.
  if (existsSync(join(root, 'app', 'vite.config.ts'))) {
    try {
      process.env.GATEWAY_URL = platform.gatewayBase;
      const { createServer } = await import('vite');
      appServer = await createServer({ root: join(root, 'app'), configFile: join(root, 'app', 'vite.config.ts'), server: { port: Number(process.env.APP_PORT ?? 5173) } });
      await appServer.listen();
    } catch (error) {
      say(`app dev server failed: ${error.message} (APP_PORT moves it from 5173)`);
      appServer = undefined;
    }
  }

  let funded = [];
  try {
    funded = await fundDemoUsers(platform.gatewayUrl);
  } catch (error) {
    say(`demo funding failed: ${error.message}`);
  }

  const base = platform.gatewayBase;
  // One column wide enough for the longest service name.
  const label = (text) => text.padEnd(22);
  process.stdout.write(
    [
      '',
      'Payment platform is up.',
      ...(appServer ? [`  ${label('App')}${appServer.resolvedUrls?.local[0] ?? `http://127.0.0.1:${appServer.config.server.port}/`}  (admin console: /admin)`] : []),
      `  ${label('GraphQL')}${platform.gatewayUrl}`,
      `  ${label('Live (SSE)')}${base}/graphql/stream`,
      `  ${label('Live (Socket.IO)')}${base.replace('http', 'ws')}/socket.io  (auth: { token })`,
      `  ${label('Health, metrics')}${base}/health/ready  ${base}/metrics`,
      ...platform.services.map((s) => `  ${label(s.name)}${s.url} (accepts signed gateway requests only)`),
      '',
      `Demo tenant "${DEMO.tenantId}", password for every account: ${DEMO.password}`,
      `  admin  ${DEMO.admin}`,
      ...funded.map((f) => `  user   ${f.email}  ${f.wallets.map((w) => `${w.currency} ${w.balance}`).join(', ')}`),
      '',
      `  mutation { login(input: { email: "alice@demo.local", password: "${DEMO.password}", tenantId: "${DEMO.tenantId}" }) { accessToken } }`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}
