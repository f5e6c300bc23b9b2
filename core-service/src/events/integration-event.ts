import { ObjectId } from 'mongodb';
import { captureTraceContext, traceCarrierOf, type TraceCarrier } from '../tracing/trace-context.js';

/**
 * What travels between services. The envelope is the contract: consumers rely on `id` to
 * deduplicate redeliveries, on `tenantId`/`userId` to scope their work, and on
 * `correlationId` to stitch logs of one request across services.
 */
export interface IntegrationEvent<TData = unknown> {
  /** ObjectId hex: unique and time-ordered, so ids sort roughly by emit time. */
  id: string;
  type: string;
  tenantId: string;
  userId: string | null;
  /** ISO-8601 instant at which the emitting code produced the event. */
  occurredAt: string;
  correlationId: string | null;
  data: TData;
  /**
   * W3C trace context of the span the event belongs to, so its consumers' spans join the
   * emitter's trace across the outbox and the stream. Absent when the emitter was not traced.
   */
  traceparent?: string;
  tracestate?: string;
}

export interface CreateIntegrationEventParams<TData> {
  type: string;
  tenantId: string;
  userId: string | null | undefined;
  data: TData;
  correlationId?: string | null | undefined;
  /** Fixed id (re-emitting a known event); a fresh one otherwise. */
  id?: string | undefined;
  occurredAt?: Date | undefined;
  /** Trace context to carry; default: the active span's, captured where the event is created. */
  trace?: TraceCarrier | undefined;
}

const EVENT_TYPE = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/i;

/**
 * Builds the envelope. ObjectId rather than UUID v7: the mongodb driver is already a
 * dependency and gives the same property (unique, time-ordered) without adding a package.
 */
export function createIntegrationEvent<TData>(params: CreateIntegrationEventParams<TData>): IntegrationEvent<TData> {
  if (!EVENT_TYPE.test(params.type)) {
    throw new TypeError(`event type "${params.type}" must be dot-separated words (e.g. "payment.completed")`);
  }
  if (params.tenantId.length === 0) throw new TypeError('an integration event needs a tenantId');
  // Captured here, in the emitting code's context: an outbox event is published later by the
  // relay, outside it. No fields at all when untraced, so the envelope is unchanged then.
  const trace = params.trace ?? captureTraceContext();
  return {
    id: params.id ?? new ObjectId().toHexString(),
    type: params.type,
    tenantId: params.tenantId,
    userId: params.userId ?? null,
    occurredAt: (params.occurredAt ?? new Date()).toISOString(),
    correlationId: params.correlationId ?? null,
    data: params.data,
    ...trace,
  };
}

/** Parses an envelope read from a stream; throws on anything that is not one. */
export function parseIntegrationEvent(raw: string): IntegrationEvent {
  const value: unknown = JSON.parse(raw);
  if (typeof value !== 'object' || value === null) throw new TypeError('event is not an object');
  const event = value as Partial<IntegrationEvent>;
  if (typeof event.id !== 'string' || typeof event.type !== 'string' || typeof event.tenantId !== 'string') {
    throw new TypeError('event lacks id, type or tenantId');
  }
  return {
    id: event.id,
    type: event.type,
    tenantId: event.tenantId,
    userId: event.userId ?? null,
    occurredAt: typeof event.occurredAt === 'string' ? event.occurredAt : new Date(0).toISOString(),
    correlationId: event.correlationId ?? null,
    data: event.data,
    ...traceCarrierOf(event),
  };
}
