import type { IntegrationEvent } from './integration-event.js';
import { EventBus, type EmitOptions, type EventBusOptions, type EventHandler, type SubscribeOptions } from './event-bus.js';

/**
 * The process's event bus behind the brief's free functions (`emit`, `on`, `onPattern`,
 * `startListening`). A service has one identity and one consumer group, so one bus per
 * process; tests and tools that need several create `EventBus` instances directly.
 */
let defaultBus: EventBus | undefined;

export function initializeEvents(options: EventBusOptions): EventBus {
  if (defaultBus) throw new Error(`events are already initialised for ${defaultBus.serviceName}`);
  defaultBus = new EventBus(options);
  return defaultBus;
}

export function getEventBus(): EventBus {
  if (!defaultBus) throw new Error('events are not initialised: call initializeEvents({ serviceName, redis, mongo }) at start-up');
  return defaultBus;
}

/** The process bus when one was initialised, else undefined (for optional integrations). */
export function findEventBus(): EventBus | undefined {
  return defaultBus;
}

/** Stops and forgets the process bus (shutdown, tests). */
export async function shutdownEvents(): Promise<void> {
  const bus = defaultBus;
  defaultBus = undefined;
  await bus?.close();
}

export function emit<TData>(type: string, tenantId: string, userId: string | null | undefined, data: TData, options?: EmitOptions): Promise<IntegrationEvent<TData>> {
  return getEventBus().emit(type, tenantId, userId, data, options);
}

export function on<TData = unknown>(type: string, handler: EventHandler<TData>, options?: SubscribeOptions): () => void {
  return getEventBus().on(type, handler, options);
}

export function onPattern<TData = unknown>(pattern: string, handler: EventHandler<TData>, options?: SubscribeOptions): () => void {
  return getEventBus().onPattern(pattern, handler, options);
}

export function startListening(): Promise<void> {
  return getEventBus().startListening();
}

export function stopListening(): Promise<void> {
  return getEventBus().stopListening();
}
