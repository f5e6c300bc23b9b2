import { once } from 'node:events';
import type { Redis, RedisOptions } from 'ioredis';
import { watchRedisClient } from './connection.js';

/**
 * A second connection with the options of the first, resolved once it is ready: subscriber and
 * adapter connections cannot share the command connection, and connections made with
 * `enableOfflineQueue: false` (core-service's connectRedis) refuse commands until then; a
 * `lazyConnect` original is connected explicitly. `overrides` change options of the copy only
 * (a blocking reader's longer command timeout).
 *
 * The wait's listeners are removed once it is decided: an 'error' listener left behind would
 * disconnect the copy for good at the next outage, and with it every subscriber and blocking
 * reader built on it (live pushes stayed dead after a Redis restart because of that).
 */
export async function duplicateConnection(redis: Redis, overrides: Partial<RedisOptions> = {}, label = 'duplicate'): Promise<Redis> {
  const copy = watchRedisClient(redis.duplicate(overrides), label);
  // A lazyConnect original makes a lazy copy, which would wait for a first command forever.
  if (copy.status === 'wait') void copy.connect().catch(() => undefined);
  if (copy.status !== 'ready') {
    const settled = new AbortController();
    try {
      await Promise.race([
        once(copy, 'ready', { signal: settled.signal }),
        once(copy, 'error', { signal: settled.signal }).then(([error]) => {
          copy.disconnect();
          throw error as Error;
        }),
      ]);
    } finally {
      settled.abort();
    }
  }
  return copy;
}

/**
 * A connection for BullMQ, which needs `maxRetriesPerRequest: null`. A producer (`'queue'`)
 * keeps the original's fail-fast options, so adding a job while Redis is down fails at once
 * instead of waiting in an offline queue (callers treat that as a degradation). A worker blocks
 * on its connection for longer than `commandTimeout` and must wait out an outage rather than
 * fail every poll, so it gets the offline queue and no command timeout.
 */
export function duplicateForBullMQ(redis: Redis, role: 'queue' | 'worker'): Redis {
  return role === 'queue' ? redis.duplicate({ maxRetriesPerRequest: null }) : redis.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true, commandTimeout: undefined });
}
