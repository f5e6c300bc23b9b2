import { WebhookManager, type CreateWebhookManagerOptions } from './webhook-manager.js';

/**
 * The process's webhook manager (the brief's `initializeWebhooks`): created once at start-up
 * with its indexes in place, then reachable from resolvers through `getWebhookManager`.
 */
let defaultManager: WebhookManager | undefined;

export async function initializeWebhooks(options: CreateWebhookManagerOptions): Promise<WebhookManager> {
  if (defaultManager) throw new Error(`webhooks are already initialised for ${defaultManager.serviceName}`);
  const manager = new WebhookManager(options);
  await manager.ensureIndexes();
  defaultManager = manager;
  return manager;
}

export function getWebhookManager(): WebhookManager {
  if (!defaultManager) throw new Error('webhooks are not initialised: call initializeWebhooks({ db, serviceName, redis }) at start-up');
  return defaultManager;
}

export async function shutdownWebhooks(): Promise<void> {
  const manager = defaultManager;
  defaultManager = undefined;
  await manager?.close();
}
