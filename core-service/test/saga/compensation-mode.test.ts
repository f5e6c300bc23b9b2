import { describe, expect, it } from 'vitest';
import { defineSaga, getSagaRun, initializeSagas, newSagaRun, nonRetryable, runSaga, sagaRunId, sagaStepKey, shutdownSagas, step, TerminalError, type StepContext } from '../../src/saga/index.js';
import { createSagaHarness } from './support/saga-fixture.js';
import { countEffects, createWithdrawSaga } from './support/withdraw-saga.js';

/** Steps that record what ran, in order, and fail where told. */
function createRecordingSaga(options: { failAt?: string; failWith?: () => Error; compensationFailures?: Record<string, number> }) {
  const log: string[] = [];
  const keys: string[] = [];
  const compensationCalls: Record<string, number> = {};
  const makeStep = (name: string) =>
    step(name, {
      async execute(_input: { order: string }, context: StepContext) {
        log.push(name);
        keys.push(context.idempotencyKey);
        if (options.failAt === name) throw (options.failWith ?? (() => new Error(`${name} failed`)))();
        return { done: name, seen: Object.keys(context.results) };
      },
      async compensate(_input, _context, result) {
        compensationCalls[name] = (compensationCalls[name] ?? 0) + 1;
        if (compensationCalls[name] <= (options.compensationFailures?.[name] ?? 0)) throw new Error(`undo ${name} unavailable`);
        log.push(`undo:${name}:${result?.done}`);
      },
    });
  const saga = defineSaga('fulfil', [makeStep('reserve'), makeStep('charge'), makeStep('ship')], { useTransaction: false });
  return { saga, log, keys, compensationCalls };
}

describe('saga compensation mode', () => {
  it('runs the steps in order, persists each result, and hands each step its idempotency key and earlier results', async () => {
    const { engine } = await createSagaHarness('sagacok');
    const { saga, keys } = createRecordingSaga({});

    const outcome = await engine.run(saga, { order: 'o-1' }, { idempotencyKey: 'order-1', tenantId: 't-1' });

    expect(outcome).toMatchObject({ runId: 'fulfil:order-1', status: 'completed', results: { ship: { done: 'ship', seen: ['reserve', 'charge'] } } });
    expect(keys).toEqual(['fulfil:order-1:reserve', 'fulfil:order-1:charge', 'fulfil:order-1:ship']);
    const run = await engine.getRun(outcome.runId);
    expect(run).toMatchObject({ status: 'completed', saga: 'fulfil', input: { order: 'o-1' }, tenantId: 't-1', owner: null, leaseUntil: null });
    expect(run!.steps.map(({ name, status, attempts }) => ({ name, status, attempts }))).toEqual([
      { name: 'reserve', status: 'completed', attempts: 1 },
      { name: 'charge', status: 'completed', attempts: 1 },
      { name: 'ship', status: 'completed', attempts: 1 },
    ]);
  });

  it('compensates the completed steps in reverse order when a later step fails', async () => {
    const { engine } = await createSagaHarness('sagacrev');
    const { saga, log } = createRecordingSaga({ failAt: 'ship' });

    const outcome = await engine.run(saga, { order: 'o-2' });

    expect(outcome).toMatchObject({ status: 'compensated', failedStep: 'ship', error: 'ship failed' });
    // ship was tried 3 times (retryable error), then charge and reserve were undone, last first
    expect(log).toEqual(['reserve', 'charge', 'ship', 'ship', 'ship', 'undo:charge:charge', 'undo:reserve:reserve']);
    const run = await engine.getRun(outcome.runId);
    expect(run!.steps.map(({ status }) => status)).toEqual(['compensated', 'compensated', 'failed']);
    expect(run!.steps[2]).toMatchObject({ attempts: 3, error: 'ship failed', inDoubt: false });
  });

  it('a terminal error skips the retries and goes straight to compensation', async () => {
    const { engine } = await createSagaHarness('sagacterm');
    const declined = createRecordingSaga({ failAt: 'charge', failWith: () => new TerminalError('card declined') });
    const wrapped = createRecordingSaga({ failAt: 'charge', failWith: () => nonRetryable(new Error('account closed')) });

    const first = await engine.run(declined.saga, { order: 'o-3' });
    const second = await createSagaHarness('sagacterm2').then(({ engine: other }) => other.run(wrapped.saga, { order: 'o-4' }));

    expect(declined.log).toEqual(['reserve', 'charge', 'undo:reserve:reserve']);
    expect(wrapped.log).toEqual(['reserve', 'charge', 'undo:reserve:reserve']);
    expect(first).toMatchObject({ status: 'compensated', error: 'card declined' });
    expect(second).toMatchObject({ status: 'compensated', error: 'account closed' });
    expect((await engine.getRun(first.runId))!.steps[1]).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('retries a failing compensation until it succeeds', async () => {
    const { engine } = await createSagaHarness('sagacretry');
    const { saga, log, compensationCalls } = createRecordingSaga({ failAt: 'ship', failWith: () => new TerminalError('no stock'), compensationFailures: { charge: 2 } });

    const outcome = await engine.run(saga, { order: 'o-5' });

    expect(outcome.status).toBe('compensated');
    expect(compensationCalls).toEqual({ charge: 3, reserve: 1 });
    expect(log).toEqual(['reserve', 'charge', 'ship', 'undo:charge:charge', 'undo:reserve:reserve']);
    expect((await engine.getRun(outcome.runId))!.steps[1]).toMatchObject({ status: 'compensated', compensationAttempts: 3 });
  });

  it('parks the run as needs_attention, with an event, when a compensation cannot succeed within policy', async () => {
    const { engine, events } = await createSagaHarness('sagacpark');
    const { saga, log, compensationCalls } = createRecordingSaga({ failAt: 'ship', failWith: () => new TerminalError('no stock'), compensationFailures: { charge: 99 } });
    const parked: unknown[] = [];
    engine.on('needs_attention', (outcome) => parked.push(outcome));

    const outcome = await engine.run(saga, { order: 'o-6' }, { tenantId: 'tenant-park' });

    expect(outcome).toMatchObject({ status: 'needs_attention', failedStep: 'ship' });
    // four attempts (the policy), and reserve was left alone: undoing it under an un-refunded charge would be worse
    expect(compensationCalls).toEqual({ charge: 4 });
    expect(log).toEqual(['reserve', 'charge', 'ship']);
    const run = await engine.getRun(outcome.runId);
    expect(run).toMatchObject({ status: 'needs_attention', owner: null });
    expect(run!.steps.map(({ status }) => status)).toEqual(['completed', 'compensation_failed', 'failed']);
    expect(run!.steps[1]).toMatchObject({ compensationAttempts: 4, error: 'undo charge unavailable' });
    expect(events).toEqual([
      { type: 'saga.needs_attention', tenantId: 'tenant-park', data: { runId: outcome.runId, saga: 'fulfil', step: 'charge', failedStep: 'ship', error: 'undo charge unavailable' } },
    ]);
    expect(parked).toHaveLength(1);
    // a parked run is never picked up again
    expect(await engine.resumeRun(outcome.runId)).toMatchObject({ status: 'needs_attention', resumed: false });
  });

  it('an operator retries the compensation of a parked run once the cause is fixed', async () => {
    const { engine } = await createSagaHarness('sagacunpark');
    // charge's undo fails through the whole first policy (4 attempts), then works
    const { saga, log } = createRecordingSaga({ failAt: 'ship', failWith: () => new TerminalError('no stock'), compensationFailures: { charge: 4 } });
    const parked = await engine.run(saga, { order: 'o-7' });
    expect(parked.status).toBe('needs_attention');

    const outcome = await engine.retryCompensation(parked.runId);

    expect(outcome).toMatchObject({ status: 'compensated', failedStep: 'ship' });
    expect(log).toEqual(['reserve', 'charge', 'ship', 'undo:charge:charge', 'undo:reserve:reserve']);
    expect((await engine.getRun(parked.runId))!.steps.map(({ status }) => status)).toEqual(['compensated', 'compensated', 'failed']);
    // only parked runs can be retried this way
    expect(await engine.retryCompensation(parked.runId)).toMatchObject({ status: 'compensated' });
  });

  it('a step that times out is in doubt: its compensation runs too, without a result', async () => {
    const { engine } = await createSagaHarness('sagactime');
    const seen: Array<{ step: string; result: unknown; aborted?: boolean }> = [];
    const saga = defineSaga(
      'slow-provider',
      [
        step('hold', {
          execute: async () => ({ holdId: 'h-1' }),
          compensate: async (_input, _context, result) => void seen.push({ step: 'hold', result }),
        }),
        step('payout', {
          timeoutMs: 50,
          retry: { maxAttempts: 2 },
          execute: (_input: object, { signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('provider call aborted')))),
          compensate: async (_input, _context, result) => void seen.push({ step: 'payout', result }),
        }),
      ],
      { useTransaction: false },
    );

    const outcome = await engine.run(saga, {});

    expect(outcome).toMatchObject({ status: 'compensated', failedStep: 'payout', error: "saga step 'payout' timed out after 50 ms" });
    expect(seen).toEqual([
      { step: 'payout', result: undefined },
      { step: 'hold', result: { holdId: 'h-1' } },
    ]);
    expect((await engine.getRun(outcome.runId))!.steps[1]).toMatchObject({ status: 'compensated', attempts: 2, inDoubt: true });
  });

  it('a timed-out step that is not retry-safe is not tried again', async () => {
    const { engine } = await createSagaHarness('sagactimens');
    let calls = 0;
    const saga = defineSaga(
      'one-shot',
      [
        step('transfer-out', {
          timeoutMs: 50,
          retrySafe: false,
          retry: { maxAttempts: 3 },
          execute: (_input: object, { signal }) => {
            calls += 1;
            return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
          },
          compensate: async () => undefined,
        }),
      ],
      { useTransaction: false },
    );

    const outcome = await engine.run(saga, {});

    expect(calls).toBe(1);
    expect(outcome.status).toBe('compensated');
    expect((await engine.getRun(outcome.runId))!.steps[0]).toMatchObject({ attempts: 1, inDoubt: true, status: 'compensated' });
  });

  it('a run started again with the same idempotency key returns the first run’s outcome instead of starting another', async () => {
    const { db, engine } = await createSagaHarness('sagacidem');
    const saga = createWithdrawSaga(db);

    const [first, concurrent] = await Promise.all([
      engine.run(saga, { userId: 'u-1', amount: 500 }, { idempotencyKey: 'wd-1' }),
      engine.run(saga, { userId: 'u-1', amount: 500 }, { idempotencyKey: 'wd-1' }),
    ]);
    const later = await engine.run(saga, { userId: 'u-1', amount: 500 }, { idempotencyKey: 'wd-1' });

    expect(first.status).toBe('completed');
    expect(concurrent).toEqual(first);
    expect(later).toEqual(first);
    expect(await countEffects(db)).toEqual({ holds: 1, payouts: 1, hold_releases: 0, payout_reversals: 0, captures: 1 });
    expect(await engine.store.collection.countDocuments()).toBe(1);
  });

  it('a repeat with the key of a run whose owner died takes the run over and finishes it', async () => {
    const { db, engine } = await createSagaHarness('sagactake');
    const saga = createWithdrawSaga(db);
    const input = { userId: 'u-3', amount: 700 };
    // what a dead process leaves behind: hold done, payout interrupted, lease expired
    const now = new Date();
    await db.collection('holds').insertOne({ _id: 'withdraw:wd-ghost:hold' as never, userId: 'u-3', amount: 700, status: 'held' });
    await engine.store.collection.insertOne({
      ...newSagaRun({
        runId: sagaRunId('withdraw', 'wd-ghost'),
        saga: 'withdraw',
        mode: 'compensation',
        input,
        steps: [],
        idempotencyKey: 'wd-ghost',
        owner: 'ghost',
        leaseUntil: new Date(now.getTime() - 1_000),
        now,
      }),
      steps: [
        { name: 'hold', status: 'completed', result: { holdId: 'withdraw:wd-ghost:hold' }, attempts: 1, compensationAttempts: 0 },
        { name: 'payout', status: 'running', attempts: 1, compensationAttempts: 0 },
        { name: 'capture', status: 'pending', attempts: 0, compensationAttempts: 0 },
      ],
    });

    const outcome = await engine.run(saga, input, { idempotencyKey: 'wd-ghost' });

    expect(outcome).toMatchObject({ runId: 'withdraw:wd-ghost', status: 'completed' });
    expect(await countEffects(db)).toEqual({ holds: 1, payouts: 1, hold_releases: 0, payout_reversals: 0, captures: 1 });
    expect((await engine.getRun(outcome.runId))!.steps.map(({ attempts }) => attempts)).toEqual([1, 2, 1]);
  });

  it('the process-wide engine serves runSaga and getSagaRun', async () => {
    const { db, client } = await createSagaHarness('sagacdefault');
    initializeSagas({ db, client, leaseMs: 600, heartbeatMs: 150 });
    try {
      const outcome = await runSaga(createWithdrawSaga(db), { userId: 'u-2', amount: 900 }, { idempotencyKey: 'wd-default' });
      expect(outcome.status).toBe('completed');
      expect(await getSagaRun(outcome.runId)).toMatchObject({ _id: 'withdraw:wd-default', status: 'completed' });
    } finally {
      shutdownSagas();
    }
  });
});

describe('one saga run document', () => {
  it('both modes store the run newSagaRun defines, under sagaRunId, and hand each step sagaStepKey', async () => {
    const { engine } = await createSagaHarness('sagarundoc');
    const seen: Record<string, string> = {};
    const stepsOf = (prefix: string) =>
      ['first', 'second'].map((name) => step(name, { execute: async (_input: unknown, context: StepContext) => void (seen[`${prefix}:${name}`] = context.idempotencyKey) }));
    const compensating = defineSaga<{ n: number }>('doc-comp', stepsOf('comp'), { useTransaction: false });
    const transactional = defineSaga<{ n: number }>('doc-tx', stepsOf('tx'), { useTransaction: true });
    await engine.run(compensating, { n: 1 }, { idempotencyKey: 'k-1', tenantId: 't-doc' });
    await engine.run(transactional, { n: 2 }, { idempotencyKey: 'k-2', tenantId: 't-doc' });

    for (const [saga, key, mode, prefix] of [
      ['doc-comp', 'k-1', 'compensation', 'comp'],
      ['doc-tx', 'k-2', 'transaction', 'tx'],
    ] as const) {
      const runId = sagaRunId(saga, key);
      const stored = await engine.getRun(runId);
      expect(stored).not.toBeNull();
      const created = newSagaRun({ runId, saga, mode, input: stored!.input, steps: ['first', 'second'], idempotencyKey: key, tenantId: 't-doc' });
      // Every field a new run has is stored, with the same identity; only progress differs.
      expect(Object.keys(stored!)).toEqual(expect.arrayContaining(Object.keys(created)));
      expect(stored).toMatchObject({ _id: created._id, runId: created.runId, saga, mode, idempotencyKey: key, tenantId: 't-doc', status: 'completed' });
      expect(stored!.steps.map((record) => record.name)).toEqual(['first', 'second']);
      expect(seen[`${prefix}:first`]).toBe(sagaStepKey(runId, 'first'));
      expect(seen[`${prefix}:second`]).toBe(sagaStepKey(runId, 'second'));
    }
  });
});
