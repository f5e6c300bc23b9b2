export { OutboxStore, OUTBOX_COLLECTION } from './outbox-store.js';
export type { OutboxDocument, OutboxEntry, OutboxEventShape, OutboxStatus, OutboxStoreOptions } from './outbox-store.js';
export { OutboxRelay } from './outbox-relay.js';
export type { OutboxRelayHooks, OutboxRelayOptions } from './outbox-relay.js';
export { RelayLease, RELAY_LEASES_COLLECTION } from './relay-lease.js';
