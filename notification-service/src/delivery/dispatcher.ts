import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { duplicateForBullMQ, getLogger } from 'core-service';
import { PROVIDER_CHANNELS, type ProviderChannelName } from '../domain/channels.js';
import type { NotificationSettings } from '../settings.js';
import type { NotificationStore } from '../store/notification-store.js';

export const QUEUE_NAMES: Record<ProviderChannelName, string> = { EMAIL: 'notify-email', SMS: 'notify-sms' };

export interface DeliveryJobData {
  deliveryId: string;
}

export interface DispatcherOptions {
  store: NotificationStore;
  redis: Redis;
  queuePrefix: string;
  settings: NotificationSettings;
  now: () => Date;
}

/**
 * Moves QUEUED deliveries from MongoDB onto the channels' BullMQ queues, never beyond each
 * queue's `maxQueueDepth`: MongoDB is the durable backlog, Redis holds a bounded window of it.
 * A burst of events (a tenant-wide announcement, a replay) therefore costs documents, not Redis
 * memory, and the workers' concurrency is the only pressure on a provider.
 *
 * Runs when a transaction that queued deliveries commits (`kick`), and on a poll. The poll is
 * also the recovery path: a delivery committed by an instance that died before enqueueing, or
 * whose job Redis lost, is picked up again `requeueAfterMs` after it was last enqueued. Job ids
 * are delivery ids, so two instances enqueueing the same delivery add one job.
 */
export class DeliveryDispatcher {
  readonly queues: Record<ProviderChannelName, Queue<DeliveryJobData>>;
  readonly #options: DispatcherOptions;
  readonly #connection: Redis;
  #running: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: DispatcherOptions) {
    this.#options = options;
    this.#connection = duplicateForBullMQ(options.redis, 'queue');
    const queue = (channel: ProviderChannelName) => new Queue<DeliveryJobData>(QUEUE_NAMES[channel], { connection: this.#connection, prefix: options.queuePrefix });
    this.queues = { EMAIL: queue('EMAIL'), SMS: queue('SMS') };
  }

  start(): void {
    this.#stopped = false;
    const poll = (): void => {
      this.#timer = setTimeout(() => {
        this.kick();
        if (!this.#stopped) poll();
      }, this.#options.settings.dispatchPollMs);
      this.#timer.unref();
    };
    poll();
    this.kick();
  }

  /** Dispatches soon; calls while a run is under way coalesce into one more run. */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.dispatch()
      .then(() => undefined)
      .catch((error: unknown) => getLogger('notification-service').warn({ err: error }, 'delivery dispatch failed; the poll retries'))
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.kick();
        }
      });
  }

  /** One pass over every channel; returns how many deliveries it put on queues. */
  async dispatch(): Promise<number> {
    let total = 0;
    for (const channel of PROVIDER_CHANNELS) total += await this.#dispatchChannel(channel);
    return total;
  }

  async #dispatchChannel(channel: ProviderChannelName): Promise<number> {
    const { store, settings, now } = this.#options;
    const queue = this.queues[channel];
    const limits = channel === 'EMAIL' ? settings.email : settings.sms;
    const depth = await queue.getJobCountByTypes('waiting', 'delayed', 'active', 'prioritized', 'waiting-children');
    const room = limits.maxQueueDepth - depth;
    if (room <= 0) return 0;
    const stale = new Date(now().getTime() - settings.requeueAfterMs);
    const due = await store.deliveries
      .find({ status: 'QUEUED', channel, $or: [{ enqueuedAt: null }, { enqueuedAt: { $lt: stale } }] }, { projection: { _id: 1 } })
      .sort({ enqueuedAt: 1, createdAt: 1 })
      .limit(Math.min(room, 500))
      .toArray();
    if (due.length === 0) return 0;
    const ids = due.map((delivery) => delivery._id);
    await queue.addBulk(
      ids.map((deliveryId) => ({
        name: 'deliver',
        data: { deliveryId },
        opts: { jobId: deliveryId, attempts: limits.retry.attempts, backoff: { type: 'policy' }, removeOnComplete: { age: 3_600, count: 10_000 }, removeOnFail: { age: 86_400, count: 10_000 } },
      })),
    );
    await store.deliveries.updateMany({ _id: { $in: ids }, status: 'QUEUED' }, { $set: { enqueuedAt: now() } });
    // A full page means more may be waiting: go round again at once rather than at the next poll.
    if (due.length === Math.min(room, 500)) this.#again = true;
    return due.length;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#running;
    await Promise.all(Object.values(this.queues).map((queue) => queue.close()));
    await this.#connection.quit().catch(() => undefined);
  }
}
