import { once } from 'node:events';
import type { Redis } from 'ioredis';

/**
 * A second connection with the options of the first, resolved once it is ready: subscriber and
 * adapter connections cannot share the command connection, and connections made with
 * `enableOfflineQueue: false` (core-service's connectRedis) refuse commands until then; a
 * `lazyConnect` original is connected explicitly.
 */
export async function duplicateConnection(redis: Redis): Promise<Redis> {
  const copy = redis.duplicate();
  // A lazyConnect original makes a lazy copy, which would wait for a first command forever.
  if (copy.status === 'wait') void copy.connect().catch(() => undefined);
  if (copy.status !== 'ready') {
    await Promise.race([
      once(copy, 'ready'),
      once(copy, 'error').then(([error]) => {
        copy.disconnect();
        throw error as Error;
      }),
    ]);
  }
  return copy;
}
