import { describe, expect, it } from 'vitest';
import { checkJobId, findRecoveryAudit, type RecoverableOperation } from '../../src/recovery/index.js';
import { runWithCorrelationId } from '../../src/logger/index.js';
import { createRecoveryHarness, type RecoveryHarness } from './support/recovery-fixture.js';
import { waitFor } from './support/wait-for.js';

describe('event-driven recovery', () => {
  it('recovers an operation whose heartbeat went stale, and audits it under its correlation id', async () => {
    const events: Array<{ type: string; tenantId: string; data: unknown }> = [];
    const harness = await createRecoveryHarness('recstale', { events: { emit: async (type, tenantId, _userId, data) => void events.push({ type, tenantId, data }) } });
    const recovered: RecoverableOperation[] = [];
    harness.registry.register('transfer', {
      recover: async (operation) => {
        recovered.push(operation);
        return { success: true, action: 'reversed' };
      },
    });
    const tracker = harness.tracker('transfer');

    await runWithCorrelationId('corr-stuck-1', () => tracker.setInProgress('stuck-1', { tenantId: harness.fixture.tenantId, amount: 700 }));

    await waitFor(() => recovered.length === 1, { what: 'the stale operation to be recovered' });
    expect(recovered[0]).toMatchObject({ id: 'stuck-1', trigger: 'check', attempt: 1, meta: { amount: 700 }, correlationId: 'corr-stuck-1' });
    await waitFor(async () => (await tracker.get('stuck-1'))!.status === 'recovered', { what: 'the claim to be released as recovered' });
    const audit = await waitFor(async () => (await findRecoveryAudit(harness.db, 'transfer', 'stuck-1'))[0], { what: 'the audit record' });
    expect(audit).toMatchObject({ action: 'reversed', result: 'recovered', trigger: 'check', correlationId: 'corr-stuck-1', tenantId: harness.fixture.tenantId });
    expect(audit.timestamp).toBeInstanceOf(Date);
    expect(events).toEqual([
      {
        type: 'recovery.operation_recovered',
        tenantId: harness.fixture.tenantId,
        data: { operationType: 'transfer', operationId: 'stuck-1', action: 'reversed', trigger: 'check', attempt: 1, error: undefined },
      },
    ]);
  });

  it('leaves alone an operation that keeps its heartbeat, and one that completed', async () => {
    const harness = await createRecoveryHarness('recalive');
    const recovered: string[] = [];
    harness.registry.register('transfer', { recover: async ({ id }) => void recovered.push(id) });
    const tracker = harness.tracker('transfer');

    // more slack between heartbeats and staleness, so a loaded machine cannot make it look stuck
    const liveTracker = harness.tracker('transfer', { staleAfter: 600, heartbeatInterval: 50 });
    await liveTracker.setInProgress('alive');
    const stopHeartbeat = liveTracker.startHeartbeat('alive');
    await tracker.setInProgress('done');
    await tracker.setCompleted('done');
    await tracker.setInProgress('stuck');

    await waitFor(() => recovered.includes('stuck'), { what: 'the stuck operation to be recovered' });
    // the live operation's check fired, found a fresh heartbeat, and went back to the delayed set
    await waitFor(() => harness.job.stats.checksRescheduled >= 2, { what: 'the live operation to be checked twice' });
    stopHeartbeat();
    await tracker.setCompleted('alive');

    expect(recovered).toEqual(['stuck']);
    expect((await tracker.get('alive'))!.status).toBe('completed');
    expect((await tracker.get('done'))!.status).toBe('completed');
    // nothing is left scheduled once every operation has finished (a check firing right now completes as a no-op)
    await waitFor(async () => isDrained(await harness.job.queue.getJobCounts('delayed', 'wait', 'active')), { what: 'the queue to drain' });
    expect(recovered).toEqual(['stuck']);
  });

  it('never recovers a completed operation, even when asked to directly', async () => {
    const harness = await createRecoveryHarness('recdirect');
    let calls = 0;
    harness.registry.register('transfer', { recover: async () => void (calls += 1) });
    const tracker = harness.tracker('transfer');
    await tracker.setInProgress('finished');
    await tracker.setCompleted('finished');

    expect(await harness.job.recoverOperation('transfer', 'finished')).toEqual({ status: 'skipped', reason: 'operation is completed' });
    expect(calls).toBe(0);
    expect(await findRecoveryAudit(harness.db, 'transfer', 'finished')).toEqual([]);
  });

  it('an operation that completes after recovery claimed it is told so', async () => {
    const harness = await createRecoveryHarness('recrace');
    harness.registry.register('transfer', { recover: async () => ({ success: true, action: 'reversed' }) });
    const tracker = harness.tracker('transfer');
    await tracker.setInProgress('late');
    await waitFor(async () => (await tracker.get('late'))!.status === 'recovered', { what: 'recovery' });

    expect(await tracker.setCompleted('late')).toBe(false);
    expect((await tracker.get('late'))!.status).toBe('recovered');
  });

  it('two recoveries racing on one stale operation run the handler once', async () => {
    const harness = await createRecoveryHarness('recclaim', { start: false });
    let calls = 0;
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    harness.registry.register('transfer', {
      recover: async () => {
        calls += 1;
        await blocked;
        return { success: true };
      },
    });
    // no scheduled check: this test drives recovery by hand
    const tracker = harness.tracker('transfer', { recovery: undefined, keyPrefix: harness.fixture.keyPrefix });
    await tracker.setInProgress('contended');
    await waitFor(async () => Date.now() - (await tracker.get('contended'))!.lastHeartbeat.getTime() > 400, { what: 'staleness' });

    const first = harness.job.recoverOperation('transfer', 'contended');
    await waitFor(() => calls === 1, { what: 'the first attempt to reach the handler' });
    const second = await harness.job.recoverOperation('transfer', 'contended');
    release();

    expect(second.status).toBe('busy');
    expect((await first).status).toBe('recovered');
    expect(calls).toBe(1);
    expect((await tracker.get('contended'))!.status).toBe('recovered');
  });

  it('a failing recovery is audited, retried, and audited again when it succeeds', async () => {
    const harness = await createRecoveryHarness('recretry');
    let calls = 0;
    harness.registry.register('transfer', {
      recover: async () => {
        calls += 1;
        if (calls === 1) throw new Error('ledger unavailable');
        return { success: true, action: 'reversed' };
      },
    });
    const tracker = harness.tracker('transfer');
    await tracker.setInProgress('flaky');

    await waitFor(async () => (await tracker.get('flaky'))!.status === 'recovered', { what: 'the retried recovery' });
    const audit = await findRecoveryAudit(harness.db, 'transfer', 'flaky');
    expect(audit.map((entry) => [entry.result, entry.attempt, entry.error])).toEqual([
      ['failed', 1, 'ledger unavailable'],
      ['recovered', 2, undefined],
    ]);
  });
});

describe('recovery cost', () => {
  it('10,000 completed operations and 3 stuck ones: recovery touches exactly the 3', async () => {
    const harness = await createRecoveryHarness('reccost', { concurrency: 50 });
    const recovered: string[] = [];
    harness.registry.register('transfer', { recover: async ({ id }) => void recovered.push(id) });
    // Staleness is recorded per operation: the completed ones get a generous 30 s so that no
    // start-to-completion gap under load could ever look stuck; the stuck ones go stale in 1 s.
    const tracker = harness.tracker('transfer', { staleAfter: 30_000, heartbeatInterval: 1_000 });
    const stuckTracker = harness.tracker('transfer', { staleAfter: 1_000, heartbeatInterval: 100 });

    const stuck = ['stuck-a', 'stuck-b', 'stuck-c'];
    await Promise.all(stuck.map((id) => stuckTracker.setInProgress(id)));
    for (let batch = 0; batch < 20; batch += 1) {
      await Promise.all(
        Array.from({ length: 500 }, async (_, index) => {
          const id = `ok-${batch}-${index}`;
          await tracker.setInProgress(id);
          await tracker.setCompleted(id);
        }),
      );
    }

    await waitFor(() => recovered.length === 3, { what: 'the 3 stuck operations', timeoutMs: 25_000 });
    await waitFor(async () => isDrained(await harness.job.queue.getJobCounts('delayed', 'wait', 'active')), { what: 'the queue to drain' });
    expect(recovered.sort()).toEqual(stuck);
    expect(harness.job.stats.handlerInvocations).toBe(3);
    expect(harness.job.stats.checksProcessed).toBe(3);
    expect(harness.job.stats.skipped).toBe(0);
    expect(await findRecoveryAuditCount(harness)).toBe(3);
  }, 60_000);
});

describe('backstop sweep', () => {
  it('finds a stuck operation whose delayed check was lost', async () => {
    const harness = await createRecoveryHarness('recsweep', { interval: 200, maxAge: 300 });
    const recovered: RecoverableOperation[] = [];
    harness.registry.register('transfer', { recover: async (operation) => void recovered.push(operation) });
    // checks are scheduled far in the future and then lost: only the sweep can find these
    const tracker = harness.tracker('transfer');
    await tracker.setInProgress('orphan');
    await tracker.setInProgress('finished');
    await tracker.setCompleted('finished');
    expect(await harness.job.queue.remove(checkJobId('transfer', 'orphan'))).toBe(1);

    await waitFor(() => recovered.length > 0, { what: 'the sweep to recover the orphan' });
    expect(recovered.map(({ id, trigger }) => ({ id, trigger }))).toEqual([{ id: 'orphan', trigger: 'sweep' }]);
    await waitFor(async () => (await tracker.get('orphan'))!.status === 'recovered', { what: 'the claim to be released as recovered' });
    await waitFor(() => harness.job.stats.sweeps >= 2, { what: 'another sweep' });
    expect(recovered).toHaveLength(1);
  });

  it("uses a handler's own findStuck for operations the tracker never saw", async () => {
    const harness = await createRecoveryHarness('recfind', { start: false });
    const recovered: RecoverableOperation[] = [];
    const maxAges: number[] = [];
    harness.registry.register('transfer', {
      findStuck: async (maxAge) => (maxAges.push(maxAge), [{ id: 'tr-9', meta: { tenantId: harness.fixture.tenantId } }]),
      recover: async (operation) => {
        recovered.push(operation);
        return { success: true, action: 'reversed' };
      },
    });

    expect(await harness.job.sweep(60_000)).toBe(1);
    expect(maxAges).toEqual([60_000]);
    expect(recovered[0]).toMatchObject({ id: 'tr-9', trigger: 'sweep', meta: { tenantId: harness.fixture.tenantId } });
    expect(await findRecoveryAudit(harness.db, 'transfer', 'tr-9')).toMatchObject([{ action: 'reversed', result: 'recovered', trigger: 'sweep' }]);
  });
});

function isDrained(counts: Record<string, number>): boolean {
  return (counts['delayed'] ?? 0) + (counts['wait'] ?? 0) + (counts['active'] ?? 0) === 0;
}

function findRecoveryAuditCount(harness: RecoveryHarness): Promise<number> {
  return harness.db.collection('recovery_audit').countDocuments();
}
