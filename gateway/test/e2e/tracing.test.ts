import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from 'core-service/testing';
import { DEMO, freePort, startPlatform, type Platform } from '../../../scripts/dev/platform.mjs';
import { DEPOSIT, LOGIN, REGISTER, TRANSFER } from '../support/client.js';

/**
 * One transfer traced across processes. The shared e2e platform runs without tracing, so this
 * file boots its own, started the way `npm start` starts it but with an OTLP endpoint: a local
 * HTTP server below that records what every process exports (OTLP/JSON).
 */

interface RecordedSpan {
  service: string;
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpExport {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: Array<{ spans?: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: OtlpAttribute[] }> }>;
  }>;
}

const SPAN_KIND = { SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

function attributeMap(attributes: OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue]));
}

/** A stand-in collector: every span any process exports, in arrival order. */
function startOtlpRecorder(port: number): Promise<{ server: Server; spans: RecordedSpan[] }> {
  const spans: RecordedSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.includes('json')) {
        const payload = JSON.parse(body) as OtlpExport;
        for (const resourceSpans of payload.resourceSpans ?? []) {
          const service = String(attributeMap(resourceSpans.resource?.attributes)['service.name']);
          for (const scope of resourceSpans.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) {
              spans.push({ service, name: span.name, kind: span.kind, traceId: span.traceId, spanId: span.spanId, parentSpanId: span.parentSpanId ?? '', attributes: attributeMap(span.attributes) });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, spans })));
}

let platform: Platform;
let recorder: { server: Server; spans: RecordedSpan[] };
let dataDir: string;

beforeAll(async () => {
  recorder = await startOtlpRecorder(await freePort());
  const { port } = recorder.server.address() as { port: number };
  dataDir = mkdtempSync(join(tmpdir(), 'platform-tracing-'));
  const output: string[] = [];
  try {
    platform = await startPlatform({
      dataDir,
      freePorts: true,
      brand: `trace${process.pid}`,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
      output: (line) => {
        output.push(line);
        if (output.length > 200) output.shift();
      },
    });
  } catch (error) {
    throw new Error(`platform did not start: ${(error as Error).message}\n${output.slice(-60).join('\n')}`);
  }
});

afterAll(async () => {
  await platform?.stop();
  await new Promise((resolve) => recorder?.server.close(resolve));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function call(query: string, variables: Record<string, unknown>, token?: string, headers: Record<string, string> = {}): Promise<any> {
  const response = await fetch(platform.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`${query.split('(')[0]} → ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function newUser(label: string): Promise<{ id: string; email: string; token: string }> {
  const email = `${label}-${randomUUID().slice(0, 8)}@e2e.local`;
  const password = 'a-long-enough-password-2026!';
  await call(REGISTER, { input: { email, password, displayName: label, tenantId: DEMO.tenantId } });
  const { login } = await call(LOGIN, { input: { email, password, tenantId: DEMO.tenantId } });
  return { id: login.user.id, email, token: login.accessToken };
}

/** The span and its ancestors inside the trace, nearest first. */
function lineage(span: RecordedSpan, trace: readonly RecordedSpan[]): RecordedSpan[] {
  const byId = new Map(trace.map((candidate) => [candidate.spanId, candidate]));
  const chain = [span];
  for (let parent = byId.get(span.parentSpanId); parent !== undefined; parent = byId.get(parent.parentSpanId)) chain.push(parent);
  return chain;
}

describe('tracing across the platform', () => {
  it('one transfer is one trace: gateway → payment-service mutation → outbox publish → notification handler → SMTP send', async () => {
    const sender = await newUser('tina');
    const recipient = await newUser('uwe');
    const { login: admin } = await call(LOGIN, { input: { email: DEMO.admin, password: DEMO.password, tenantId: DEMO.tenantId } });
    await call(DEPOSIT, { input: { userId: sender.id, amount: 10_000, currency: 'EUR', idempotencyKey: `trace-${randomUUID()}` } }, admin.accessToken);

    // The test is the trace's root: the gateway continues the caller's W3C context.
    const traceId = randomBytes(16).toString('hex');
    const rootSpanId = randomBytes(8).toString('hex');
    const { createTransfer } = await call(TRANSFER, { input: { toUserId: recipient.id, amount: 1_500, currency: 'EUR', idempotencyKey: `trace-${randomUUID()}` } }, sender.token, {
      traceparent: `00-${traceId}-${rootSpanId}-01`,
    });
    expect(createTransfer).toMatchObject({ status: 'completed', amount: 1_500 });

    const inTrace = () => recorder.spans.filter((span) => span.traceId === traceId);
    // Complete once the SMTP send span arrived with an unbroken chain up to the gateway's root span.
    const send = await waitFor(
      () => {
        const trace = inTrace();
        const smtp = trace.find((span) => span.service === 'notification-service' && span.name === 'smtp send');
        if (smtp === undefined) return undefined;
        return lineage(smtp, trace).at(-1)?.parentSpanId === rootSpanId ? smtp : undefined;
      },
      { what: 'the SMTP send span, linked up to the gateway', timeoutMs: 60_000 },
    );

    const trace = inTrace();
    for (const service of ['gateway', 'payment-service', 'notification-service']) expect(trace.some((span) => span.service === service)).toBe(true);

    // Read from the root down: what each hop is, and who its parent is.
    const chain = lineage(send, trace).reverse();
    const summary = chain.map((span) => `${span.service}: ${span.name}`);
    const at = (predicate: (span: RecordedSpan) => boolean, what: string): number => {
      const index = chain.findIndex(predicate);
      expect(index, `${what} in\n${summary.join('\n')}`).toBeGreaterThanOrEqual(0);
      return index;
    };
    const gatewayServer = at((span) => span.service === 'gateway' && span.kind === SPAN_KIND.SERVER, "the gateway's HTTP server span");
    const gatewayFetch = at((span) => span.service === 'gateway' && span.kind === SPAN_KIND.CLIENT, "the gateway's fetch to payment-service");
    const paymentServer = at((span) => span.service === 'payment-service' && span.kind === SPAN_KIND.SERVER, "payment-service's HTTP server span");
    const paymentGraphql = at((span) => span.service === 'payment-service' && span.name.startsWith('graphql.'), "payment-service's GraphQL span");
    const publish = at((span) => span.service === 'payment-service' && span.kind === SPAN_KIND.PRODUCER && span.name.startsWith('publish '), "the outbox relay's publish span");
    const processing = at((span) => span.service === 'notification-service' && span.kind === SPAN_KIND.CONSUMER && span.name.startsWith('process '), "notification-service's event handler span");
    const deliver = at((span) => span.service === 'notification-service' && span.name === 'deliver EMAIL', 'the delivery job span');
    const smtp = chain.length - 1;

    expect(chain[0]!.parentSpanId).toBe(rootSpanId);
    expect(gatewayServer).toBe(0);
    // each hop strictly below the one before, and each process boundary is a direct parent link
    expect([gatewayServer, gatewayFetch, paymentServer, paymentGraphql, publish, processing, deliver, smtp]).toEqual(
      [gatewayServer, gatewayFetch, paymentServer, paymentGraphql, publish, processing, deliver, smtp].slice().sort((a, b) => a - b),
    );
    expect(paymentServer).toBe(gatewayFetch + 1);
    expect(processing).toBe(publish + 1);
    expect(chain[gatewayFetch]!.attributes['url.full'] ?? chain[gatewayFetch]!.attributes['server.port']).toBeDefined();
    expect(chain[publish]!.attributes['messaging.destination.name']).toBe(`${platform.brand}:events`);
    expect(chain[smtp]!.kind).toBe(SPAN_KIND.CLIENT);
  });
});
