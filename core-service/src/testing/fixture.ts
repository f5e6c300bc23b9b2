import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { Redis } from 'ioredis';
import { onTestFinished } from 'vitest';
import { getTestInfrastructure } from './provided-context.js';

/**
 * Everything one test owns. Names are unique per fixture, so tests run in parallel and in any
 * order without dropping anything and without seeing each other's data.
 */
export interface TestFixture {
  /** Short random id every other name is derived from. */
  readonly id: string;
  readonly tenantId: string;
  /** Brand to initialise service accessors with; Redis keys start with it. */
  readonly brand: string;
  /** Appended to database names (`dbName('payment')` → `payment_<id>`). */
  readonly dbSuffix: string;
  /** Prefix of every Redis key this fixture writes (`<brand>:`). */
  readonly keyPrefix: string;
  readonly mongoUri: string;
  readonly redisUrl: string;
  dbName(base: string): string;
  key(key: string): string;
  /** The worker's shared MongoClient; fails with the reason when the run has no MongoDB. */
  mongoClient(): Promise<MongoClient>;
  /** `mongoClient().db(dbName(base))`. */
  db(base: string): Promise<Db>;
  /** A Redis connection owned by this fixture, closed by `cleanup`. */
  redis(): Redis;
  /** Closes the fixture's own connections. Data is left in place (nothing is dropped). */
  cleanup(): Promise<void>;
}

export interface CreateTestFixtureOptions {
  /** Readable label folded into the names, handy when inspecting a database after a failure. */
  label?: string;
  /** Register `cleanup` with `onTestFinished` (default: true when called inside a test). */
  autoCleanup?: boolean;
}

const sharedMongoClients = new Map<string, Promise<MongoClient>>();

/** The worker's MongoClient for the run's MongoDB, created once and shared by all fixtures. */
export async function getTestMongoClient(): Promise<MongoClient> {
  const { mongoUri, mongoError } = getTestInfrastructure();
  if (mongoUri === '') throw new Error(mongoError || 'no MongoDB available to this test run');
  let client = sharedMongoClients.get(mongoUri);
  if (client === undefined) {
    client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 10_000 }).connect();
    sharedMongoClients.set(mongoUri, client);
    // A failed connect must not be cached, or every later test would inherit it.
    client.catch(() => sharedMongoClients.delete(mongoUri));
  }
  return client;
}

/** Closes the worker's shared MongoClients (optional: workers exit at the end of the run). */
export async function closeTestConnections(): Promise<void> {
  const clients = [...sharedMongoClients.values()];
  sharedMongoClients.clear();
  await Promise.allSettled(clients.map(async (client) => (await client).close()));
}

/** A new Redis connection to the run's Redis, with retries disabled so failures surface fast. */
export function createTestRedis(url = getTestInfrastructure().redisUrl): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false });
}

export function createTestFixture(options: CreateTestFixtureOptions = {}): TestFixture {
  const { mongoUri, redisUrl } = getTestInfrastructure();
  const label = (options.label ?? 't').replace(/[^a-zA-Z0-9]/g, '').slice(0, 12) || 't';
  const id = `${label}${randomBytes(6).toString('hex')}`;
  const brand = `test_${id}`;
  const redisConnections: Redis[] = [];

  const fixture: TestFixture = {
    id,
    tenantId: `tenant_${id}`,
    brand,
    dbSuffix: `_${id}`,
    keyPrefix: `${brand}:`,
    mongoUri,
    redisUrl,
    dbName: (base) => `${base}_${id}`,
    key: (key) => `${brand}:${key}`,
    mongoClient: getTestMongoClient,
    async db(base) {
      return (await getTestMongoClient()).db(fixture.dbName(base));
    },
    redis() {
      const connection = createTestRedis(redisUrl);
      redisConnections.push(connection);
      return connection;
    },
    async cleanup() {
      const connections = redisConnections.splice(0);
      await Promise.allSettled(connections.map((connection) => connection.quit().catch(() => connection.disconnect())));
    },
  };

  if (options.autoCleanup !== false) {
    try {
      onTestFinished(() => fixture.cleanup());
    } catch {
      // Called outside a running test (beforeAll, module scope): the caller owns cleanup.
    }
  }
  return fixture;
}
