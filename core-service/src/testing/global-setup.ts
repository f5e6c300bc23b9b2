import type { TestProject } from 'vitest/node';
import { startRedisServer, type RedisServerHandle } from './redis-server.js';
import { PROVIDED_CONTEXT_KEY, type TestInfrastructure } from './provided-context.js';

/** The contract of `embedded-mongo` this harness relies on (issue 2). */
interface EmbeddedMongoModule {
  startEmbeddedMongo(options?: { port?: number; dbPath?: string; replSetName?: string; transactionLifetimeSeconds?: number }): Promise<{
    uri: string;
    port: number;
    stop(): Promise<void>;
  }>;
}

/** Replica-set name the engine announces, so driver sessions and transactions are allowed. */
const REPLICA_SET_NAME = 'rs0';

/**
 * Vitest global setup: one MongoDB engine and one private Redis per test run, shared by every
 * test file; isolation comes from per-test fixtures (own tenant, database suffix, key prefix),
 * never from dropping data. `MONGO_URI` / `REDIS_URL` point the run at existing servers instead.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = [];
  const teardown = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop();
  };

  try {
    let redisUrl = process.env['REDIS_URL'] ?? '';
    if (redisUrl === '') {
      // Throws at once, naming the Debian package, when redis-server is not installed.
      const redis: RedisServerHandle = await startRedisServer();
      stops.push(() => redis.stop());
      redisUrl = redis.url;
    }

    let mongoUri = process.env['MONGO_URI'] ?? '';
    let mongoError = '';
    if (mongoUri === '') {
      try {
        // Loaded lazily: a run against MONGO_URI never loads the engine at all.
        const engine = (await import('embedded-mongo')) as unknown as Partial<EmbeddedMongoModule>;
        if (typeof engine.startEmbeddedMongo !== 'function') {
          throw new Error("package 'embedded-mongo' does not export startEmbeddedMongo yet");
        }
        // As in development (scripts/dev/platform.mjs): abandoned transactions end after 5 s, not 60.
        const mongo = await engine.startEmbeddedMongo({ replSetName: REPLICA_SET_NAME, transactionLifetimeSeconds: 5 });
        stops.push(() => mongo.stop());
        mongoUri = mongo.uri;
      } catch (error) {
        // Redis-only tests still run; tests that need MongoDB fail with this reason when they ask for it.
        mongoError = `embedded MongoDB engine could not start: ${error instanceof Error ? error.message : String(error)}`;
        process.stderr.write(`[core-service/testing] ${mongoError}\n`);
      }
    }

    const infrastructure: TestInfrastructure = { mongoUri, mongoError, redisUrl };
    project.provide(PROVIDED_CONTEXT_KEY, infrastructure);
    return teardown;
  } catch (error) {
    await teardown();
    throw error;
  }
}
