export { createIntegrationEvent, parseIntegrationEvent } from './integration-event.js';
export type { IntegrationEvent, CreateIntegrationEventParams } from './integration-event.js';
export { matchesEventPattern, isEventPattern } from './event-pattern.js';
export { EventBus } from './event-bus.js';
export type {
  EmitAllItem,
  EmitOptions,
  EventBusOptions,
  EventHandler,
  EventBusStats,
  EventHandlerContext,
  SubscribeOptions,
  WebhookEventDispatcher,
} from './event-bus.js';
export { initializeEvents, getEventBus, findEventBus, shutdownEvents, emit, on, onPattern, startListening, stopListening } from './default-event-bus.js';
export { createUnifiedEmitter } from './unified-emitter.js';
export { createTransferEventEmitter } from './transfer-event-emitter.js';
export type { TransferEventEmitterOptions } from './transfer-event-emitter.js';
export type { UnifiedEmitter, UnifiedEmitOptions } from './unified-emitter.js';
export { ProcessedEvents, EventAlreadyProcessedError, PROCESSED_EVENTS_COLLECTION } from './processed-events.js';
export type { ProcessedEventRecord } from './processed-events.js';
export { StreamConsumer, PoisonMessageError, readDeadLetters, ensureConsumerGroup } from './stream-consumer.js';
export type { DeadLetter, HandleOutcome, StreamMessage, StreamConsumerOptions } from './stream-consumer.js';
export { addServiceHealthChecks, eventBusHealthCheck } from './health.js';
export type { EventBusHealthOptions } from './health.js';
