import type { ClientSession, Collection, Db } from 'mongodb';
import { SagaLeaseLostError } from './errors.js';

export const SAGA_RUNS_COLLECTION = 'saga_runs';

export type SagaRunStatus = 'running' | 'completed' | 'compensating' | 'compensated' | 'needs_attention' | 'failed';

export const TERMINAL_SAGA_STATUSES: ReadonlySet<SagaRunStatus> = new Set(['completed', 'compensated', 'needs_attention', 'failed']);

export type SagaStepStatus = 'pending' | 'running' | 'completed' | 'failed' | 'compensating' | 'compensated' | 'compensation_failed';

export interface SagaStepRecord {
  name: string;
  status: SagaStepStatus;
  result?: unknown;
  /** Executions started, across retries and resumes. */
  attempts: number;
  compensationAttempts: number;
  error?: string;
  /** The step may have applied without its result being recorded (timeout, crash mid-step). */
  inDoubt?: boolean;
  startedAt?: Date;
  finishedAt?: Date;
}

export interface SagaRunDocument {
  /** The run id: `${saga}:${idempotencyKey}` when a key was given, so the key is unique by construction. */
  _id: string;
  /** Same as `_id`, under the name callers use. */
  runId: string;
  saga: string;
  mode: 'transaction' | 'compensation';
  input: unknown;
  status: SagaRunStatus;
  steps: SagaStepRecord[];
  idempotencyKey: string | null;
  tenantId: string | null;
  correlationId: string | null;
  /** Engine instance driving the run; null once it is finished. */
  owner: string | null;
  /** The owner's claim ends here unless renewed; after it, recovery may take the run over. */
  leaseUntil: Date | null;
  error?: string;
  failedStep?: string;
  createdAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
}

/**
 * The run id of a saga started with an idempotency key. The engine derives it, and so does any
 * code that must find a run again (a service's recovery): one derivation, or the two drift and
 * a repeat starts a second run. A run without a key gets `<saga>:<random uuid>`.
 */
export function sagaRunId(sagaName: string, idempotencyKey: string): string {
  return `${sagaName}:${idempotencyKey}`;
}

/**
 * The idempotency key a step is handed (`StepContext.idempotencyKey`): `<runId>:<step>` for
 * `execute`, with `:compensate` for `compensate`. Code outside the engine that repeats a step's
 * call (asking a provider about an in-doubt payout) uses the same key, so it cannot act twice.
 */
export function sagaStepKey(runId: string, stepName: string, phase: 'execute' | 'compensate' = 'execute'): string {
  return phase === 'compensate' ? `${runId}:${stepName}:compensate` : `${runId}:${stepName}`;
}

export function newSagaStepRecord(name: string): SagaStepRecord {
  return { name, status: 'pending', attempts: 0, compensationAttempts: 0 };
}

export interface NewSagaRunFields {
  runId: string;
  saga: string;
  mode: SagaRunDocument['mode'];
  input: unknown;
  /** Step names in order; each starts pending. */
  steps: readonly string[];
  idempotencyKey?: string | null;
  tenantId?: string | null;
  correlationId?: string | null;
  /** The instance driving the run and its lease; none for a transaction-mode run. */
  owner?: string | null;
  leaseUntil?: Date | null;
  now?: Date;
}

/**
 * A run as it is first written: running, every step pending. The one definition of the
 * document's shape, used by both engine modes (and by tests that stage a run a crashed process
 * left behind), so a field added to `SagaRunDocument` is set everywhere a run is created.
 */
export function newSagaRun(fields: NewSagaRunFields): SagaRunDocument {
  const now = fields.now ?? new Date();
  return {
    _id: fields.runId,
    runId: fields.runId,
    saga: fields.saga,
    mode: fields.mode,
    input: fields.input,
    status: 'running',
    steps: fields.steps.map(newSagaStepRecord),
    idempotencyKey: fields.idempotencyKey ?? null,
    tenantId: fields.tenantId ?? null,
    correlationId: fields.correlationId ?? null,
    owner: fields.owner ?? null,
    leaseUntil: fields.leaseUntil ?? null,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * `saga_runs`: the persisted state that lets a restarted process resume or compensate a run.
 * Every write made while driving a run is conditional on still owning it, so an instance that
 * lost its lease (paused, partitioned) cannot overwrite the progress of the one that took over.
 */
export class SagaRunStore {
  readonly collection: Collection<SagaRunDocument>;
  #indexes: Promise<void> | undefined;

  constructor(db: Db, collectionName = SAGA_RUNS_COLLECTION) {
    this.collection = db.collection<SagaRunDocument>(collectionName);
  }

  ensureIndexes(): Promise<void> {
    this.#indexes ??= this.collection.createIndex({ status: 1, leaseUntil: 1 }, { name: 'status_lease' }).then(
      () => undefined,
      (error: unknown) => {
        this.#indexes = undefined;
        throw error;
      },
    );
    return this.#indexes;
  }

  get(runId: string, session?: ClientSession): Promise<SagaRunDocument | null> {
    return this.collection.findOne({ _id: runId }, session !== undefined ? { session } : {});
  }

  /** Inserts a new run; false when a run with that id (same saga and idempotency key) exists. */
  async insert(doc: SagaRunDocument, session?: ClientSession): Promise<boolean> {
    try {
      await this.collection.insertOne(doc, session !== undefined ? { session } : {});
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  /** Applies `set` to a run this owner holds; throws `SagaLeaseLostError` when it no longer does. */
  async update(runId: string, owner: string, set: Record<string, unknown>, inc?: Record<string, number>): Promise<void> {
    const result = await this.collection.updateOne({ _id: runId, owner }, { $set: { ...set, updatedAt: new Date() }, ...(inc !== undefined ? { $inc: inc } : {}) });
    if (result.matchedCount === 0) throw new SagaLeaseLostError(runId);
  }

  /** Extends the lease; false when another owner has it or the run is finished. */
  async renewLease(runId: string, owner: string, leaseMs: number): Promise<boolean> {
    const result = await this.collection.updateOne({ _id: runId, owner, status: { $in: ['running', 'compensating'] } }, { $set: { leaseUntil: new Date(Date.now() + leaseMs) } });
    return result.matchedCount === 1;
  }

  /** Takes over an unfinished run whose lease expired; null when it is finished or still held. */
  claimStale(runId: string, owner: string, leaseMs: number): Promise<SagaRunDocument | null> {
    const now = new Date();
    return this.collection.findOneAndUpdate(
      { _id: runId, status: { $in: ['running', 'compensating'] }, leaseUntil: { $lt: now } },
      { $set: { owner, leaseUntil: new Date(now.getTime() + leaseMs), updatedAt: now } },
      { returnDocument: 'after' },
    );
  }

  /** Unfinished compensation-mode runs whose lease expired at least `graceMs` ago. */
  async findStale(graceMs = 0, limit = 100): Promise<string[]> {
    const docs = await this.collection
      .find({ status: { $in: ['running', 'compensating'] }, mode: 'compensation', leaseUntil: { $lt: new Date(Date.now() - graceMs) } }, { projection: { _id: 1 } })
      .limit(limit)
      .toArray();
    return docs.map((doc) => doc._id);
  }
}

function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}
