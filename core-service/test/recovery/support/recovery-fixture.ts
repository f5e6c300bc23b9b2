import type { Db } from 'mongodb';
import type { Redis } from 'ioredis';
import { onTestFinished } from 'vitest';
import { OperationStateTracker, RecoveryJob, RecoveryRegistry, type OperationStateTrackerOptions, type RecoveryJobOptions } from '../../../src/recovery/index.js';
import { createTestFixture, type TestFixture } from '../../../src/testing/index.js';

export interface RecoveryHarness {
  fixture: TestFixture;
  redis: Redis;
  db: Db;
  registry: RecoveryRegistry;
  job: RecoveryJob;
  tracker(type: string, options?: Partial<OperationStateTrackerOptions>): OperationStateTracker;
}

/**
 * A recovery job on the fixture's own queue, key prefix, registry and database, so tests run
 * side by side without seeing each other's operations. Short staleness: 300 ms.
 */
export async function createRecoveryHarness(label: string, options: Partial<Omit<RecoveryJobOptions, 'redis' | 'db'>> & { start?: boolean } = {}): Promise<RecoveryHarness> {
  const fixture = createTestFixture({ label });
  const redis = fixture.redis();
  const db = await fixture.db('recovery');
  const registry = new RecoveryRegistry();
  const { start = true, ...jobOptions } = options;
  const job = new RecoveryJob({
    redis,
    db,
    registry,
    keyPrefix: fixture.keyPrefix,
    queuePrefix: fixture.key('bull'),
    interval: 0,
    maxAge: 300,
    checkBackoffMs: 50,
    ...jobOptions,
  });
  onTestFinished(() => job.stop());
  if (start) await job.start();
  return {
    fixture,
    redis,
    db,
    registry,
    job,
    tracker: (type, trackerOptions = {}) => new OperationStateTracker(type, { redis, recovery: job, staleAfter: 300, heartbeatInterval: 50, ttl: 60, ...trackerOptions }),
  };
}
