#!/usr/bin/env node
/**
 * `npm start`: the whole platform on one machine.
 *
 * Installs dependencies when node_modules is missing, starts redis-server and the embedded
 * MongoDB-compatible engine (unless REDIS_URL / MONGO_URI point elsewhere), every service that
 * exists in the repository, and the gateway; waits until each is healthy; seeds the demo tenant
 * (admin + two users, through auth-service's own seed) and funds the two users' wallets with
 * deposits through the gateway under fixed idempotency keys, so running it again adds nothing.
 * Ctrl-C stops everything it started, gateway first, databases last.
 *
 * Secrets (INTERNAL_CONTEXT_SECRET, JWT_SECRET, OTP_SECRET, ...) are generated per run and
 * never written to disk. Data lives in .data/dev (git-ignored) so the demo survives restarts.
 *
 * Plain JavaScript (no tsx) because it must run before `npm install` has installed tsx.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = process.env;
const dataDir = join(root, '.data', 'dev');
const brand = env.BRAND ?? 'demo';
const children = [];
let stopping = false;

const SERVICES = [
  { name: 'auth-service', port: 4001, urlEnv: 'AUTH_SERVICE_URL' },
  { name: 'payment-service', port: 4002, urlEnv: 'PAYMENT_SERVICE_URL' },
  { name: 'bonus-service', port: 4003, urlEnv: 'BONUS_SERVICE_URL' },
  { name: 'notification-service', port: 4004, urlEnv: 'NOTIFICATION_SERVICE_URL' },
];
const GATEWAY_PORT = Number(env.GATEWAY_PORT ?? 4000);
const DEMO = { tenantId: 'demo', password: 'demo-password-2026', admin: 'admin@demo.local', users: ['alice@demo.local', 'bob@demo.local'], deposit: 100_000, currency: 'EUR' };

function say(message) {
  process.stdout.write(`[start] ${message}\n`);
}

function secret() {
  return randomBytes(32).toString('hex');
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a child in its own process group, so stopping it stops everything it started. */
function start(name, command, args, options = {}) {
  const child = spawn(command, args, {
    cwd: options.cwd ?? root,
    env: { ...env, ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = (stream, target) => {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (options.quiet !== true || /error|fatal|fail/i.test(line)) target.write(`[${name}] ${line}\n`);
    });
  };
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  const entry = { name, child, exited: false };
  child.on('exit', (code, signal) => {
    entry.exited = true;
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping everything`);
      void stopAll(1);
    }
  });
  children.push(entry);
  return entry;
}

function firstLine(entry, pattern, timeoutMs) {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${entry.name} did not start within ${timeoutMs} ms`)), timeoutMs);
    entry.child.stdout.on('data', (chunk) => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    entry.child.once('exit', () => reject(new Error(`${entry.name} exited before it was ready`)));
  });
}

/** Polls a health endpoint until it answers 200; fails when the process exits or time is up. */
async function waitHealthy(entry, url, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (entry.exited) throw new Error(`${entry.name} exited before it was healthy`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${entry.name} not healthy at ${url} after ${timeoutMs} ms (last answer: ${last})`);
}

async function stopAll(exitCode) {
  if (stopping) return;
  stopping = true;
  say('stopping…');
  for (const entry of [...children].reverse()) {
    if (entry.exited) continue;
    try {
      process.kill(-entry.child.pid, 'SIGTERM');
    } catch {
      continue;
    }
    const exited = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 15_000);
      entry.child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!exited) {
      say(`${entry.name} did not stop in 15 s; killing it`);
      try {
        process.kill(-entry.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  say('stopped');
  process.exit(exitCode);
}

async function graphql(url, query, variables, token) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors?.length) throw new Error(`${query.trim().split('\n')[0]}: ${body.errors.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ')}`);
  return body.data;
}

async function seed(gatewayUrl) {
  const LOGIN = 'mutation Login($input: LoginInput!) { login(input: $input) { accessToken user { id email } } }';
  const login = (email) => graphql(gatewayUrl, LOGIN, { input: { email, password: DEMO.password, tenantId: DEMO.tenantId } }).then((d) => d.login);
  const admin = await login(DEMO.admin);
  const funded = [];
  for (const email of DEMO.users) {
    const user = await login(email);
    // A fixed key per user: a second `npm start` replays the first deposit instead of adding one.
    await graphql(
      gatewayUrl,
      'mutation Fund($input: DepositInput!) { deposit(input: $input) { id amount } }',
      { input: { userId: user.user.id, amount: DEMO.deposit, currency: DEMO.currency, idempotencyKey: `demo-seed-${user.user.id}-${DEMO.currency}` } },
      admin.accessToken,
    );
    const wallets = await graphql(gatewayUrl, '{ myWallets { currency balance } }', {}, user.accessToken);
    funded.push({ email, wallets: wallets.myWallets });
  }
  return funded;
}

async function main() {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void stopAll(0));

  if (!existsSync(join(root, 'node_modules'))) {
    say('node_modules missing: npm install');
    const result = spawnSync('npm', ['install'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) throw new Error('npm install failed');
  }
  mkdirSync(join(dataDir, 'mongo'), { recursive: true });

  let redisUrl = env.REDIS_URL;
  if (!redisUrl) {
    const port = await freePort();
    const redis = start('redis', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { quiet: true });
    await firstLine(redis, /Ready to accept connections/, 20_000);
    redisUrl = `redis://127.0.0.1:${port}`;
  }
  say(`redis ${redisUrl}`);

  let mongoUri = env.MONGO_URI;
  if (!mongoUri) {
    const port = await freePort();
    const mongo = start('embedded-mongo', process.execPath, [join(root, 'scripts/embedded-mongo/bin/embedded-mongo.js'), '--port', String(port), '--dbpath', join(dataDir, 'mongo')], { quiet: true });
    const [, uri] = await firstLine(mongo, /embedded-mongo ready (\S+)/, 60_000);
    mongoUri = uri;
  }
  say(`mongo ${mongoUri}`);

  const secrets = {
    INTERNAL_CONTEXT_SECRET: secret(),
    JWT_SECRET: secret(),
    OTP_SECRET: secret(),
    PAGINATION_CURSOR_SECRET: secret(),
  };
  const common = { ...secrets, MONGO_URI: mongoUri, REDIS_URL: redisUrl, BRAND: brand, LOG_LEVEL: env.LOG_LEVEL ?? 'warn', NODE_ENV: env.NODE_ENV ?? 'development' };

  const present = SERVICES.filter((s) => {
    const pkg = join(root, s.name, 'package.json');
    return existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).scripts?.start !== undefined;
  });
  const urls = {};
  const started = present.map((service) => {
    const entry = start(service.name, 'npm', ['run', 'start', '-w', service.name, '--silent'], {
      env: { ...common, PORT: String(service.port), HOST: '127.0.0.1', ...(service.name === 'auth-service' ? { SEED_DEMO: '1' } : {}) },
    });
    urls[service.urlEnv] = `http://127.0.0.1:${service.port}/graphql`;
    return { service, entry };
  });
  for (const { service, entry } of started) {
    await waitHealthy(entry, `http://127.0.0.1:${service.port}/health/ready`);
    say(`${service.name} healthy on :${service.port}`);
  }

  const gateway = start('gateway', 'npm', ['run', 'start', '-w', 'gateway', '--silent'], {
    env: { ...common, ...urls, PORT: String(GATEWAY_PORT), HOST: '127.0.0.1', SUPERGRAPH: env.SUPERGRAPH ?? 'introspect' },
  });
  await waitHealthy(gateway, `http://127.0.0.1:${GATEWAY_PORT}/health/ready`);
  const gatewayUrl = `http://127.0.0.1:${GATEWAY_PORT}/graphql`;
  say('gateway healthy');

  let funded = [];
  try {
    funded = await seed(gatewayUrl);
  } catch (error) {
    say(`demo funding failed: ${error.message}`);
  }

  const lines = [
    '',
    'Payment platform is up.',
    `  GraphQL         ${gatewayUrl}`,
    `  Live (SSE)      http://127.0.0.1:${GATEWAY_PORT}/graphql/stream`,
    `  Live (Socket.IO) ws://127.0.0.1:${GATEWAY_PORT}/socket.io  (auth: { token })`,
    `  Health          http://127.0.0.1:${GATEWAY_PORT}/health/ready   Metrics http://127.0.0.1:${GATEWAY_PORT}/metrics`,
    ...present.map((s) => `  ${s.name.padEnd(16)}http://127.0.0.1:${s.port}/graphql (signed gateway requests only)`),
    '',
    `Demo tenant "${DEMO.tenantId}", password for every account: ${DEMO.password}`,
    `  admin  ${DEMO.admin}`,
    ...funded.map((f) => `  user   ${f.email}  ${f.wallets.map((w) => `${w.currency} ${w.balance}`).join(', ')}`),
    '',
    'login: mutation { login(input: { email: "alice@demo.local", password: "demo-password-2026", tenantId: "demo" }) { accessToken } }',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((error) => {
  say(`failed: ${error.message}`);
  void stopAll(1);
});
