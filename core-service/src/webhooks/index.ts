export { createWebhookManager, WebhookManager } from './webhook-manager.js';
export { initializeWebhooks, getWebhookManager, shutdownWebhooks } from './default-webhook-manager.js';
export type {
  CreateWebhookManagerOptions,
  DispatchOptions,
  RegisterWebhookInput,
  UpdateWebhookInput,
  WebhookEventEmitter,
  WebhookRetryConfig,
} from './webhook-manager.js';
export {
  verifyWebhookSignature,
  signWebhookPayload,
  buildWebhookSignatureHeader,
  WEBHOOK_SIGNATURE_HEADER,
  DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
} from './webhook-signature.js';
export { maskWebhookSecret, generateWebhookSecret, WEBHOOKS_COLLECTION } from './webhook-store.js';
export type { WebhookEndpoint, WebhookEndpointDocument } from './webhook-store.js';
export { WEBHOOK_DELIVERIES_COLLECTION } from './webhook-deliveries.js';
export type { WebhookDeliveryRecord } from './webhook-deliveries.js';
export { WebhookDestinationError, isPrivateAddress } from './webhook-destination.js';
