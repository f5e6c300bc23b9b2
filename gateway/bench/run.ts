/**
 * `npm run bench -w gateway`: the platform as separate processes (scripts/dev/platform.mjs), then
 *  1. requests/s and p99 for a simple query (`myWallets`) and the federated `me { wallets }`,
 *     through the gateway and straight from the subgraphs (signed like the gateway signs);
 *  2. push fan-out: publish-to-receipt latency of one `wallet.updated` event to 1,000 connected
 *     Socket.IO clients subscribed to `walletUpdated`.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { createIntegrationEvent, signUserContext } from 'core-service';
import { DEMO, fundDemoUsers, graphql, startPlatform } from '../../scripts/dev/platform.mjs';

const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 5_000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
const SOCKETS = Number(process.env['BENCH_SOCKETS'] ?? 1_000);

interface Result { name: string; requests: number; rps: number; p50: number; p99: number; errors: number }

async function load(name: string, send: () => Promise<boolean>): Promise<Result> {
  // Warm-up: connections, plan cache, JIT.
  for (let i = 0; i < 50; i++) await send();
  const latencies: number[] = [];
  let errors = 0;
  const end = Date.now() + DURATION_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const t0 = performance.now();
        const ok = await send().catch(() => false);
        latencies.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? 0).toFixed(2));
  return { name, requests: latencies.length, rps: Math.round(latencies.length / seconds), p50: at(0.5), p99: at(0.99), errors };
}

async function post(url: string, query: string, headers: Record<string, string>): Promise<boolean> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { errors?: unknown };
  if (process.env['BENCH_DEBUG'] && (!response.ok || body.errors)) console.error(response.status, JSON.stringify(body).slice(0, 300));
  return response.ok && body.errors === undefined;
}

const dataDir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
const platform = await startPlatform({
  dataDir,
  freePorts: true,
  brand: `bench${process.pid}`,
  env: { RATE_LIMIT_USER: '1000000000', RATE_LIMIT_IP: '1000000000' },
});
try {
  await fundDemoUsers(platform.gatewayUrl);
  const login = (await graphql(platform.gatewayUrl, 'mutation L($input: LoginInput!) { login(input: $input) { accessToken user { id tenantId roles } } }', {
    input: { email: DEMO.users[0], password: DEMO.password, tenantId: DEMO.tenantId },
  })).login as { accessToken: string; user: { id: string; tenantId: string; roles: string[] } };
  const bearer = { authorization: `Bearer ${login.accessToken}` };
  const secret = platform.env['INTERNAL_CONTEXT_SECRET']!;
  // Signed per request, like the gateway: a subgraph refuses contexts older than 60 s.
  // The same claims the gateway forwards: read from the access token it would have verified.
  const claims = JSON.parse(Buffer.from(login.accessToken.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string; tid: string; roles: string[]; permissions: string[]; sid: string };
  const signed = () => signUserContext({ sub: claims.sub, tid: claims.tid, roles: claims.roles, permissions: claims.permissions, sid: claims.sid, correlationId: 'bench' }, secret);
  const auth = platform.services.find((s) => s.name === 'auth-service')!.url;
  const payment = platform.services.find((s) => s.name === 'payment-service')!.url;

  const results: Result[] = [];
  results.push(await load('myWallets via gateway', () => post(platform.gatewayUrl, '{ myWallets { currency balance } }', bearer)));
  results.push(await load('myWallets direct (payment-service)', () => post(payment, '{ myWallets { currency balance } }', signed())));
  results.push(await load('me { wallets } via gateway', () => post(platform.gatewayUrl, '{ me { id displayName wallets { currency balance } } }', bearer)));
  results.push(
    await load('me + wallets direct (auth then payment _entities)', async () => {
      const me = await post(auth, '{ me { id displayName } }', signed());
      const wallets = await post(payment, `{ _entities(representations: [{ __typename: "User", id: "${login.user.id}" }]) { ... on User { wallets { currency balance } } } }`, signed());
      return me && wallets;
    }),
  );

  // Push fan-out: 1,000 sockets of one user, one event on the stream as a service's relay writes it.
  const sockets: Socket[] = [];
  for (let i = 0; i < SOCKETS; i++) {
    sockets.push(connectSocket(platform.gatewayBase, { auth: { token: login.accessToken }, transports: ['websocket'], reconnection: false, forceNew: true }));
  }
  await Promise.all(sockets.map((s) => new Promise<void>((resolve, reject) => { s.once('connect', () => resolve()); s.once('connect_error', reject); })));
  await Promise.all(
    sockets.map((s) => {
      s.emit('subscribe', { id: 'w', query: 'subscription { walletUpdated { balance } }' });
      s.emit('subscribe', { id: 'probe', query: 'subscription { walletUpdated { balance } }' });
      s.emit('unsubscribe', { id: 'probe' });
      return new Promise((resolve) => s.once('complete', resolve));
    }),
  );
  const redis = new Redis(platform.redisUrl);
  const fanout: Array<{ p50: number; p99: number; max: number }> = [];
  for (let round = 0; round < 5; round++) {
    const received: number[] = [];
    const all = new Promise<void>((resolve) => {
      for (const s of sockets) {
        s.once('next', () => {
          received.push(performance.now());
          if (received.length === sockets.length) resolve();
        });
      }
    });
    const event = createIntegrationEvent({ type: 'wallet.updated', tenantId: login.user.tenantId, userId: login.user.id, data: { walletId: 'bench', userId: login.user.id, currency: 'EUR', balance: round } });
    const t0 = performance.now();
    await redis.xadd(`${platform.brand}:events`, '*', 'type', event.type, 'tenantId', event.tenantId, 'event', JSON.stringify(event));
    await all;
    const latencies = received.map((t) => t - t0).sort((a, b) => a - b);
    fanout.push({ p50: Number(latencies[Math.floor(latencies.length / 2)]!.toFixed(1)), p99: Number(latencies[Math.floor(latencies.length * 0.99)]!.toFixed(1)), max: Number(latencies.at(-1)!.toFixed(1)) });
  }
  redis.disconnect();
  for (const s of sockets) s.disconnect();

  const report = { node: process.version, durationMs: DURATION_MS, concurrency: CONCURRENCY, http: results, fanout: { sockets: SOCKETS, roundsMs: fanout } };
  console.table(results);
  console.log('fan-out to', SOCKETS, 'sockets (ms from XADD to receipt):', JSON.stringify(fanout));
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/gateway.json', import.meta.url), JSON.stringify(report, null, 2) + '\n');
} finally {
  await platform.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
