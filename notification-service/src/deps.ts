import type { MongoClient } from 'mongodb';
import type { Redis } from 'ioredis';
import type { AuditTrail, EventBus } from 'core-service';
import type { NotificationMetrics } from './metrics.js';
import type { DeliveryDispatcher } from './delivery/dispatcher.js';
import type { NotificationSettings } from './settings.js';
import type { NotificationStore } from './store/notification-store.js';

/** What resolvers, event handlers and workers share. */
export interface NotificationDeps {
  client: MongoClient;
  /** The platform audit log: template edits and test sends are admin actions. */
  audit: AuditTrail;
  store: NotificationStore;
  events: EventBus;
  redis: Redis;
  keyPrefix: string;
  dispatcher: DeliveryDispatcher;
  settings: NotificationSettings;
  /** The primary provider's name per channel (Delivery.provider before the first attempt); null: none configured. */
  providerNames: { EMAIL: string | null; SMS: string | null };
  now: () => Date;
  /** Set once the server exists (its registry); absent in code paths that run before. */
  metrics?: NotificationMetrics;
}
