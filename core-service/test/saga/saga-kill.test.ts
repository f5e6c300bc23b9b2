import { describe, expect, it, onTestFinished } from 'vitest';
import { findRecoveryAudit, RecoveryJob, RecoveryRegistry } from '../../src/recovery/index.js';
import { registerSagaRecovery, SagaEngine } from '../../src/saga/index.js';
import { createTestFixture, type TestFixture } from '../../src/testing/index.js';
import { waitFor } from '../recovery/support/wait-for.js';
import { startChild } from './support/child-process.js';
import { countEffects, createWithdrawSaga } from './support/withdraw-saga.js';

const LEASE_MS = 600;

interface KilledRun {
  fixture: TestFixture;
  runId: string;
}

/**
 * Starts the withdraw saga in a child process, waits until the `hold` step's result is
 * persisted and the child reports it has reached `crashAt` inside `payout`, then SIGKILLs it.
 */
async function killWithdrawalMidway(label: string, crashAt: 'payout-start' | 'payout-applied', payoutRetrySafe = true): Promise<KilledRun> {
  const fixture = createTestFixture({ label });
  const child = startChild(new URL('./support/withdraw-child.ts', import.meta.url), {
    MONGO_URI: fixture.mongoUri,
    REDIS_URL: fixture.redisUrl,
    DB_NAME: fixture.dbName('payment'),
    KEY_PREFIX: fixture.keyPrefix,
    QUEUE_PREFIX: fixture.key('bull'),
    TENANT_ID: fixture.tenantId,
    USER_ID: 'user-1',
    IDEMPOTENCY_KEY: `wd-${label}`,
    CRASH_AT: crashAt,
    LEASE_MS: String(LEASE_MS),
    PAYOUT_RETRY_SAFE: String(payoutRetrySafe),
  });
  const persisted = await child.waitForSignal((s) => s.signal === 'step-persisted' && s['step'] === 'hold');
  await child.waitForSignal((s) => s.signal === 'crash-point' && s['at'] === crashAt);
  await child.kill();
  return { fixture, runId: String(persisted['runId']) };
}

/** The surviving process: an engine that knows the saga, and a recovery worker on the same queue. */
async function startSurvivor(fixture: TestFixture) {
  const client = await fixture.mongoClient();
  const db = client.db(fixture.dbName('payment'));
  const redis = fixture.redis();
  const engine = new SagaEngine({ db, client, leaseMs: LEASE_MS, heartbeatMs: 150, owner: 'survivor' });
  engine.register(createWithdrawSaga(db));
  const registry = new RecoveryRegistry();
  registerSagaRecovery(engine, { registry });
  const recovery = new RecoveryJob({ redis, db, registry, keyPrefix: fixture.keyPrefix, queuePrefix: fixture.key('bull'), interval: 0, checkBackoffMs: 50 });
  onTestFinished(() => recovery.stop());
  return { db, engine, recovery };
}

describe('saga process killed between steps', () => {
  it('killed after hold was persisted: recovery resumes the run and every step applies exactly once', async () => {
    const { fixture, runId } = await killWithdrawalMidway('sagakill1', 'payout-start');
    const { db, engine, recovery } = await startSurvivor(fixture);
    // half-done: hold persisted, payout interrupted, owner gone
    expect(await engine.getRun(runId)).toMatchObject({ status: 'running', owner: 'child', steps: [{ status: 'completed' }, { status: 'running', attempts: 1 }, { status: 'pending' }] });

    // the run's own delayed check (scheduled by the child) fires once its heartbeat is stale
    await recovery.start();
    const run = await waitFor(
      async () => {
        const current = await engine.getRun(runId);
        return current?.status === 'completed' ? current : undefined;
      },
      { what: 'the run to be resumed to completion' },
    );

    expect(run.steps.map(({ name, status, attempts }) => ({ name, status, attempts }))).toEqual([
      { name: 'hold', status: 'completed', attempts: 1 },
      { name: 'payout', status: 'completed', attempts: 2 },
      { name: 'capture', status: 'completed', attempts: 1 },
    ]);
    expect(await countEffects(db)).toEqual({ holds: 1, payouts: 1, hold_releases: 0, payout_reversals: 0, captures: 1 });
    expect((await db.collection('holds').findOne({}))!['status']).toBe('captured');
    const audit = await waitFor(async () => (await findRecoveryAudit(db, 'saga', runId)).find((entry) => entry.result === 'recovered'), { what: 'the audit entry' });
    expect(audit).toMatchObject({ action: 'resumed', trigger: 'check', details: { status: 'completed' } });
  });

  it('killed after the payout applied but before its result was recorded: the resumed step finds it by its key, paid once', async () => {
    const { fixture, runId } = await killWithdrawalMidway('sagakill2', 'payout-applied');
    const { db, engine } = await startSurvivor(fixture);
    expect(await countEffects(db)).toMatchObject({ holds: 1, payouts: 1, captures: 0 });

    // the engine's own sweep, without the recovery job: it takes over once the lease expired
    const resumed = await waitFor(async () => (await engine.resumeStaleRuns()) || undefined, { what: 'the lease to expire and the run to be resumed' });

    expect(resumed).toBe(1);
    expect(await engine.getRun(runId)).toMatchObject({ status: 'completed', owner: null });
    expect(await countEffects(db)).toEqual({ holds: 1, payouts: 1, hold_releases: 0, payout_reversals: 0, captures: 1 });
  });

  it('killed inside a step that is not retry-safe: recovery compensates instead, releasing the hold once', async () => {
    const { fixture, runId } = await killWithdrawalMidway('sagakill3', 'payout-start', false);
    // the survivor's saga must match the child's definition, including payout's retrySafe: false
    const client = await fixture.mongoClient();
    const db = client.db(fixture.dbName('payment'));
    const engine = new SagaEngine({ db, client, leaseMs: LEASE_MS, heartbeatMs: 150, owner: 'survivor' });
    engine.register(createWithdrawSaga(db, { payoutRetrySafe: false }));
    const registry = new RecoveryRegistry();
    registerSagaRecovery(engine, { registry });
    const recovery = new RecoveryJob({ redis: fixture.redis(), db, registry, keyPrefix: fixture.keyPrefix, queuePrefix: fixture.key('bull'), interval: 0, checkBackoffMs: 50 });
    onTestFinished(() => recovery.stop());
    await recovery.start();

    const run = await waitFor(
      async () => {
        const current = await engine.getRun(runId);
        return current?.status === 'compensated' ? current : undefined;
      },
      { what: 'the run to be compensated' },
    );

    expect(run).toMatchObject({ failedStep: 'payout', error: 'interrupted by a crash; step is not retry-safe' });
    expect(run.steps.map(({ status }) => status)).toEqual(['compensated', 'compensated', 'pending']);
    expect(run.steps[1]).toMatchObject({ inDoubt: true });
    expect(await countEffects(db)).toEqual({ holds: 1, payouts: 0, hold_releases: 1, payout_reversals: 0, captures: 0 });
    expect((await db.collection('holds').findOne({}))!['status']).toBe('released');
    // a compensated run is never touched again
    expect(await recovery.recoverOperation('saga', runId)).toMatchObject({ status: 'skipped' });
    expect(await engine.resumeRun(runId)).toMatchObject({ status: 'compensated', resumed: false });
    await waitFor(async () => (await findRecoveryAudit(db, 'saga', runId)).find((entry) => entry.result === 'recovered'), { what: 'the audit entry' }).then((entry) =>
      expect(entry).toMatchObject({ action: 'compensated' }),
    );
  });
});
