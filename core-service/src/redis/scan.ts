import type { Redis } from 'ioredis';
import { getRedis } from './connection.js';

export interface ScanOptions {
  client?: Redis;
  pattern: string;
  /** SCAN COUNT hint per round trip (default 500). */
  count?: number;
}

/**
 * Iterates keys matching `pattern` with SCAN, never KEYS: KEYS walks the whole keyspace in one
 * blocking call and stalls every other client of the server.
 */
export async function* scanKeysIterator(options: ScanOptions): AsyncGenerator<string[]> {
  const client = options.client ?? getRedis();
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', options.pattern, 'COUNT', options.count ?? 500);
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}

/** Collects matching keys (SCAN may report a key twice; duplicates are removed). */
export async function scanKeysArray(options: ScanOptions & { maxKeys?: number }): Promise<string[]> {
  const found = new Set<string>();
  const max = options.maxKeys ?? Number.POSITIVE_INFINITY;
  for await (const batch of scanKeysIterator(options)) {
    for (const key of batch) {
      found.add(key);
      if (found.size >= max) return [...found];
    }
  }
  return [...found];
}

/** Deletes matching keys batch by batch with UNLINK (freed in the background by Redis). */
export async function deleteKeysByPattern(options: ScanOptions): Promise<number> {
  const client = options.client ?? getRedis();
  let deleted = 0;
  for await (const batch of scanKeysIterator({ ...options, client })) {
    deleted += await client.unlink(...batch);
  }
  return deleted;
}

/** Escapes glob metacharacters so a literal prefix (brand, service) cannot widen a pattern. */
export function escapeRedisPattern(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}
