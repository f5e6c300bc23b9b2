import type { Db, MongoClient } from 'mongodb';
import { SagaEngine, type SagaEngineOptions } from '../../../src/saga/index.js';
import { createTestFixture, type TestFixture } from '../../../src/testing/index.js';

export interface SagaHarness {
  fixture: TestFixture;
  db: Db;
  client: MongoClient;
  engine: SagaEngine;
  /** Integration events the engine emitted. */
  events: Array<{ type: string; tenantId: string; data: unknown }>;
}

/** Fast policies so retries and compensation finish within a test's budget. */
export const FAST_SAGA_TIMINGS = {
  leaseMs: 600,
  heartbeatMs: 150,
  stepRetry: { maxAttempts: 3, strategy: 'fixed', initialDelay: 5 },
  compensationRetry: { maxAttempts: 4, strategy: 'fixed', initialDelay: 5 },
  stepTimeoutMs: 5_000,
} as const satisfies Partial<SagaEngineOptions>;

/** An engine on the fixture's own database. */
export async function createSagaHarness(label: string, options: Partial<SagaEngineOptions> = {}): Promise<SagaHarness> {
  const fixture = createTestFixture({ label });
  const client = await fixture.mongoClient();
  const db = client.db(fixture.dbName('payment'));
  const events: SagaHarness['events'] = [];
  const engine = new SagaEngine({
    db,
    client,
    ...FAST_SAGA_TIMINGS,
    events: { emit: async (type, tenantId, _userId, data) => void events.push({ type, tenantId, data }) },
    ...options,
  });
  return { fixture, db, client, engine, events };
}
