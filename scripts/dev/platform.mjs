/**
 * Boots the platform as separate processes: redis-server and the embedded MongoDB-compatible
 * engine (unless given URLs), every service that exists in the repository, and the gateway.
 * Used by `npm start` (scripts/dev/start.mjs) and by the gateway's end-to-end tests, so both
 * run the platform the same way.
 *
 * Plain JavaScript (no tsx) because `npm start` must run before `npm install` has installed tsx.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SERVICES = [
  { name: 'auth-service', port: 4001, urlEnv: 'AUTH_SERVICE_URL' },
  { name: 'payment-service', port: 4002, urlEnv: 'PAYMENT_SERVICE_URL' },
  { name: 'bonus-service', port: 4003, urlEnv: 'BONUS_SERVICE_URL' },
  { name: 'notification-service', port: 4004, urlEnv: 'NOTIFICATION_SERVICE_URL' },
];

export const DEMO = { tenantId: 'demo', password: 'demo-password-2026', admin: 'admin@demo.local', users: ['alice@demo.local', 'bob@demo.local'], deposit: 100_000, currency: 'EUR' };

/**
 * A port for a test platform's process, chosen so that two platforms booting at once on one
 * machine (CI runs several test files that each boot one) never get the same port, and no
 * outgoing connection takes it between choosing and listening. Asking the OS for port 0 and
 * releasing it does neither: the next `listen(0)` elsewhere, or the ephemeral source port of
 * any outgoing connection, can be that same port a moment later (it happened: a payment-service
 * answered at another platform's notification URL). So ports come from below the ephemeral range
 * (Linux's starts at 32768) and each is claimed by an exclusively created lock file naming the
 * claiming process; a lock whose process is gone is taken over. Locks are never released on
 * purpose: a platform's processes keep their ports for restarts, and the owner's exit frees them.
 */
const PORT_LOCKS = join(tmpdir(), 'payment-platform-ports');
const PORT_RANGE = { from: 20_000, to: 32_000 };

export async function freePort() {
  mkdirSync(PORT_LOCKS, { recursive: true });
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = PORT_RANGE.from + randomInt(PORT_RANGE.to - PORT_RANGE.from);
    if (!claimPort(port)) continue;
    if (await isPortFree(port)) return port;
  }
  throw new Error(`no free port in ${PORT_RANGE.from}-${PORT_RANGE.to} after 200 attempts`);
}

function claimPort(port) {
  const lock = join(PORT_LOCKS, String(port));
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
  const owner = Number(readFileSync(lock, 'utf8'));
  if (owner === process.pid || isAlive(owner)) return false;
  // The owner is gone: take the lock over (a rename is atomic, so two takers cannot both win).
  const mine = `${lock}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  renameSync(mine, lock);
  return Number(readFileSync(lock, 'utf8')) === process.pid;
}

function isAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * Whether a live process is left in process group `pgid`. A service runs as npm → sh → tsx →
 * node, and npm and sh end at a signal before the node process has drained: the group, not the
 * spawned process, says when the service is gone. kill(2) also reaches zombies nobody has reaped
 * yet (a container without an init), so on Linux the members' states are read.
 */
function isGroupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // After the command name: state, ppid, pgrp.
    const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(group) === pgid && state !== 'Z') return true;
  }
  return false;
}

/**
 * Resolves true once process group `pgid` is empty, false after `timeoutMs`. Polled: no event
 * reports the exit of a process that is not our child.
 */
async function groupGone(pgid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (isGroupAlive(pgid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/**
 * Transactions a killed process left open hold their documents until the server aborts them at
 * this limit (MongoDB's default is 60 s; deploy/README.md sets the same 5 s on real clusters), so
 * a crash costs the wallets it was touching seconds, not a minute. Money transactions last
 * milliseconds; core-service retries a conflicting one for 10 s before answering
 * MSCoreTransactionConflict.
 */
const TRANSACTION_LIFETIME_SECONDS = 5;
/** Whether nothing listens on 127.0.0.1:port (a listen attempt, not a connect: no false "free"). */
export function isPortFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function secret() {
  return randomBytes(32).toString('hex');
}

/**
 * @param {object} options
 * @param {string} options.dataDir            where the engine keeps its data
 * @param {string} [options.redisUrl]         use this Redis instead of starting one
 * @param {string} [options.mongoUri]         use this MongoDB instead of the embedded engine
 * @param {boolean} [options.freePorts]       pick free ports (tests) instead of 4000-4004
 * @param {string} [options.brand]
 * @param {Record<string,string>} [options.env]  extra environment for every service and the gateway
 * @param {number} [options.readyTimeoutMs]   how long the whole start may take (default 180 s); a
 *   test passes less than its hook timeout, so a slow start fails with the processes' output
 * @param {(line: string) => void} [options.output]  where child output goes (default: dropped)
 * @param {(message: string) => void} [options.say]
 * @param {(name: string, code: unknown) => void} [options.onUnexpectedExit]
 */
export async function startPlatform(options) {
  const children = [];
  let stopping = false;
  const say = options.say ?? (() => undefined);
  const output = options.output ?? (() => undefined);
  const brand = options.brand ?? 'demo';
  const startDeadline = Date.now() + (options.readyTimeoutMs ?? 180_000);

  /**
   * Starts a process in its own group. `startOptions.ready` says when it is ready: a stdout line
   * pattern (`{ line, timeoutMs }`) or a health URL (`{ url }`); `restart` uses it again.
   */
  function start(name, command, args, startOptions = {}) {
    const entry = { name, command, args, startOptions, child: undefined, exited: false, exit: undefined };
    spawnInto(entry);
    children.push(entry);
    return entry;
  }

  function spawnInto(entry) {
    const { name, command, args, startOptions } = entry;
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...startOptions.env },
      // Its own process group: stopping it stops everything it started (npm → sh → tsx → node).
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lineStream = (stream) => {
      let buffered = '';
      stream.on('data', (chunk) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) if (startOptions.quiet !== true || /error|fatal|fail/i.test(line)) output(`[${name}] ${line}`);
      });
    };
    lineStream(child.stdout);
    lineStream(child.stderr);
    entry.child = child;
    entry.exited = false;
    entry.exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    child.once('exit', (code, signal) => {
      entry.exited = true;
      if (!stopping && !entry.killedOnPurpose) options.onUnexpectedExit?.(name, signal ?? code);
    });
  }

  /** Waits for a process to be ready, within its own limit and what is left of the start's. */
  async function waitReady(entry, deadline = startDeadline) {
    const ready = entry.startOptions.ready;
    const left = Math.max(1_000, deadline - Date.now());
    if (ready?.line) return firstLine(entry, ready.line, Math.min(ready.timeoutMs ?? 60_000, left));
    if (ready?.url) return waitHealthy(entry, ready.url, left);
    return undefined;
  }

  function entryNamed(name) {
    const entry = children.find((candidate) => candidate.name === name);
    if (!entry) throw new Error(`no process named ${name} (have: ${children.map((c) => c.name).join(', ')})`);
    return entry;
  }

  /** Kills a process and everything it started (chaos runs: SIGKILL, no clean-up). */
  async function kill(name, signal = 'SIGKILL') {
    const entry = entryNamed(name);
    if (entry.exited) return;
    entry.killedOnPurpose = true;
    try {
      process.kill(-entry.child.pid, signal);
    } catch {
      // already gone
    }
    await entry.exit;
    // A restart listens on the same port: nothing of the old process may be left.
    await groupGone(entry.child.pid, 15_000);
  }

  /** Starts a killed process again with the same command, port and environment; resolves when ready. */
  async function restart(name) {
    const entry = entryNamed(name);
    if (!entry.exited) await kill(name);
    entry.killedOnPurpose = false;
    spawnInto(entry);
    await waitReady(entry, Date.now() + 180_000);
  }

  async function stop() {
    if (stopping) return;
    stopping = true;
    for (const entry of [...children].reverse()) {
      if (entry.exited) continue;
      try {
        process.kill(-entry.child.pid, 'SIGTERM');
      } catch {
        continue;
      }
      // The group, not the spawned npm: the service itself drains after npm has ended, and the
      // processes stopped after it (Redis, the engine) must outlive that drain.
      if (!(await groupGone(entry.child.pid, 15_000))) {
        say(`${entry.name} did not stop in 15 s; killing it`);
        try {
          process.kill(-entry.child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
        await groupGone(entry.child.pid, 5_000);
      }
    }
  }

  try {
    mkdirSync(join(options.dataDir, 'mongo'), { recursive: true });
    let redisUrl = options.redisUrl;
    if (!redisUrl) {
      const port = await freePort();
      const redis = start('redis', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        quiet: true,
        ready: { line: /Ready to accept connections/, timeoutMs: 20_000 },
      });
      await waitReady(redis);
      redisUrl = `redis://127.0.0.1:${port}`;
    }
    say(`redis ${redisUrl}`);

    let mongoUri = options.mongoUri;
    if (!mongoUri) {
      const port = await freePort();
      const mongo = start(
        'embedded-mongo',
        process.execPath,
        [
          join(ROOT, 'scripts/embedded-mongo/bin/embedded-mongo.js'),
          '--port',
          String(port),
          '--dbpath',
          join(options.dataDir, 'mongo'),
          '--setParameter',
          `transactionLifetimeLimitSeconds=${TRANSACTION_LIFETIME_SECONDS}`,
        ],
        {
          quiet: true,
          ready: { line: /embedded-mongo ready (\S+)/, timeoutMs: 60_000 },
        },
      );
      const [, uri] = await waitReady(mongo);
      mongoUri = uri;
    }
    say(`mongo ${mongoUri}`);

    const common = {
      INTERNAL_CONTEXT_SECRET: secret(),
      JWT_SECRET: secret(),
      OTP_SECRET: secret(),
      OTP_DELIVERY_KEY: secret(),
      PAGINATION_CURSOR_SECRET: secret(),
      MONGO_URI: mongoUri,
      REDIS_URL: redisUrl,
      BRAND: brand,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      NODE_ENV: process.env.NODE_ENV ?? 'development',
      ...options.env,
    };

    // A service exists once its folder has a start script and an entry point to run.
    const present = SERVICES.filter((s) => {
      const pkg = join(ROOT, s.name, 'package.json');
      return existsSync(pkg) && existsSync(join(ROOT, s.name, 'src', 'index.ts')) && JSON.parse(readFileSync(pkg, 'utf8')).scripts?.start !== undefined;
    });
    if (!options.freePorts) {
      // Fixed ports (npm start): something else answering there would pass the health checks
      // and fail the platform midway, so refuse up front and say which port is taken.
      const wanted = [...present.map((service) => ({ name: service.name, port: service.port })), { name: 'gateway', port: Number(process.env.GATEWAY_PORT ?? 4000) }];
      const taken = [];
      for (const { name, port } of wanted) if (!(await isPortFree(port))) taken.push(`${port} (${name})`);
      if (taken.length > 0) throw new Error(`port ${taken.join(', ')} already in use: stop what listens there (npm start uses 4000-4004; GATEWAY_PORT moves the gateway)`);
    }
    const services = [];
    const urls = {};
    const ports = {};
    for (const service of present) ports[service.name] = options.freePorts ? await freePort() : service.port;
    const providerSinks = present.some((service) => service.name === 'notification-service') ? await startProviderSinks(start, waitReady, common, options, ports['notification-service']) : null;
    if (providerSinks) say(`provider sinks: SMTP ${providerSinks.env.SMTP_URL}, inspection ${providerSinks.apiUrl}`);
    for (const service of present) {
      const port = ports[service.name];
      const perService = { 'auth-service': { SEED_DEMO: '1' }, 'notification-service': providerSinks?.env ?? {} }[service.name] ?? {};
      const entry = start(service.name, 'npm', ['run', 'start', '-w', service.name, '--silent'], {
        env: { ...common, PORT: String(port), HOST: '127.0.0.1', ...perService },
        ready: { url: `http://127.0.0.1:${port}/health/ready` },
      });
      urls[service.urlEnv] = `http://127.0.0.1:${port}/graphql`;
      services.push({ name: service.name, port, url: urls[service.urlEnv], entry });
    }
    for (const service of services) {
      await waitReady(service.entry);
      say(`${service.name} healthy on :${service.port}`);
    }

    const gatewayPort = options.freePorts ? await freePort() : Number(process.env.GATEWAY_PORT ?? 4000);
    const gateway = start('gateway', 'npm', ['run', 'start', '-w', 'gateway', '--silent'], {
      env: { ...common, ...urls, PORT: String(gatewayPort), HOST: '127.0.0.1', SUPERGRAPH: process.env.SUPERGRAPH ?? 'introspect' },
      ready: { url: `http://127.0.0.1:${gatewayPort}/health/ready` },
    });
    await waitReady(gateway);
    say('gateway healthy');
    return {
      gatewayUrl: `http://127.0.0.1:${gatewayPort}/graphql`,
      gatewayBase: `http://127.0.0.1:${gatewayPort}`,
      redisUrl,
      mongoUri,
      brand,
      services: services.map(({ name, port, url }) => ({ name, port, url })),
      /** The local SMTP/Twilio recorders' inspection API (GET /emails, GET /sms), or null with real providers. */
      providerSinksUrl: providerSinks?.apiUrl ?? null,
      processes: children,
      env: common,
      kill,
      restart,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Development stand-ins for the mail relay and Twilio (notification-service/src/dev-providers),
 * unless SMTP_URL names a real relay. Returns the environment notification-service needs to use
 * them, and where to read what they received.
 */
async function startProviderSinks(start, waitReady, common, options, notificationPort) {
  if (common.SMTP_URL ?? process.env.SMTP_URL) return null;
  const pick = async (fixed) => (options.freePorts ? await freePort() : fixed);
  const [smtpPort, twilioPort, apiPort] = [await pick(2525), await pick(4010), await pick(4011)];
  const twilio = { TWILIO_ACCOUNT_SID: `AC${randomBytes(16).toString('hex')}`, TWILIO_AUTH_TOKEN: secret() };
  const entry = start('provider-sinks', 'npm', ['run', 'providers', '-w', 'notification-service', '--silent'], {
    env: { ...common, ...twilio, SMTP_SINK_PORT: String(smtpPort), TWILIO_SINK_PORT: String(twilioPort), PROVIDER_SINK_API_PORT: String(apiPort) },
    ready: { line: /provider sinks ready/, timeoutMs: 60_000 },
  });
  await waitReady(entry);
  return {
    apiUrl: `http://127.0.0.1:${apiPort}`,
    env: {
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      ...twilio,
      TWILIO_FROM: '+15005550006',
      TWILIO_API_URL: `http://127.0.0.1:${twilioPort}`,
      TWILIO_STATUS_CALLBACK_URL: `http://127.0.0.1:${notificationPort}/providers/twilio/status`,
    },
  };
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
    entry.child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`${entry.name} exited before it was ready`));
    });
  });
}

/** Polls a health endpoint until it answers 200; fails when the process exits or time is up. */
async function waitHealthy(entry, url, timeoutMs) {
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

export async function graphql(url, query, variables, token) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors?.length) throw new Error(`${query.trim().split('\n')[0]}: ${body.errors.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ')}`);
  return body.data;
}

/**
 * Funds the demo users through the gateway, as the admin. A fixed idempotency key per user: a
 * second run replays the first deposit instead of adding one.
 */
export async function fundDemoUsers(gatewayUrl) {
  const LOGIN = 'mutation Login($input: LoginInput!) { login(input: $input) { accessToken user { id email } } }';
  const login = (email) => graphql(gatewayUrl, LOGIN, { input: { email, password: DEMO.password, tenantId: DEMO.tenantId } }).then((d) => d.login);
  const admin = await login(DEMO.admin);
  const funded = [];
  for (const email of DEMO.users) {
    const user = await login(email);
    try {
      await graphql(
        gatewayUrl,
        'mutation Fund($input: DepositInput!) { deposit(input: $input) { id amount } }',
        { input: { userId: user.user.id, amount: DEMO.deposit, currency: DEMO.currency, idempotencyKey: `demo-seed-${user.user.id}-${DEMO.currency}` } },
        admin.accessToken,
      );
    } catch (error) {
      // The key is this user's seed deposit and nothing else: "reused" means it was funded by an
      // earlier run (payment-service compares more than the input, e.g. the admin's session).
      if (!String(error.message).includes('MSPaymentIdempotencyKeyReused')) throw error;
    }
    const wallets = await graphql(gatewayUrl, '{ myWallets { currency balance } }', {}, user.accessToken);
    funded.push({ email, wallets: wallets.myWallets });
  }
  return funded;
}
