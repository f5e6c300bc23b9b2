import { SpanKind, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/database/transaction.js';
import type { IntegrationEvent } from '../../src/events/index.js';
import { createTestFixture } from '../../src/testing/index.js';
import { runInSpan } from '../../src/tracing/index.js';
import { createBusForTest, isGroupCaughtUp } from '../events/support/bus-fixture.js';
import { waitFor } from '../events/support/conditions.js';
import { traceparentOf, useInMemoryTracing } from './support/in-memory-tracing.js';

const tracing = useInMemoryTracing();

function spanNamed(name: string) {
  const span = tracing.spans().find((candidate) => candidate.name === name);
  if (span === undefined)
    throw new Error(
      `no span ${name} (have: ${tracing
        .spans()
        .map((s) => s.name)
        .join(', ')})`,
    );
  return span;
}

describe('trace context inside integration events', () => {
  it('an event written to the outbox inside a traced mutation stores that span as its traceparent', async () => {
    const fixture = createTestFixture({ label: 'traceoutbox' });
    const { bus, client } = await createBusForTest(fixture, { outbox: { autoStart: false } });
    let mutationSpanId = '';
    let traceId = '';
    const event = await runInSpan('createTransfer', {}, async (span) => {
      mutationSpanId = span.spanContext().spanId;
      traceId = span.spanContext().traceId;
      return withTransaction({ client: client!, fn: (session) => bus.emit('transfer.completed', fixture.tenantId, 'user-1', { amount: 500 }, { session }) });
    });

    const [entry] = await bus.outbox!.nextPending(10);
    expect(entry?.eventId).toBe(event.id);
    expect(entry?.event.traceparent).toBe(`00-${traceId}-${mutationSpanId}-01`);
    expect(entry?.event.tracestate).toBeUndefined();
  });

  it('an event emitted outside any span carries no trace fields (nothing is serialized)', async () => {
    const fixture = createTestFixture({ label: 'traceuntraced' });
    const { bus, client } = await createBusForTest(fixture, { outbox: { autoStart: false } });
    await withTransaction({ client: client!, fn: (session) => bus.emit('transfer.completed', fixture.tenantId, 'user-1', { amount: 1 }, { session }) });
    const [entry] = await bus.outbox!.nextPending(10);
    expect(Object.keys(entry!.event)).not.toContain('traceparent');
    expect(Object.keys(entry!.event)).not.toContain('tracestate');
  });

  it('the relay publishes as a child of the emitting span, and the consumer handles as a child of the publish', async () => {
    const fixture = createTestFixture({ label: 'tracerelay' });
    const producer = await createBusForTest(fixture, { serviceName: 'payment-service', database: 'payment' });
    const consumer = await createBusForTest(fixture, { serviceName: 'notification-service', database: 'notification' });
    const seen: Array<{ event: IntegrationEvent; activeTraceId: string | undefined; activeSpanId: string | undefined }> = [];
    consumer.bus.on(
      'transfer.completed',
      (event) => {
        const active = trace.getActiveSpan()?.spanContext();
        seen.push({ event, activeTraceId: active?.traceId, activeSpanId: active?.spanId });
      },
      { name: 'notify' },
    );
    await consumer.bus.startListening();

    const event = await runInSpan('createTransfer', { kind: SpanKind.SERVER }, () =>
      withTransaction({ client: producer.client!, fn: (session) => producer.bus.emit('transfer.completed', fixture.tenantId, 'user-1', { amount: 500 }, { session }) }),
    );
    await waitFor(() => seen.length === 1, { what: 'the consumer to handle the event' });
    await waitFor(() => isGroupCaughtUp(fixture.redis(), consumer.bus.streamKey, 'notification-service'), { what: 'the ack' });
    await waitFor(() => tracing.spans().some((span) => span.name === 'process transfer.completed'), { what: 'the process span to end' });

    const mutation = spanNamed('createTransfer');
    const publish = spanNamed('publish transfer.completed');
    const processing = spanNamed('process transfer.completed');
    const traceId = mutation.spanContext().traceId;
    expect(publish.spanContext().traceId).toBe(traceId);
    expect(publish.parentSpanContext?.spanId).toBe(mutation.spanContext().spanId);
    expect(publish.kind).toBe(SpanKind.PRODUCER);
    expect(publish.attributes['messaging.message.id']).toBe(event.id);
    expect(processing.spanContext().traceId).toBe(traceId);
    expect(processing.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
    expect(processing.kind).toBe(SpanKind.CONSUMER);
    expect(processing.attributes['messaging.consumer.group.name']).toBe('notification-service');

    // what the consumer received names the publish span; its handler ran inside the process span
    expect(seen[0]!.event.traceparent).toBe(traceparentOf(publish));
    expect(seen[0]!.activeTraceId).toBe(traceId);
    expect(seen[0]!.activeSpanId).toBe(processing.spanContext().spanId);
  });

  it('events read together in one batch transaction each get their own process span in their own trace', async () => {
    const fixture = createTestFixture({ label: 'tracebatch' });
    const producer = await createBusForTest(fixture, { serviceName: 'payment-service', database: 'payment' });
    const consumer = await createBusForTest(fixture, { serviceName: 'bonus-service', database: 'bonus' });
    const handled: string[] = [];
    consumer.bus.on('deposit.completed', (event) => void handled.push(event.id), { name: 'count-deposit' });

    // published before the consumer listens (group starts at 0), so one read returns both
    await consumer.bus.startListening();
    await consumer.bus.stopListening();
    const first = await runInSpan('deposit A', {}, () => producer.bus.emit('deposit.completed', fixture.tenantId, 'user-1', { amount: 1 }));
    const second = await runInSpan('deposit B', {}, () => producer.bus.emit('deposit.completed', fixture.tenantId, 'user-1', { amount: 2 }));
    await consumer.bus.startListening();
    await waitFor(() => handled.length === 2, { what: 'both events to be handled' });
    await waitFor(() => tracing.spans().filter((span) => span.name === 'process deposit.completed').length === 2, { what: 'both process spans' });

    const processes = tracing.spans().filter((span) => span.name === 'process deposit.completed');
    for (const [emitted, rootName] of [
      [first, 'deposit A'],
      [second, 'deposit B'],
    ] as const) {
      const root = spanNamed(rootName);
      const publish = tracing.spans().find((span) => span.name === 'publish deposit.completed' && span.attributes['messaging.message.id'] === emitted.id)!;
      expect(publish.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      const processing = processes.find((span) => span.attributes['messaging.message.id'] === emitted.id)!;
      expect(processing.spanContext().traceId).toBe(root.spanContext().traceId);
      expect(processing.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
    }
  });
});
