import type { Redis } from 'ioredis';
import type { Db, MongoClient } from 'mongodb';
import { onTestFinished } from 'vitest';
import { EventBus, type EventBusOptions } from '../../../src/events/index.js';
import type { TestFixture } from '../../../src/testing/index.js';

/** Fast timings so retries and re-claims happen within a test's budget. */
export const FAST_BUS_TIMINGS = {
  blockMs: 200,
  claimIdleMs: 250,
  claimIntervalMs: 50,
} as const;

export interface BusFixtureOptions extends Partial<Omit<EventBusOptions, 'redis' | 'mongo'>> {
  /** Give the bus MongoDB (processed-event records, outbox); default true. */
  withMongo?: boolean;
  /** Database base name; buses sharing it share processed records and outbox. */
  database?: string;
}

export interface BusHandle {
  bus: EventBus;
  db: Db | undefined;
  client: MongoClient | undefined;
}

/**
 * An event bus on the fixture's own stream key and database, closed when the test ends.
 * Every service in a test uses the same stream (`fixture.key('events')`), as in production.
 */
export async function createBusForTest(fixture: TestFixture, options: BusFixtureOptions = {}): Promise<BusHandle> {
  const { withMongo = true, database = 'events', ...rest } = options;
  const client = withMongo ? await fixture.mongoClient() : undefined;
  const db = client ? client.db(fixture.dbName(database)) : undefined;
  const bus = new EventBus({
    serviceName: 'test-service',
    streamKey: fixture.key('events'),
    ...FAST_BUS_TIMINGS,
    ...rest,
    redis: fixture.redis(),
    ...(client && db ? { mongo: { client, db } } : {}),
  });
  onTestFinished(() => bus.close());
  return { bus, db, client };
}

/**
 * True once `group` has been handed every entry of `stream` and acknowledged them all, i.e.
 * the service has nothing left to do. (Pending = 0 alone is also true before delivery.)
 */
export async function isGroupCaughtUp(redis: Redis, stream: string, group: string): Promise<boolean> {
  const [last] = (await redis.xrevrange(stream, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
  const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  for (const raw of groups) {
    const info: Record<string, unknown> = {};
    for (let i = 0; i + 1 < raw.length; i += 2) info[String(raw[i])] = raw[i + 1];
    if (info['name'] !== group) continue;
    return info['pending'] === 0 && (last === undefined || info['last-delivered-id'] === last[0]);
  }
  return false;
}
