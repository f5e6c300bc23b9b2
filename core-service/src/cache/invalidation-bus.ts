import type { Redis } from 'ioredis';
import { quitRedisClient, watchRedisClient } from '../redis/connection.js';
import { getLogger } from '../logger/logger.js';

/** Keys only, never values: a receiver drops its copy and reloads from L2 when asked. */
export interface InvalidationMessage {
  /** Sender instance id; an instance ignores its own messages. */
  s: string;
  k?: string[];
  p?: string;
  c?: 1;
}

export interface InvalidationBusOptions {
  channel: string;
  instanceId: string;
  /** Connection to duplicate for the subscriber (a subscribed connection can run nothing else). */
  source: Redis;
  onMessage(message: InvalidationMessage): void;
  /** Called when the subscription is back after a disconnect: messages may have been lost. */
  onReconnect(): void;
}

/**
 * Cross-instance L1 invalidation over Redis pub/sub. Pub/sub does not queue for disconnected
 * subscribers, so after every reconnect the owner flushes its L1 (`onReconnect`), and L1 entries
 * keep a short TTL as a backstop for anything still missed.
 */
export class InvalidationBus {
  private subscriber: Redis | undefined;
  private hasBeenReady = false;
  private isClosed = false;
  private markSubscribed: () => void = () => undefined;
  private readonly subscribed = new Promise<void>((resolve) => {
    this.markSubscribed = resolve;
  });

  constructor(private readonly options: InvalidationBusOptions) {}

  start(): void {
    if (this.subscriber !== undefined) return;
    const subscriber = watchRedisClient(this.options.source.duplicate({ lazyConnect: true }), 'cache-invalidation');
    this.subscriber = subscriber;
    subscriber.on('message', (channel: string, raw: string) => {
      if (channel !== this.options.channel) return;
      let message: InvalidationMessage;
      try {
        message = JSON.parse(raw) as InvalidationMessage;
      } catch {
        return;
      }
      if (message.s !== this.options.instanceId) this.options.onMessage(message);
    });
    subscriber.on('ready', () => {
      const isReconnect = this.hasBeenReady;
      this.hasBeenReady = true;
      // Subscribe first, flush second: a message published between the two is then either
      // received or its key is already gone from L1.
      subscriber
        .subscribe(this.options.channel)
        .then(() => {
          this.markSubscribed();
          if (isReconnect && !this.isClosed) this.options.onReconnect();
        })
        .catch((error: unknown) => {
          getLogger().warn({ error: error instanceof Error ? error.message : String(error) }, 'cache invalidation subscribe failed');
          // Without a subscription L1 can no longer be trusted to hear about changes.
          if (!this.isClosed) this.options.onReconnect();
        });
    });
    void subscriber.connect().catch(() => undefined);
  }

  /** Resolves once the first subscription is active (start-up ordering, tests). */
  whenSubscribed(): Promise<void> {
    return this.subscribed;
  }

  async close(): Promise<void> {
    this.isClosed = true;
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber !== undefined) await quitRedisClient(subscriber);
  }
}
