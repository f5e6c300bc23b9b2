import { BSON, type Document } from 'mongodb';

/**
 * What a repository needs from a cache. The SDK's multi-level cache (or anything with these
 * three calls) plugs in; values are strings, so a cache that goes through Redis JSON keeps
 * ObjectIds and Dates intact.
 */
export interface RepositoryCache {
  get(key: string): Promise<unknown>;
  set(key: string, value: string, ttlSeconds?: number): Promise<unknown>;
  delete(key: string): Promise<unknown>;
}

/** Canonical EJSON, so a cached document comes back with the BSON types it was read with. */
export function serializeCachedDocument(document: Document): string {
  return BSON.EJSON.stringify(document, { relaxed: false });
}

/** A cached document, or undefined for anything a cache returned that is not one of ours. */
export function deserializeCachedDocument<T>(value: unknown): T | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    // Relaxed on the way back: numbers come back as plain numbers, as the driver returns them.
    return BSON.EJSON.parse(value, { relaxed: true }) as T;
  } catch {
    return undefined;
  }
}
