import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ObjectId, type Db } from 'mongodb';
import type { Logger } from 'pino';
import { findEventBus } from '../events/default-event-bus.js';
import { duplicateForBullMQ } from '../redis/duplicate-connection.js';
import { matchesEventPattern } from '../events/event-pattern.js';
import { createIntegrationEvent, type IntegrationEvent } from '../events/integration-event.js';
import { getCorrelationId, getLogger, runWithCorrelationId } from '../logger/index.js';
import { WEBHOOK_SIGNATURE_HEADER, buildWebhookSignatureHeader } from './webhook-signature.js';
import { assertPublicDestination, assertWebhookUrl } from './webhook-destination.js';
import { generateWebhookSecret, toWebhookEndpoint, webhooksCollection, type WebhookEndpoint, type WebhookEndpointDocument } from './webhook-store.js';
import { readResponseSnippet, webhookDeliveriesCollection, type WebhookDeliveryRecord } from './webhook-deliveries.js';

export interface WebhookRetryConfig {
  /** HTTP attempts per delivery, first one included; default 5. */
  maxAttempts?: number;
  /** Base of the exponential back-off: attempt n waits backoffMs·2^(n-1); default 1,000 ms. */
  backoffMs?: number;
}

/** Where `webhook.disabled` goes; an `EventBus` fits. */
export interface WebhookEventEmitter {
  emit(type: string, tenantId: string, userId: string | null, data: unknown): Promise<unknown>;
}

export interface CreateWebhookManagerOptions {
  db: Db;
  serviceName: string;
  retryConfig?: WebhookRetryConfig;
  /** BullMQ connection; the manager duplicates it (BullMQ needs maxRetriesPerRequest: null). */
  redis: Redis;
  /** BullMQ key prefix; default `bull`. */
  queuePrefix?: string;
  /** Consecutive failed attempts (across deliveries) after which an endpoint is disabled; default 10. */
  disableAfterConsecutiveFailures?: number;
  requestTimeoutMs?: number;
  /** Parallel HTTP deliveries of this instance; default 10. */
  concurrency?: number;
  /** Where `webhook.disabled` goes; defaults to the process bus set up by `initializeEvents`. */
  events?: WebhookEventEmitter;
  /** Default true; false for instances that only enqueue. */
  startWorker?: boolean;
  /**
   * Allow URLs on loopback/private/link-local addresses. Default false: tenant-chosen URLs
   * must not reach internal services. Local development and tests turn it on.
   */
  allowPrivateNetworks?: boolean;
  logger?: Logger;
}

export interface RegisterWebhookInput {
  tenantId: string;
  url: string;
  events: string[];
  /** Generated when absent; returned once by `register`. */
  secret?: string;
  description?: string;
}

export interface UpdateWebhookInput {
  url?: string;
  events?: string[];
  secret?: string;
  description?: string;
  /** Re-enabling also resets the failure streak. */
  enabled?: boolean;
}

interface DeliveryJobData {
  webhookId: string;
  tenantId: string;
  eventId: string;
  eventType: string;
  correlationId?: string;
  /** Serialized once at dispatch, so every retry sends (and signs) the same bytes. */
  body: string;
}

export interface DispatchOptions {
  /** Defaults to `payload.tenantId`. */
  tenantId?: string;
  userId?: string | null;
}

const JOB_NAME = 'deliver';

/**
 * Tenant webhooks: a registry in the service's database, deliveries as BullMQ jobs (retries,
 * exponential back-off and concurrency come from BullMQ), every attempt in `webhook_deliveries`.
 */
export class WebhookManager {
  readonly serviceName: string;
  readonly #db: Db;
  readonly #queue: Queue<DeliveryJobData>;
  readonly #worker: Worker<DeliveryJobData> | undefined;
  readonly #options: CreateWebhookManagerOptions;
  readonly #maxAttempts: number;
  readonly #backoffMs: number;
  readonly #disableAfter: number;
  readonly #allowPrivateNetworks: boolean;
  readonly #connections: Redis[] = [];
  #indexesReady: Promise<void> | undefined;

  constructor(options: CreateWebhookManagerOptions) {
    this.#options = options;
    this.#db = options.db;
    this.serviceName = options.serviceName;
    this.#maxAttempts = options.retryConfig?.maxAttempts ?? 5;
    this.#backoffMs = options.retryConfig?.backoffMs ?? 1_000;
    this.#disableAfter = options.disableAfterConsecutiveFailures ?? 10;
    this.#allowPrivateNetworks = options.allowPrivateNetworks ?? false;
    const queueName = `webhooks-${options.serviceName}`;
    const prefix = options.queuePrefix ?? 'bull';
    // Own connections (BullMQ's workers block on theirs); BullMQ leaves connections it was
    // handed open, so `close` quits them.
    const queueConnection = duplicateForBullMQ(options.redis, 'queue');
    this.#connections.push(queueConnection);
    this.#queue = new Queue<DeliveryJobData>(queueName, { connection: queueConnection, prefix });
    if (options.startWorker !== false) {
      // Each attempt logs under the correlation id of the request that produced the event.
      const processor = (job: Job<DeliveryJobData>): Promise<void> =>
        runWithCorrelationId(job.data.correlationId, () => this.#deliver(job), { webhookId: job.data.webhookId, eventId: job.data.eventId });
      const workerConnection = duplicateForBullMQ(options.redis, 'worker');
      this.#connections.push(workerConnection);
      this.#worker = new Worker<DeliveryJobData>(queueName, processor, {
        connection: workerConnection,
        prefix,
        concurrency: options.concurrency ?? 10,
      });
      this.#worker.on('error', (error) => this.#logger.error({ err: error }, 'webhook worker error'));
    }
  }

  /** The delivery queue (its depth is exported on /metrics). */
  get queue(): Queue<DeliveryJobData> {
    return this.#queue;
  }

  get #logger(): Logger {
    return this.#options.logger ?? getLogger(this.serviceName);
  }

  ensureIndexes(): Promise<void> {
    this.#indexesReady ??= (async () => {
      await webhooksCollection(this.#db).createIndex({ tenantId: 1, enabled: 1 }, { name: 'tenant_enabled' });
      await webhookDeliveriesCollection(this.#db).createIndex({ webhookId: 1, createdAt: -1 }, { name: 'webhook_recent' });
      await webhookDeliveriesCollection(this.#db).createIndex({ tenantId: 1, eventId: 1 }, { name: 'tenant_event' });
    })();
    return this.#indexesReady;
  }

  /** Registers an endpoint; the only answer that carries the secret in clear. */
  async register(input: RegisterWebhookInput): Promise<WebhookEndpoint> {
    assertWebhookUrl(input.url, this.#allowPrivateNetworks);
    if (input.events.length === 0) throw new TypeError('a webhook needs at least one event type or pattern');
    await this.ensureIndexes();
    const now = new Date();
    const doc: WebhookEndpointDocument = {
      _id: new ObjectId(),
      tenantId: input.tenantId,
      serviceName: this.serviceName,
      url: input.url,
      events: [...input.events],
      secret: input.secret ?? generateWebhookSecret(),
      ...(input.description !== undefined ? { description: input.description } : {}),
      enabled: true,
      consecutiveFailures: 0,
      createdAt: now,
      updatedAt: now,
    };
    await webhooksCollection(this.#db).insertOne(doc);
    this.#logger.info({ webhookId: doc._id.toHexString(), tenantId: doc.tenantId, url: doc.url, events: doc.events }, 'webhook registered');
    return toWebhookEndpoint(doc, { revealSecret: true });
  }

  async list(tenantId: string): Promise<WebhookEndpoint[]> {
    const docs = await webhooksCollection(this.#db).find({ tenantId }).sort({ createdAt: 1 }).toArray();
    return docs.map((doc) => toWebhookEndpoint(doc));
  }

  async get(tenantId: string, id: string): Promise<WebhookEndpoint | null> {
    const doc = await webhooksCollection(this.#db).findOne({ _id: toObjectId(id), tenantId });
    return doc ? toWebhookEndpoint(doc) : null;
  }

  async update(tenantId: string, id: string, changes: UpdateWebhookInput): Promise<WebhookEndpoint | null> {
    if (changes.url !== undefined) assertWebhookUrl(changes.url, this.#allowPrivateNetworks);
    const set: Partial<WebhookEndpointDocument> = { updatedAt: new Date() };
    if (changes.url !== undefined) set.url = changes.url;
    if (changes.events !== undefined) set.events = [...changes.events];
    if (changes.secret !== undefined) set.secret = changes.secret;
    if (changes.description !== undefined) set.description = changes.description;
    const update: Record<string, unknown> = { $set: set };
    if (changes.enabled === true) {
      Object.assign(set, { enabled: true, consecutiveFailures: 0 });
      update['$unset'] = { disabledAt: '', disabledReason: '' };
    } else if (changes.enabled === false) {
      Object.assign(set, { enabled: false, disabledAt: new Date(), disabledReason: 'disabled by request' });
    }
    const doc = await webhooksCollection(this.#db).findOneAndUpdate({ _id: toObjectId(id), tenantId }, update, { returnDocument: 'after' });
    return doc ? toWebhookEndpoint(doc) : null;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const result = await webhooksCollection(this.#db).deleteOne({ _id: toObjectId(id), tenantId });
    return result.deletedCount === 1;
  }

  /**
   * Queues a delivery of `payload` to every enabled endpoint of the tenant whose filters match
   * `type`; returns how many were queued. The tenant comes from `options.tenantId` or
   * `payload.tenantId`.
   */
  async dispatch(type: string, payload: unknown, options: DispatchOptions = {}): Promise<number> {
    const tenantId = options.tenantId ?? tenantIdOf(payload);
    if (tenantId === undefined) throw new TypeError('dispatch needs a tenantId (options.tenantId or payload.tenantId)');
    const event = createIntegrationEvent({
      type,
      tenantId,
      userId: options.userId ?? userIdOf(payload),
      data: payload,
      correlationId: getCorrelationId() ?? null,
    });
    return this.dispatchEvents([event]);
  }

  /**
   * Queues integration events as they are (each id becomes the delivery id receivers dedupe on),
   * several events' deliveries with one read of their tenants' endpoints and one
   * `addBulk`: the outbox relay hands over a batch of entries at a time, and a read per event
   * was a database round trip per webhook-flagged event. Returns how many deliveries were queued.
   */
  async dispatchEvents(events: ReadonlyArray<IntegrationEvent>): Promise<number> {
    if (events.length === 0) return 0;
    const tenants = [...new Set(events.map((event) => event.tenantId))];
    const endpoints = await webhooksCollection(this.#db)
      .find({ tenantId: tenants.length === 1 ? tenants[0]! : { $in: tenants }, enabled: true }, { projection: { _id: 1, tenantId: 1, events: 1 } })
      .toArray();
    if (endpoints.length === 0) return 0;
    const jobs = events.flatMap((event) => {
      const targets = endpoints.filter((endpoint) => endpoint.tenantId === event.tenantId && endpoint.events.some((pattern) => matchesEventPattern(pattern, event.type)));
      if (targets.length === 0) return [];
      const body = JSON.stringify(event);
      return targets.map((endpoint) => ({
        name: JOB_NAME,
        data: {
          webhookId: endpoint._id.toHexString(),
          tenantId: event.tenantId,
          eventId: event.id,
          eventType: event.type,
          ...(event.correlationId ? { correlationId: event.correlationId } : {}),
          body,
        },
        opts: {
          // Same event to the same endpoint is queued once, even when the outbox republishes.
          jobId: `${event.id}-${endpoint._id.toHexString()}`,
          attempts: this.#maxAttempts,
          backoff: { type: 'exponential' as const, delay: this.#backoffMs },
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      }));
    });
    if (jobs.length > 0) await this.#queue.addBulk(jobs);
    return jobs.length;
  }

  async listDeliveries(tenantId: string, webhookId: string, limit = 50): Promise<WebhookDeliveryRecord[]> {
    return webhookDeliveriesCollection(this.#db)
      .find({ tenantId, webhookId: toObjectId(webhookId) })
      .sort({ createdAt: 1, attempt: 1 })
      .limit(limit)
      .toArray();
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#worker?.close(), this.#queue.close()]);
    await Promise.allSettled(this.#connections.splice(0).map((connection) => connection.quit()));
  }

  async #deliver(job: Job<DeliveryJobData>): Promise<void> {
    const { webhookId, tenantId, eventId, eventType, body } = job.data;
    const attempt = job.attemptsMade + 1;
    const endpoints = webhooksCollection(this.#db);
    const endpoint = await endpoints.findOne({ _id: toObjectId(webhookId) });
    // Deleted or disabled since the job was queued: nothing to send, nothing to retry.
    if (!endpoint || !endpoint.enabled) return;

    const started = performance.now();
    let httpStatus: number | undefined;
    let responseSnippet: string | undefined;
    let error: string | undefined;
    try {
      if (!this.#allowPrivateNetworks) await assertPublicDestination(endpoint.url);
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': `${this.serviceName}-webhooks`,
          [WEBHOOK_SIGNATURE_HEADER]: buildWebhookSignatureHeader(body, endpoint.secret),
          'X-Webhook-Id': eventId,
          'X-Webhook-Event': eventType,
          'X-Webhook-Attempt': String(attempt),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#options.requestTimeoutMs ?? 10_000),
      });
      httpStatus = response.status;
      responseSnippet = await readResponseSnippet(response);
      if (!response.ok) error = `receiver answered HTTP ${response.status}`;
    } catch (caught) {
      error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
    }
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    const succeeded = error === undefined;

    await webhookDeliveriesCollection(this.#db).insertOne({
      webhookId: endpoint._id,
      tenantId,
      eventId,
      eventType,
      attempt,
      status: succeeded ? 'succeeded' : 'failed',
      ...(httpStatus !== undefined ? { httpStatus } : {}),
      latencyMs,
      ...(responseSnippet !== undefined ? { responseSnippet } : {}),
      ...(error !== undefined ? { error } : {}),
      createdAt: new Date(),
    });

    if (succeeded) {
      await endpoints.updateOne({ _id: endpoint._id }, { $set: { consecutiveFailures: 0, lastSuccessAt: new Date() } });
      return;
    }

    const after = await endpoints.findOneAndUpdate({ _id: endpoint._id }, { $inc: { consecutiveFailures: 1 }, $set: { lastFailureAt: new Date() } }, { returnDocument: 'after' });
    const streak = after?.consecutiveFailures ?? 0;
    this.#logger.warn({ webhookId, tenantId, eventId, attempt, httpStatus, streak, error }, 'webhook delivery failed');
    if (streak >= this.#disableAfter) {
      await this.#disable(endpoint, streak, error ?? 'failed');
      throw new UnrecoverableError(`webhook disabled after ${streak} consecutive failures: ${error}`);
    }
    throw new Error(error);
  }

  async #disable(endpoint: WebhookEndpointDocument, streak: number, lastError: string): Promise<void> {
    const reason = `${streak} consecutive failed deliveries; last: ${lastError}`;
    // Conditional on `enabled: true`: concurrent failing jobs disable (and announce) once.
    const result = await webhooksCollection(this.#db).updateOne(
      { _id: endpoint._id, enabled: true },
      { $set: { enabled: false, disabledAt: new Date(), disabledReason: reason, updatedAt: new Date() } },
    );
    if (result.modifiedCount !== 1) return;
    this.#logger.error({ webhookId: endpoint._id.toHexString(), tenantId: endpoint.tenantId, url: endpoint.url, streak }, 'webhook disabled');
    // The process bus (initializeEvents) unless the manager was given its own emitter.
    const events = this.#options.events ?? findEventBus();
    if (!events) this.#logger.warn({ webhookId: endpoint._id.toHexString() }, 'no event bus: webhook.disabled not emitted');
    await events?.emit('webhook.disabled', endpoint.tenantId, null, {
      webhookId: endpoint._id.toHexString(),
      url: endpoint.url,
      consecutiveFailures: streak,
      reason,
    });
  }
}

export function createWebhookManager(options: CreateWebhookManagerOptions): WebhookManager {
  return new WebhookManager(options);
}

function toObjectId(id: string): ObjectId {
  if (!ObjectId.isValid(id)) throw new TypeError(`"${id}" is not a webhook id`);
  return new ObjectId(id);
}

function tenantIdOf(payload: unknown): string | undefined {
  const value = (payload as { tenantId?: unknown } | null)?.tenantId;
  return typeof value === 'string' ? value : undefined;
}

function userIdOf(payload: unknown): string | null {
  const value = (payload as { userId?: unknown } | null)?.userId;
  return typeof value === 'string' ? value : null;
}
