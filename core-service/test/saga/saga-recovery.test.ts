import type { Db } from 'mongodb';
import { describe, expect, it, onTestFinished } from 'vitest';
import { findRecoveryAudit, RecoveryJob, RecoveryRegistry } from '../../src/recovery/index.js';
import { newSagaRun, registerSagaRecovery, sagaRunId, type SagaEngine, type SagaRunDocument } from '../../src/saga/index.js';
import { createSagaHarness } from './support/saga-fixture.js';
import { countEffects, createWithdrawSaga } from './support/withdraw-saga.js';

/** A run as a dead process leaves it: hold done, payout interrupted, lease `leaseAgeMs` in the past. */
async function insertAbandonedRun(db: Db, engine: SagaEngine, key: string, leaseAgeMs: number): Promise<string> {
  const runId = sagaRunId('withdraw', key);
  const now = new Date();
  await db.collection('holds').insertOne({ _id: `${runId}:hold` as never, userId: 'u-9', amount: 400, status: 'held' });
  const doc: SagaRunDocument = {
    ...newSagaRun({
      runId,
      saga: 'withdraw',
      mode: 'compensation',
      input: { userId: 'u-9', amount: 400 },
      steps: [],
      idempotencyKey: key,
      tenantId: 'tenant-r',
      owner: 'dead-instance',
      leaseUntil: new Date(now.getTime() - leaseAgeMs),
      now,
    }),
    steps: [
      { name: 'hold', status: 'completed', result: { holdId: `${runId}:hold` }, attempts: 1, compensationAttempts: 0 },
      { name: 'payout', status: 'running', attempts: 1, compensationAttempts: 0 },
      { name: 'capture', status: 'pending', attempts: 0, compensationAttempts: 0 },
    ],
  };
  await engine.store.collection.insertOne(doc);
  return runId;
}

async function createRecovery(label: string) {
  const harness = await createSagaHarness(label);
  harness.engine.register(createWithdrawSaga(harness.db));
  const registry = new RecoveryRegistry();
  registerSagaRecovery(harness.engine, { registry });
  const recovery = new RecoveryJob({ redis: harness.fixture.redis(), db: harness.db, registry, keyPrefix: harness.fixture.keyPrefix, queuePrefix: harness.fixture.key('bull'), interval: 0 });
  onTestFinished(() => recovery.stop());
  return { ...harness, recovery };
}

describe("the 'saga' recovery handler", () => {
  it('the sweep finds a run whose owner died without any tracker state, and resumes it', async () => {
    const { db, engine, recovery } = await createRecovery('sagarecsweep');
    const runId = await insertAbandonedRun(db, engine, 'wd-untracked', 1_000);

    expect(await recovery.sweep()).toBe(1);

    expect(await engine.getRun(runId)).toMatchObject({ status: 'completed', owner: null });
    expect(await countEffects(db)).toEqual({ holds: 1, payouts: 1, hold_releases: 0, payout_reversals: 0, captures: 1 });
    expect(await findRecoveryAudit(db, 'saga', runId)).toMatchObject([{ action: 'resumed', result: 'recovered', trigger: 'sweep' }]);
    // the next sweep finds nothing: a finished run is not stuck
    expect(await recovery.sweep()).toBe(0);
    expect(await findRecoveryAudit(db, 'saga', runId)).toHaveLength(1);
  });

  it('a run still held by a live owner is not taken: the attempt fails and is audited as such', async () => {
    const { db, engine, recovery } = await createRecovery('sagareclive');
    const runId = await insertAbandonedRun(db, engine, 'wd-live', -60_000); // lease valid for another minute

    const outcome = await recovery.recoverOperation('saga', runId, 'sweep', { id: runId });

    expect(outcome).toEqual({ status: 'failed', error: `run ${runId} is still owned by a live instance` });
    expect(await engine.getRun(runId)).toMatchObject({ status: 'running', owner: 'dead-instance' });
    expect(await countEffects(db)).toMatchObject({ payouts: 0, captures: 0 });
  });

  it('never touches a run that was compensated', async () => {
    const { db, engine, recovery } = await createRecovery('sagareccomp');
    const runId = await insertAbandonedRun(db, engine, 'wd-comp', 1_000);
    await engine.store.collection.updateOne({ _id: runId }, { $set: { status: 'compensated', owner: null, leaseUntil: null } });

    expect(await recovery.sweep()).toBe(0);
    expect(await recovery.recoverOperation('saga', runId, 'sweep', { id: runId })).toMatchObject({ status: 'recovered', result: { action: 'none' } });
    expect(await engine.getRun(runId)).toMatchObject({ status: 'compensated' });
    expect(await countEffects(db)).toMatchObject({ payouts: 0, captures: 0, hold_releases: 0 });
    expect(await findRecoveryAudit(db, 'saga', runId)).toMatchObject([{ action: 'none', result: 'nothing_to_do', details: { status: 'compensated' } }]);
  });
});
