import type { Redis } from 'ioredis';
import { getLogger, waitForRedisReady, watchRedisClient } from 'core-service';

/**
 * Cross-instance notice that a tenant's roles changed (`tenantId: null`: a platform default). Every
 * instance drops its cached engine for that tenant, so the next token it mints uses the new
 * roles. Pub/sub rather than the event stream: the notice is worthless once missed (an instance
 * that was down rebuilds from MongoDB on start), and it must arrive in milliseconds.
 */
export interface RoleInvalidation {
  publish(tenantId: string | null): Promise<void>;
  close(): Promise<void>;
}

export async function startRoleInvalidation(redis: Redis, channel: string, onInvalidate: (tenantId: string | null) => void): Promise<RoleInvalidation> {
  // Lazy + wait: the shared connection may disable the offline queue, and its duplicate would
  // refuse SUBSCRIBE until connected.
  const subscriber = watchRedisClient(redis.duplicate({ lazyConnect: true }), 'roles-subscriber');
  subscriber.on('message', (received: string, raw: string) => {
    if (received !== channel) return;
    try {
      const message = JSON.parse(raw) as { tenantId: string | null };
      onInvalidate(message.tenantId ?? null);
    } catch {
      getLogger('auth-service').warn({ channel }, 'ignoring malformed role invalidation');
    }
  });
  // After a reconnect, notices published meanwhile were missed: forget every tenant's engine.
  let hasBeenReady = false;
  subscriber.on('ready', () => {
    if (hasBeenReady) onInvalidate(null);
    hasBeenReady = true;
  });
  await waitForRedisReady(subscriber, 5_000);
  await subscriber.subscribe(channel);
  return {
    async publish(tenantId) {
      // Local first: this instance must not mint one more token from the old roles.
      onInvalidate(tenantId);
      await redis.publish(channel, JSON.stringify({ tenantId }));
    },
    async close() {
      await subscriber.quit().catch(() => subscriber.disconnect());
    },
  };
}
