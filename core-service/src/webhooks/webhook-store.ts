import { randomBytes } from 'node:crypto';
import { ObjectId, type Collection, type Db } from 'mongodb';

export interface WebhookEndpointDocument {
  _id: ObjectId;
  tenantId: string;
  /** Service that owns the endpoint registry (one registry per service database). */
  serviceName: string;
  url: string;
  /** Exact types and patterns (`payment.*`), see `matchesEventPattern`. */
  events: string[];
  /**
   * Needed in clear to compute HMACs, so it cannot be hashed like a password. It never
   * leaves the store except in `register`'s answer and in signatures; list output masks it.
   */
  secret: string;
  description?: string;
  enabled: boolean;
  consecutiveFailures: number;
  disabledAt?: Date;
  disabledReason?: string;
  lastSuccessAt?: Date;
  lastFailureAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** An endpoint as the API shows it: string id, secret masked. */
export interface WebhookEndpoint {
  id: string;
  tenantId: string;
  url: string;
  events: string[];
  secret: string;
  description?: string;
  enabled: boolean;
  consecutiveFailures: number;
  disabledAt?: Date;
  disabledReason?: string;
  createdAt: Date;
  updatedAt: Date;
}

export const WEBHOOKS_COLLECTION = 'webhooks';

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** `whsec_…Ab12`: enough to tell secrets apart in a console, not enough to forge anything. */
export function maskWebhookSecret(secret: string): string {
  const prefix = secret.startsWith('whsec_') ? 'whsec_' : '';
  return `${prefix}…${secret.slice(-4)}`;
}

export function toWebhookEndpoint(doc: WebhookEndpointDocument, options: { revealSecret?: boolean } = {}): WebhookEndpoint {
  return {
    id: doc._id.toHexString(),
    tenantId: doc.tenantId,
    url: doc.url,
    events: [...doc.events],
    secret: options.revealSecret ? doc.secret : maskWebhookSecret(doc.secret),
    ...(doc.description !== undefined ? { description: doc.description } : {}),
    enabled: doc.enabled,
    consecutiveFailures: doc.consecutiveFailures,
    ...(doc.disabledAt !== undefined ? { disabledAt: doc.disabledAt } : {}),
    ...(doc.disabledReason !== undefined ? { disabledReason: doc.disabledReason } : {}),
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function webhooksCollection(db: Db): Collection<WebhookEndpointDocument> {
  return db.collection<WebhookEndpointDocument>(WEBHOOKS_COLLECTION);
}
