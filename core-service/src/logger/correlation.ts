import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What travels with a request through every async hop. */
export interface CorrelationContext {
  readonly correlationId: string;
  /** Optional request-scoped fields added to every log line (tenantId, userId, ...). */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/**
 * AsyncLocalStorage rather than passing ids by hand: the id must survive awaits, timers, event
 * emitters and library callbacks that never see our arguments.
 */
const storage = new AsyncLocalStorage<CorrelationContext>();

export function generateCorrelationId(): string {
  return randomUUID();
}

/** Runs `fn` with `correlationId` (a fresh one when absent) visible to everything it calls. */
export function runWithCorrelationId<T>(correlationId: string | undefined, fn: () => T, fields?: Readonly<Record<string, unknown>>): T {
  const context: CorrelationContext = {
    correlationId: correlationId || generateCorrelationId(),
    ...(fields !== undefined ? { fields } : {}),
  };
  return storage.run(context, fn);
}

/** The current request's correlation id, or undefined outside a request. */
export function getCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

export function getCorrelationContext(): CorrelationContext | undefined {
  return storage.getStore();
}

/**
 * Binds a callback to the current context, for code that stores callbacks and calls them later
 * from a pooled resource (connection pools, custom queues) where the context would otherwise be
 * the pool's, not the request's.
 */
export function bindCorrelationContext<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  return AsyncLocalStorage.bind(fn);
}
