import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Db, MongoClient } from 'mongodb';
import type { Logger } from 'pino';
import { withTransaction } from '../database/transaction.js';
import { getCorrelationId, getLogger, runWithCorrelationId } from '../logger/index.js';
import { retry, type RetryConfig } from '../resilience/retry.js';
import type { OperationStateTracker } from '../recovery/operation-state-tracker.js';
import type { Saga, SagaStep, StepContext } from './define.js';
import { isTerminalError, SagaLeaseLostError, StepTimeoutError } from './errors.js';
import { SagaRunStore, TERMINAL_SAGA_STATUSES, newSagaRun, newSagaStepRecord, sagaRunId, sagaStepKey, type SagaRunDocument, type SagaRunStatus } from './store.js';

/** Where `saga.needs_attention` goes; an `EventBus` fits. */
export interface SagaEventEmitter {
  emit(type: string, tenantId: string, userId: string | null, data: unknown): Promise<unknown>;
}

export interface SagaEngineOptions {
  /** The service's database (`saga_runs`) and its client (transaction mode). */
  db: Db;
  client: MongoClient;
  collection?: string;
  /** This instance's name in `owner`; default host-pid-random. */
  owner?: string;
  /** How long a run stays owned without a renewal; default 30,000 ms. */
  leaseMs?: number;
  /** Renewal period; default leaseMs / 3. */
  heartbeatMs?: number;
  /** Default per-step policy (compensation mode); default 3 attempts, exponential from 200 ms. */
  stepRetry?: RetryConfig;
  /** Default compensation policy; default 10 attempts, exponential from 500 ms up to 30 s. */
  compensationRetry?: RetryConfig;
  /** Default per-step timeout; default 30,000 ms. */
  stepTimeoutMs?: number;
  /** How long `run` waits for a run another instance is driving (same idempotency key, lost lease); default 60,000 ms. */
  outcomeTimeoutMs?: number;
  /**
   * Tracks each compensation-mode run as an operation (id = run id), so a run whose process
   * died is found by its own delayed recovery check; see `registerSagaRecovery`. Give it a
   * `staleAfter` of at least `leaseMs`.
   */
  tracker?: OperationStateTracker;
  events?: SagaEventEmitter;
  logger?: Logger;
}

export interface RunSagaOptions {
  /** Same saga + same key → the same run: a repeat returns the first run's outcome. */
  idempotencyKey?: string;
  tenantId?: string;
}

export interface SagaOutcome {
  runId: string;
  saga: string;
  status: SagaRunStatus;
  /** Results of the completed steps, by step name. */
  results: Record<string, unknown>;
  error?: string;
  failedStep?: string;
}

const DEFAULT_STEP_RETRY: RetryConfig = { maxAttempts: 3, strategy: 'exponential', initialDelay: 200, maxDelay: 5_000, jitter: true };
const DEFAULT_COMPENSATION_RETRY: RetryConfig = { maxAttempts: 10, strategy: 'exponential', initialDelay: 500, maxDelay: 30_000, jitter: true };

/**
 * Runs sagas. Transaction mode: one MongoDB transaction, the driver's rollback is the
 * compensation. Compensation mode: a persisted state machine in `saga_runs`, driven by the
 * instance holding the run's lease; a run whose owner died is resumed (forward, when the
 * interrupted step is retry-safe) or compensated by whoever claims it after the lease expires
 * (`resumeStaleRuns`, or recovery through `registerSagaRecovery`).
 *
 * Hand-written rather than Temporal or Medusa's engine: those bring their own server or
 * container and storage; here a saga is a handful of steps over the MongoDB and Redis every
 * service already runs, with the transaction mode the brief requires for money.
 *
 * Emits `step:completed` ({ runId, saga, step, result }) once a step's result is persisted,
 * `run:finished` (SagaOutcome) and `needs_attention` (SagaOutcome).
 */
export class SagaEngine extends EventEmitter {
  readonly owner: string;
  readonly store: SagaRunStore;
  readonly #options: SagaEngineOptions;
  readonly #sagas = new Map<string, Saga<any>>();
  readonly #leaseMs: number;
  readonly #heartbeatMs: number;

  constructor(options: SagaEngineOptions) {
    super();
    this.#options = options;
    this.owner = options.owner ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.store = new SagaRunStore(options.db, options.collection);
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#heartbeatMs = options.heartbeatMs ?? Math.floor(this.#leaseMs / 3);
    if (this.#heartbeatMs <= 0 || this.#heartbeatMs >= this.#leaseMs) {
      throw new RangeError(`heartbeatMs (${this.#heartbeatMs}) must be positive and below leaseMs (${this.#leaseMs})`);
    }
  }

  get #logger(): Logger {
    return this.#options.logger ?? getLogger('saga');
  }

  /** Makes a saga resumable by this engine (recovery needs the definition); `run` registers it too. */
  register(saga: Saga<any>): this {
    const known = this.#sagas.get(saga.name);
    if (known !== undefined && known !== saga) throw new Error(`another saga named '${saga.name}' is already registered`);
    this.#sagas.set(saga.name, saga);
    return this;
  }

  async getRun(runId: string): Promise<SagaRunDocument | null> {
    return this.store.get(runId);
  }

  /**
   * Runs `saga` to a final status and returns the outcome; step failures are outcomes, not
   * exceptions. It rejects only when progress cannot be persisted (database down): the run is
   * then left to its lease and resumed or compensated by recovery. With an `idempotencyKey` already used for this saga, returns that run's outcome
   * (waiting for it when another instance is still driving it) instead of starting another.
   */
  async run<TInput>(saga: Saga<TInput>, input: TInput, options: RunSagaOptions = {}): Promise<SagaOutcome> {
    this.register(saga);
    await this.store.ensureIndexes();
    const runId = sagaRunId(saga.name, options.idempotencyKey ?? randomUUID());
    const correlationId = getCorrelationId() ?? randomUUID();
    return runWithCorrelationId(correlationId, () => (saga.options.useTransaction ? this.#runInTransaction(saga, input, runId, options) : this.#runWithCompensation(saga, input, runId, options)));
  }

  /** Takes over and finishes every unfinished compensation-mode run whose lease expired; returns how many. */
  async resumeStaleRuns(limit = 100): Promise<number> {
    let resumed = 0;
    for (const runId of await this.store.findStale(0, limit)) {
      const outcome = await this.resumeRun(runId);
      if (outcome !== null && outcome.resumed) resumed += 1;
    }
    return resumed;
  }

  /**
   * Claims one run if its lease expired and drives it to a final status. `resumed` is false when
   * there was nothing to take over (finished, or still owned by a live instance).
   */
  async resumeRun(runId: string): Promise<(SagaOutcome & { resumed: boolean }) | null> {
    const claimed = await this.store.claimStale(runId, this.owner, this.#leaseMs);
    if (claimed === null) {
      const current = await this.store.get(runId);
      return current === null ? null : { ...toOutcome(current), resumed: false };
    }
    const saga = this.#sagas.get(claimed.saga);
    if (saga === undefined) {
      // Hand the run back at once rather than sit on it: an instance that knows the saga may claim it.
      await this.store.collection.updateOne({ _id: runId, owner: this.owner }, { $set: { leaseUntil: new Date(0) } });
      throw new Error(`saga '${claimed.saga}' of run ${runId} is not registered with this engine`);
    }
    this.#logger.warn({ runId, saga: saga.name, status: claimed.status }, 'resuming a saga run whose owner stopped renewing its lease');
    const outcome = await runWithCorrelationId(claimed.correlationId ?? undefined, () => this.#drive(saga, claimed));
    return { ...outcome, resumed: true };
  }

  /**
   * The operator's way out of `needs_attention`, once the cause is fixed (provider back, data
   * corrected): compensation resumes from the step that could not be undone, then the earlier ones.
   */
  async retryCompensation(runId: string): Promise<SagaOutcome> {
    const now = new Date();
    const claimed = await this.store.collection.findOneAndUpdate(
      { _id: runId, status: 'needs_attention' },
      { $set: { status: 'compensating', owner: this.owner, leaseUntil: new Date(now.getTime() + this.#leaseMs), updatedAt: now }, $unset: { finishedAt: '' } },
      { returnDocument: 'after' },
    );
    if (claimed === null) {
      const current = await this.store.get(runId);
      if (current === null) throw new Error(`no saga run ${runId}`);
      return toOutcome(current);
    }
    const saga = this.#sagas.get(claimed.saga);
    if (saga === undefined) {
      await this.store.collection.updateOne({ _id: runId, owner: this.owner }, { $set: { status: 'needs_attention', owner: null, leaseUntil: null } });
      throw new Error(`saga '${claimed.saga}' of run ${runId} is not registered with this engine`);
    }
    return runWithCorrelationId(claimed.correlationId ?? undefined, () => this.#drive(saga, claimed));
  }

  // ── transaction mode ──────────────────────────────────────────────────────────────────

  async #runInTransaction<TInput>(saga: Saga<TInput>, input: TInput, runId: string, options: RunSagaOptions): Promise<SagaOutcome> {
    const existing = await this.store.get(runId);
    if (existing !== null) return this.#awaitOutcome(existing);
    const now = new Date();
    const base = newSagaRun({
      runId,
      saga: saga.name,
      mode: 'transaction',
      input,
      steps: saga.steps.map((s) => s.name),
      idempotencyKey: options.idempotencyKey ?? null,
      tenantId: options.tenantId ?? null,
      correlationId: getCorrelationId() ?? null,
      now,
    });
    let failedStep: string | undefined;
    try {
      const results = await withTransaction({
        client: this.#options.client,
        fn: async (session) => {
          failedStep = undefined;
          // The run document is written in the transaction too: it commits with the steps'
          // writes or not at all, and a concurrent run with the same key conflicts on it.
          if (!(await this.store.insert(base, session))) throw new DuplicateRunError();
          const results: Record<string, unknown> = {};
          for (const sagaStep of saga.steps) {
            failedStep = sagaStep.name;
            const context = this.#context(saga, runId, sagaStep, 1, results, options.tenantId ?? null, sagaStepKey(runId, sagaStep.name));
            results[sagaStep.name] = await withTimeout(sagaStep, this.#timeoutOf(sagaStep), context, (ctx) => sagaStep.execute(input, { ...ctx, session }));
          }
          failedStep = undefined;
          const finishedAt = new Date();
          await this.store.collection.updateOne(
            { _id: runId },
            {
              $set: {
                status: 'completed',
                steps: saga.steps.map((s) => ({ ...newSagaStepRecord(s.name), status: 'completed' as const, attempts: 1, result: results[s.name], finishedAt })),
                updatedAt: finishedAt,
                finishedAt,
              },
            },
            { session },
          );
          return results;
        },
      });
      const outcome: SagaOutcome = { runId, saga: saga.name, status: 'completed', results };
      this.emit('run:finished', outcome);
      return outcome;
    } catch (error) {
      if (error instanceof DuplicateRunError) return this.#awaitOutcome((await this.store.get(runId))!);
      // Rolled back: nothing to compensate. The failure is recorded outside the aborted
      // transaction so that a repeat with the same key gets the same answer.
      const message = errorMessage(error);
      const finishedAt = new Date();
      const failed: SagaRunDocument = {
        ...base,
        status: 'failed',
        steps: saga.steps.map((s) => (s.name === failedStep ? { ...newSagaStepRecord(s.name), status: 'failed' as const, attempts: 1, error: message } : newSagaStepRecord(s.name))),
        error: message,
        ...(failedStep !== undefined ? { failedStep } : {}),
        updatedAt: finishedAt,
        finishedAt,
      };
      if (!(await this.store.insert(failed))) return this.#awaitOutcome((await this.store.get(runId))!);
      this.#logger.warn({ runId, saga: saga.name, failedStep, error: message }, 'saga transaction rolled back');
      const outcome = toOutcome(failed);
      this.emit('run:finished', outcome);
      return outcome;
    }
  }

  // ── compensation mode ─────────────────────────────────────────────────────────────────

  async #runWithCompensation<TInput>(saga: Saga<TInput>, input: TInput, runId: string, options: RunSagaOptions): Promise<SagaOutcome> {
    const now = new Date();
    const doc = newSagaRun({
      runId,
      saga: saga.name,
      mode: 'compensation',
      input,
      steps: saga.steps.map((s) => s.name),
      idempotencyKey: options.idempotencyKey ?? null,
      tenantId: options.tenantId ?? null,
      correlationId: getCorrelationId() ?? null,
      owner: this.owner,
      leaseUntil: new Date(now.getTime() + this.#leaseMs),
      now,
    });
    if (!(await this.store.insert(doc))) return this.#awaitOutcome((await this.store.get(runId))!);
    // Tracking is best effort: without it the run is still found by the sweep (expired lease in saga_runs).
    await this.#options.tracker
      ?.setInProgress(runId, { saga: saga.name, ...(options.tenantId !== undefined ? { tenantId: options.tenantId } : {}) })
      .catch((error: unknown) => this.#logger.warn({ err: error, runId }, 'saga run not tracked for recovery'));
    return this.#drive(saga, doc);
  }

  /** Drives a run this instance owns from wherever its persisted state says it is. */
  async #drive<TInput>(saga: Saga<TInput>, run: SagaRunDocument): Promise<SagaOutcome> {
    const stopHeartbeat = this.#startHeartbeat(run._id);
    try {
      if (run.status === 'running') await this.#forward(saga, run);
      if (run.status === 'compensating') await this.#compensate(saga, run);
    } catch (error) {
      if (!(error instanceof SagaLeaseLostError)) throw error;
      this.#logger.warn({ runId: run._id }, 'saga run taken over by another instance; waiting for its outcome');
      stopHeartbeat();
      return this.#awaitOutcome((await this.store.get(run._id))!);
    } finally {
      stopHeartbeat();
    }
    const outcome = toOutcome(run);
    if (this.#options.tracker !== undefined) {
      // A parked run is "failed" for the tracker: recovery must never pick it up again. (A run
      // resumed by recovery is held by recovery's claim: these calls are then no-ops.) The
      // outcome is already persisted; a Redis failure here only leaves a check that finds it final.
      const tracker = this.#options.tracker;
      await (run.status === 'needs_attention' ? tracker.setFailed(run._id, 'needs_attention') : tracker.setCompleted(run._id)).catch((error: unknown) =>
        this.#logger.warn({ err: error, runId: run._id }, 'saga run outcome not recorded in the tracker'),
      );
    }
    this.emit('run:finished', outcome);
    return outcome;
  }

  async #forward<TInput>(saga: Saga<TInput>, run: SagaRunDocument): Promise<void> {
    const input = run.input as TInput;
    for (let index = 0; index < saga.steps.length; index += 1) {
      const sagaStep = saga.steps[index]!;
      const record = run.steps[index]!;
      if (record.status === 'completed') continue;
      if (record.status === 'running' && sagaStep.retrySafe === false) {
        // Interrupted mid-step and not safe to repeat: its effect is unknown, so undo instead.
        await this.#failStep(run, index, 'interrupted by a crash; step is not retry-safe', true);
        return;
      }
      const policy: RetryConfig = { ...DEFAULT_STEP_RETRY, ...this.#options.stepRetry, ...sagaStep.retry };
      const remaining = policy.maxAttempts - record.attempts;
      if (remaining <= 0) {
        await this.#failStep(run, index, record.error ?? `no attempts left after ${record.attempts}`, record.status === 'running' || record.inDoubt === true);
        return;
      }
      // A step found 'running' was interrupted by a crash: that attempt may have applied.
      let inDoubt = record.inDoubt === true || record.status === 'running';
      try {
        const result = await retry(
          async () => {
            const attempt = record.attempts + 1;
            await this.store.update(run._id, this.owner, { [`steps.${index}.status`]: 'running', [`steps.${index}.startedAt`]: new Date() }, { [`steps.${index}.attempts`]: 1 });
            record.attempts = attempt;
            record.status = 'running';
            const context = this.#context(saga, run._id, sagaStep, attempt, resultsOf(run), run.tenantId, sagaStepKey(run._id, sagaStep.name));
            try {
              return await withTimeout(sagaStep, this.#timeoutOf(sagaStep), context, (ctx) => sagaStep.execute(input, ctx));
            } catch (error) {
              if (error instanceof StepTimeoutError) inDoubt = true;
              throw error;
            }
          },
          {
            ...policy,
            maxAttempts: remaining,
            // A timed-out attempt may have applied: repeating it is only allowed for retry-safe steps.
            shouldRetry: (error, attempt) =>
              !isTerminalError(error) &&
              !(error instanceof SagaLeaseLostError) &&
              !(error instanceof StepTimeoutError && sagaStep.retrySafe === false) &&
              (policy.shouldRetry?.(error, attempt) ?? true),
          },
        );
        await this.store.update(run._id, this.owner, {
          [`steps.${index}.status`]: 'completed',
          [`steps.${index}.result`]: result ?? null,
          [`steps.${index}.finishedAt`]: new Date(),
        });
        Object.assign(record, { status: 'completed', result: result ?? null });
        this.emit('step:completed', { runId: run._id, saga: saga.name, step: sagaStep.name, result });
      } catch (error) {
        if (error instanceof SagaLeaseLostError) throw error;
        await this.#failStep(run, index, errorMessage(error), inDoubt);
        return;
      }
    }
    const finishedAt = new Date();
    await this.store.update(run._id, this.owner, { status: 'completed', owner: null, leaseUntil: null, finishedAt });
    Object.assign(run, { status: 'completed', owner: null, leaseUntil: null, finishedAt });
  }

  async #failStep(run: SagaRunDocument, index: number, message: string, inDoubt: boolean): Promise<void> {
    const record = run.steps[index]!;
    await this.store.update(run._id, this.owner, {
      [`steps.${index}.status`]: 'failed',
      [`steps.${index}.error`]: message,
      [`steps.${index}.inDoubt`]: inDoubt,
      status: 'compensating',
      error: message,
      failedStep: record.name,
    });
    Object.assign(record, { status: 'failed', error: message, inDoubt });
    Object.assign(run, { status: 'compensating', error: message, failedStep: record.name });
    this.#logger.warn({ runId: run._id, step: record.name, error: message, inDoubt }, 'saga step failed; compensating');
  }

  /** Undoes, last first, every step that completed or may have applied (in doubt). */
  async #compensate<TInput>(saga: Saga<TInput>, run: SagaRunDocument): Promise<void> {
    const input = run.input as TInput;
    let compensatedAny = false;
    for (let index = saga.steps.length - 1; index >= 0; index -= 1) {
      const sagaStep = saga.steps[index]!;
      const record = run.steps[index]!;
      if (record.status === 'compensated') {
        compensatedAny = true;
        continue;
      }
      const needsUndo =
        record.status === 'completed' ||
        record.status === 'compensating' ||
        record.status === 'compensation_failed' ||
        ((record.status === 'failed' || record.status === 'running') && record.inDoubt === true);
      if (!needsUndo || sagaStep.compensate === undefined) continue;
      const compensate = sagaStep.compensate.bind(sagaStep);
      const policy: RetryConfig = { ...DEFAULT_COMPENSATION_RETRY, ...this.#options.compensationRetry, ...sagaStep.compensationRetry };
      // In-doubt steps never recorded a result: their compensation gets undefined.
      const executeResult = record.result;
      try {
        await retry(
          async () => {
            await this.store.update(run._id, this.owner, { [`steps.${index}.status`]: 'compensating' }, { [`steps.${index}.compensationAttempts`]: 1 });
            record.compensationAttempts += 1;
            record.status = 'compensating';
            const context = this.#context(saga, run._id, sagaStep, record.compensationAttempts, resultsOf(run), run.tenantId, sagaStepKey(run._id, sagaStep.name, 'compensate'));
            await withTimeout(sagaStep, this.#timeoutOf(sagaStep), context, (ctx) => compensate(input, ctx, executeResult));
          },
          // Terminal errors do not stop compensation: an undo that must happen keeps being tried within policy.
          { ...policy, shouldRetry: (error, attempt) => !(error instanceof SagaLeaseLostError) && (policy.shouldRetry?.(error, attempt) ?? true) },
        );
        await this.store.update(run._id, this.owner, { [`steps.${index}.status`]: 'compensated', [`steps.${index}.finishedAt`]: new Date() });
        record.status = 'compensated';
        compensatedAny = true;
      } catch (error) {
        if (error instanceof SagaLeaseLostError) throw error;
        await this.#park(saga, run, index, errorMessage(error));
        return;
      }
    }
    const status: SagaRunStatus = compensatedAny ? 'compensated' : 'failed';
    const finishedAt = new Date();
    await this.store.update(run._id, this.owner, { status, owner: null, leaseUntil: null, finishedAt });
    Object.assign(run, { status, owner: null, leaseUntil: null, finishedAt });
  }

  /**
   * A compensation that cannot succeed within policy: stop, keep the state, and ask a human.
   * The steps before it are left as they are: undoing them while a later step's effect stands
   * (releasing a hold under a payout that could not be reversed) would make things worse.
   */
  async #park<TInput>(saga: Saga<TInput>, run: SagaRunDocument, index: number, message: string): Promise<void> {
    const finishedAt = new Date();
    await this.store.update(run._id, this.owner, {
      [`steps.${index}.status`]: 'compensation_failed',
      [`steps.${index}.error`]: message,
      status: 'needs_attention',
      owner: null,
      leaseUntil: null,
      finishedAt,
    });
    Object.assign(run.steps[index]!, { status: 'compensation_failed', error: message });
    Object.assign(run, { status: 'needs_attention', owner: null, leaseUntil: null, finishedAt });
    const outcome = toOutcome(run);
    this.#logger.error({ runId: run._id, saga: saga.name, step: run.steps[index]!.name, error: message }, 'saga compensation failed; run needs attention');
    this.emit('needs_attention', outcome);
    await this.#options.events
      ?.emit('saga.needs_attention', run.tenantId ?? 'system', null, {
        runId: run._id,
        saga: saga.name,
        step: run.steps[index]!.name,
        failedStep: run.failedStep,
        error: message,
      })
      .catch((error: unknown) => this.#logger.error({ err: error, runId: run._id }, 'saga.needs_attention not emitted'));
  }

  // ── helpers ───────────────────────────────────────────────────────────────────────────

  #startHeartbeat(runId: string): () => void {
    const timer = setInterval(() => {
      void this.store.renewLease(runId, this.owner, this.#leaseMs).catch((error: unknown) => this.#logger.warn({ err: error, runId }, 'saga lease renewal failed'));
      void this.#options.tracker?.heartbeat(runId).catch(() => undefined);
    }, this.#heartbeatMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  #timeoutOf(sagaStep: SagaStep<any, any>): number {
    return sagaStep.timeoutMs ?? this.#options.stepTimeoutMs ?? 30_000;
  }

  #context(
    saga: Saga<any>,
    runId: string,
    sagaStep: SagaStep<any, any>,
    attempt: number,
    results: Record<string, unknown>,
    tenantId: string | null,
    idempotencyKey: string,
  ): Omit<StepContext, 'signal'> {
    return {
      runId,
      sagaName: saga.name,
      stepName: sagaStep.name,
      idempotencyKey,
      attempt,
      results,
      tenantId,
      logger: this.#logger.child({ runId, saga: saga.name, step: sagaStep.name }),
    };
  }

  /**
   * The outcome of a run someone else is driving: polled until final, bounded by
   * `outcomeTimeoutMs`. If that owner dies meanwhile (its lease expires), this caller takes
   * the run over rather than wait for recovery.
   */
  async #awaitOutcome(doc: SagaRunDocument): Promise<SagaOutcome> {
    const deadline = Date.now() + (this.#options.outcomeTimeoutMs ?? 60_000);
    let current = doc;
    while (!TERMINAL_SAGA_STATUSES.has(current.status) && Date.now() < deadline) {
      if (current.mode === 'compensation' && current.leaseUntil !== null && current.leaseUntil.getTime() < Date.now() && this.#sagas.has(current.saga)) {
        const taken = await this.resumeRun(current._id);
        if (taken?.resumed) return toOutcome((await this.store.get(current._id)) ?? current);
      }
      await delay(50);
      current = (await this.store.get(doc._id)) ?? current;
    }
    return toOutcome(current);
  }
}

class DuplicateRunError extends Error {}

function resultsOf(run: SagaRunDocument): Record<string, unknown> {
  const results: Record<string, unknown> = {};
  for (const record of run.steps) if (record.status === 'completed' || record.result !== undefined) results[record.name] = record.result;
  return results;
}

function toOutcome(run: SagaRunDocument): SagaOutcome {
  const results: Record<string, unknown> = {};
  for (const record of run.steps) if (record.status === 'completed') results[record.name] = record.result;
  return {
    runId: run._id,
    saga: run.saga,
    status: run.status,
    results,
    ...(run.error !== undefined ? { error: run.error } : {}),
    ...(run.failedStep !== undefined ? { failedStep: run.failedStep } : {}),
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs `fn` with an abort signal that fires at the timeout, rejecting with `StepTimeoutError` then. */
async function withTimeout<T>(sagaStep: SagaStep<any, any>, timeoutMs: number, context: Omit<StepContext, 'signal'>, fn: (context: StepContext) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new StepTimeoutError(sagaStep.name, timeoutMs);
      // Settle first, abort second: a step that rejects on abort must not win the race with its own error.
      reject(error);
      controller.abort(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([fn({ ...context, signal: controller.signal }), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** `createSagaEngine({ db, client })`: the brief's factory spelling of `new SagaEngine`. */
export function createSagaEngine(options: SagaEngineOptions): SagaEngine {
  return new SagaEngine(options);
}
