import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { waitFor } from 'core-service/testing';
import { Client, TRANSFER } from '../support/client.js';
import type { RecordedSpan } from '../support/otlp-recorder.js';

/**
 * One transfer traced across processes. Every process of the shared e2e platform exports to a
 * local recorder (test/support/global-platform.ts) and samples only what its caller marked
 * sampled, so this test, as the trace's root, chooses the trace it reads back.
 */

const SPAN_KIND = { SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

const client = new Client();

async function spansOf(traceId: string): Promise<RecordedSpan[]> {
  const response = await fetch(`${client.platform.traceRecorderUrl}/traces/${traceId}`);
  return (await response.json()) as RecordedSpan[];
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
    const sender = await client.newUser('tina');
    const recipient = await client.newUser('uwe');
    await client.deposit(sender.id, 10_000);

    // The test is the trace's root: the gateway continues the caller's W3C context.
    const traceId = randomBytes(16).toString('hex');
    const rootSpanId = randomBytes(8).toString('hex');
    const answer = await client.gql(TRANSFER, { input: { toUserId: recipient.id, amount: 1_500, currency: 'EUR', idempotencyKey: `trace-${randomUUID()}` } }, sender.token, {
      traceparent: `00-${traceId}-${rootSpanId}-01`,
    });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.createTransfer).toMatchObject({ status: 'completed', amount: 1_500 });

    // Complete once the SMTP send span arrived with an unbroken chain up to the gateway's root span.
    const { send, trace } = await waitFor(
      async () => {
        const trace = await spansOf(traceId);
        const smtp = trace.find((span) => span.service === 'notification-service' && span.name === 'smtp send');
        if (smtp === undefined) return undefined;
        return lineage(smtp, trace).at(-1)?.parentSpanId === rootSpanId ? { send: smtp, trace } : undefined;
      },
      { what: 'the SMTP send span, linked up to the gateway', timeoutMs: 60_000 },
    );

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
    expect(chain[publish]!.attributes['messaging.destination.name']).toBe(`${client.platform.brand}:events`);
    expect(chain[smtp]!.kind).toBe(SPAN_KIND.CLIENT);
  });
});
