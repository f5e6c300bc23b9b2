#!/usr/bin/env node
/**
 * `npm run chaos`: the platform as `npm start` runs it, concurrent transfers through the gateway
 * by clients that retry on the same idempotency key, and SIGKILLs of every part (each service,
 * the gateway, Redis, the engine) at random moments, each restarted at once. Then it checks what
 * a payment platform must never get wrong:
 *
 *   - no acknowledged transfer lost and none doubled: every user's balance equals its deposit
 *     plus what acknowledged transfers gave and took;
 *   - every replay of an acknowledged key returns the first transfer;
 *   - the books balance (reconciliation: each wallet equals its ledger, sums are zero);
 *   - every outbox is drained;
 *   - the time from each kill to the next successful transfer stays under a bound.
 *
 * Prints a report (and writes it as JSON with --report=FILE); exits 1 on any violation.
 *
 *   npm run chaos                       # 3 minutes, a kill every ~12 s
 *   npm run chaos -- --short            # each part killed once, ~5 s apart, at least 30 s (CI, after npm test's suites)
 *   npm run chaos -- --duration=600 --clients=32 --kill-every=8 --recovery-bound=30
 *
 * Plain JavaScript like scripts/dev/platform.mjs, which it drives. The retry pauses below pace a
 * load generator; they synchronise nothing.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { DEMO, startPlatform } from '../dev/platform.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key, value ?? 'true'];
  }),
);
const short = args.short === 'true';
const settings = {
  durationSeconds: Number(args.duration ?? (short ? 30 : 180)),
  clients: Number(args.clients ?? 16),
  users: Number(args.users ?? 12),
  killEverySeconds: Number(args['kill-every'] ?? (short ? 5 : 12)),
  recoveryBoundSeconds: Number(args['recovery-bound'] ?? 20),
  /** How long one client keeps retrying one key before the run counts it as never decided. */
  decideWithinSeconds: Number(args['decide-within'] ?? 120),
  targets: (args.targets ?? 'payment-service,gateway,auth-service,redis,embedded-mongo').split(','),
};
const DEPOSIT = 10_000_000;
const CURRENCY = 'EUR';
const say = (message) => process.stdout.write(`[chaos] ${message}\n`);

const TRANSFER = 'mutation Send($input: CreateTransferInput!) { createTransfer(input: $input) { id status amount fromUserId toUserId } }';
const REGISTER = 'mutation Register($input: RegisterInput!) { register(input: $input) { user { id } } }';
const LOGIN = 'mutation Login($input: LoginInput!) { login(input: $input) { accessToken user { id } } }';

async function post(url, query, variables, token) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  try {
    return { status: response.status, ...JSON.parse(text) };
  } catch {
    return { status: response.status, errors: [{ message: text.slice(0, 200), extensions: { code: `HTTP_${response.status}` } }] };
  }
}

/** Calls until there is data (a restart in progress answers errors); gives up after `seconds`. */
async function until(url, query, variables, token, seconds = 120) {
  const deadline = Date.now() + seconds * 1000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const answer = await post(url, query, variables, token);
      if (!answer.errors?.length) return answer.data;
      last = JSON.stringify(answer.errors[0]);
    } catch (error) {
      last = error.message;
    }
    await pause(250);
  }
  throw new Error(`${query.split('(')[0]} never succeeded: ${last}`);
}

const dataDir = mkdtempSync(join(tmpdir(), 'chaos-'));
const started = Date.now();
const platform = await startPlatform({
  dataDir,
  freePorts: true,
  brand: `chaos${process.pid}`,
  env: { RATE_LIMIT_USER: '100000000', RATE_LIMIT_IP: '100000000', LOG_LEVEL: 'error' },
  say,
});
say(`platform up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    say(`${signal}: stopping the platform`);
    void platform.stop().finally(() => process.exit(130));
  });
}
const url = platform.gatewayUrl;

const report = { settings, kills: [], acknowledged: 0, refused: 0, undecided: 0, errorsSeen: {}, errorSamples: {}, violations: [] };
/** Counts an error clients saw, keeping its first few distinct messages (what an untyped error said). */
function sawError(code, message) {
  report.errorsSeen[code] = (report.errorsSeen[code] ?? 0) + 1;
  const samples = (report.errorSamples[code] ??= []);
  if (message !== undefined && samples.length < 3 && !samples.includes(message)) samples.push(message);
}
let exitCode = 0;
try {
  // Users, funded from the external account by the demo admin.
  const adminLogin = async () => (await until(url, LOGIN, { input: { email: DEMO.admin, password: DEMO.password, tenantId: DEMO.tenantId } })).login.accessToken;
  let adminToken = await adminLogin();
  const password = 'chaos-password-2026!';
  const users = [];
  for (let i = 0; i < settings.users; i++) {
    const email = `chaos-${i}-${randomUUID().slice(0, 6)}@chaos.local`;
    await until(url, REGISTER, { input: { email, password, displayName: `chaos ${i}`, tenantId: DEMO.tenantId } });
    const { login } = await until(url, LOGIN, { input: { email, password, tenantId: DEMO.tenantId } });
    users.push({ id: login.user.id, email, token: login.accessToken, expected: DEPOSIT });
    await until(
      url,
      'mutation D($input: DepositInput!) { deposit(input: $input) { id } }',
      { input: { userId: login.user.id, amount: DEPOSIT, currency: CURRENCY, idempotencyKey: `chaos-fund-${login.user.id}` } },
      adminToken,
    );
  }
  const relogin = async (user) => {
    user.token = (await until(url, LOGIN, { input: { email: user.email, password, tenantId: DEMO.tenantId } })).login.accessToken;
  };

  /** Every attempt that succeeded: when it was sent and when it was acknowledged. */
  const successes = [];
  const acknowledged = [];
  let running = true;

  /** One intended payment: the same key until the platform decides it, whatever fails meanwhile. */
  async function pay(from, to, amount) {
    const key = `chaos-${randomUUID()}`;
    const input = { toUserId: to.id, amount, currency: CURRENCY, idempotencyKey: key };
    const deadline = Date.now() + settings.decideWithinSeconds * 1000;
    while (Date.now() < deadline) {
      const sentAt = Date.now();
      let answer;
      try {
        answer = await post(url, TRANSFER, { input }, from.token);
      } catch (error) {
        sawError(error.name === 'TimeoutError' ? 'CLIENT_TIMEOUT' : 'CONNECTION_FAILED');
        await pause(100 + randomInt(300));
        continue;
      }
      const transfer = answer.data?.createTransfer;
      if (transfer) {
        successes.push({ sentAt, ackAt: Date.now() });
        acknowledged.push({ key, input, from, to, id: transfer.id, amount });
        return;
      }
      const code = answer.errors?.[0]?.extensions?.code ?? `HTTP_${answer.status}`;
      sawError(code, answer.errors?.[0]?.message);
      if (code === 'MSPaymentInsufficientBalance') {
        report.refused++;
        return;
      }
      if (code === 'UNAUTHENTICATED') await relogin(from).catch(() => undefined);
      await pause(100 + randomInt(300));
    }
    report.undecided++;
    report.violations.push(`key ${key} still undecided after ${settings.decideWithinSeconds} s of retries`);
  }

  async function client() {
    while (running) {
      const from = users[randomInt(users.length)];
      let to = users[randomInt(users.length)];
      while (to === from) to = users[randomInt(users.length)];
      await pay(from, to, 1 + randomInt(5_000));
    }
  }

  async function chaos() {
    const order = [...settings.targets].sort(() => randomInt(3) - 1);
    let next = 0;
    await pause(settings.killEverySeconds * 500);
    // The short run (CI) kills each part exactly once, however long the restarts take.
    while (short ? next < order.length : running) {
      const target = order[next++ % order.length];
      const killAt = Date.now();
      await platform.kill(target, 'SIGKILL');
      await pause(randomInt(1_000));
      let restartedAt;
      try {
        await platform.restart(target);
        restartedAt = Date.now();
      } catch (error) {
        report.violations.push(`${target} did not come back: ${error.message}`);
        running = false;
        return;
      }
      report.kills.push({ target, atSeconds: Math.round((killAt - started) / 100) / 10, restartSeconds: (restartedAt - killAt) / 1000, killAt });
      await pause(settings.killEverySeconds * (0.5 + Math.random()) * 1000);
    }
  }

  say(`${settings.clients} clients for ${settings.durationSeconds} s; a kill every ~${settings.killEverySeconds} s among ${settings.targets.join(', ')}`);
  const load = Promise.all(Array.from({ length: settings.clients }, client));
  const killer = chaos();
  await Promise.all([pause(settings.durationSeconds * 1000), short ? killer : undefined]);
  running = false;
  await killer;
  await load; // every client finishes (decides) the payment it was making
  report.acknowledged = acknowledged.length;

  // Time from each kill to the first successful transfer sent after it.
  for (const kill of report.kills) {
    const first = successes.filter((s) => s.sentAt >= kill.killAt).reduce((min, s) => Math.min(min, s.ackAt), Infinity);
    kill.recoverySeconds = first === Infinity ? null : (first - kill.killAt) / 1000;
    if (kill.recoverySeconds === null || kill.recoverySeconds > settings.recoveryBoundSeconds) {
      report.violations.push(`after killing ${kill.target}, the first transfer took ${kill.recoverySeconds ?? 'forever'} s (bound ${settings.recoveryBoundSeconds} s)`);
    }
    delete kill.killAt;
  }

  // Expected balances from what was acknowledged, against what the platform says.
  for (const t of acknowledged) {
    t.from.expected -= t.amount;
    t.to.expected += t.amount;
  }
  adminToken = await adminLogin();
  for (const user of users) {
    const data = await until(url, 'query U($id: ID!) { user(id: $id) { wallets { currency balance } } }', { id: user.id }, adminToken);
    const balance = data.user?.wallets?.find((w) => w.currency === CURRENCY)?.balance;
    if (balance !== user.expected) report.violations.push(`${user.email}: balance ${balance}, acknowledged transfers give ${user.expected} (lost or doubled money)`);
  }

  // Every acknowledged key replays to its first transfer (a sample when there are many).
  const sample = acknowledged.length <= 1_000 ? acknowledged : acknowledged.filter(() => Math.random() < 1_000 / acknowledged.length);
  let replayMismatches = 0;
  for (let i = 0; i < sample.length; i += 16) {
    await Promise.all(
      sample.slice(i, i + 16).map(async (t) => {
        const data = await until(url, TRANSFER, { input: t.input }, t.from.token).catch(async () => {
          await relogin(t.from);
          return until(url, TRANSFER, { input: t.input }, t.from.token);
        });
        if (data.createTransfer.id !== t.id) replayMismatches++;
      }),
    );
  }
  report.replayed = sample.length;
  if (replayMismatches > 0) report.violations.push(`${replayMismatches} of ${sample.length} replays returned another transfer`);

  const reconciliation = (
    await until(
      url,
      'mutation R($c: String!) { runReconciliation(currency: $c) { isBalanced total wallets transfers findings { kind walletId transferId expected actual } } }',
      { c: CURRENCY },
      adminToken,
    )
  ).runReconciliation;
  report.reconciliation = {
    isBalanced: reconciliation.isBalanced,
    total: reconciliation.total,
    wallets: reconciliation.wallets,
    transfers: reconciliation.transfers,
    findings: reconciliation.findings.length,
  };
  if (!reconciliation.isBalanced || reconciliation.findings.length > 0) report.violations.push(`reconciliation: ${JSON.stringify(reconciliation.findings.slice(0, 5))}`);

  // Outboxes drained: every committed event published (the relays run on their own).
  const mongo = new MongoClient(platform.mongoUri);
  try {
    const deadline = Date.now() + 60_000;
    let pending = [];
    do {
      pending = [];
      const { databases } = await mongo.db('admin').admin().listDatabases();
      for (const { name } of databases) {
        const collections = await mongo.db(name).listCollections({ name: 'outbox' }).toArray();
        if (collections.length === 0) continue;
        const count = await mongo.db(name).collection('outbox').countDocuments({ status: 'pending' });
        if (count > 0) pending.push(`${name}: ${count}`);
      }
      if (pending.length > 0) await pause(500);
    } while (pending.length > 0 && Date.now() < deadline);
    report.outboxPending = pending;
    if (pending.length > 0) report.violations.push(`outbox not drained after 60 s: ${pending.join(', ')}`);
  } finally {
    await mongo.close();
  }
} catch (error) {
  report.violations.push(`run failed: ${error.stack ?? error.message}`);
} finally {
  await platform.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

const lines = [
  '',
  `chaos report: ${report.acknowledged} transfers acknowledged, ${report.refused} refused (insufficient balance), ${report.undecided} undecided, ${report.replayed ?? 0} replayed`,
  'kills (time from the kill to the first successful transfer sent after it):',
  ...report.kills.map((k) => `  ${k.target.padEnd(16)} at ${String(k.atSeconds).padStart(6)} s  back in ${k.restartSeconds.toFixed(1)} s  first transfer after ${k.recoverySeconds ?? 'never'} s`),
  `errors seen by clients: ${
    Object.entries(report.errorsSeen)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ') || 'none'
  }`,
  ...Object.entries(report.errorSamples)
    .filter(([code, samples]) => samples.length > 0 && !code.startsWith('MSPayment'))
    .map(([code, samples]) => `  ${code}: ${samples.map((message) => JSON.stringify(message.slice(0, 200))).join('; ')}`),
  `reconciliation: ${JSON.stringify(report.reconciliation ?? null)}; outbox pending: ${JSON.stringify(report.outboxPending ?? null)}`,
  report.violations.length === 0 ? 'no violations' : `VIOLATIONS:\n${report.violations.map((v) => `  - ${String(v)}`).join('\n')}`,
  '',
];
process.stdout.write(lines.join('\n'));
if (args.report) writeFileSync(args.report, `${JSON.stringify(report, null, 2)}\n`);
if (report.violations.length > 0) exitCode = 1;
process.exit(exitCode);
