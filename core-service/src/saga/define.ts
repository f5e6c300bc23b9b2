import type { ClientSession } from 'mongodb';
import type { Logger } from 'pino';
import type { RetryConfig } from '../resilience/retry.js';

/** What a step is handed besides the saga input. */
export interface StepContext {
  readonly runId: string;
  readonly sagaName: string;
  readonly stepName: string;
  /**
   * `${runId}:${stepName}` for `execute`, `${runId}:${stepName}:compensate` for `compensate`.
   * Execution is at-least-once (a retry, or a resume after a crash, runs the step again), so
   * pass this key to the provider or use it as a unique id of the step's write: the second
   * run then finds the first one's effect instead of applying it twice.
   */
  readonly idempotencyKey: string;
  /** 1 on the first attempt; counts across crashes and resumes. */
  readonly attempt: number;
  /** Results of the steps before this one, by step name. */
  readonly results: Readonly<Record<string, unknown>>;
  readonly tenantId: string | null;
  /** Transaction mode only: every step's writes go through this session and commit together. */
  readonly session?: ClientSession;
  /** Aborted when the step's timeout expires: pass it to fetch and other cancellable calls. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

export interface StepDefinition<TInput, TResult> {
  execute(input: TInput, context: StepContext): Promise<TResult>;
  /**
   * Undoes `execute`. Gets `execute`'s result, or `undefined` when the step is "in doubt" (it
   * timed out or its process died mid-way, so it may or may not have applied): a compensation
   * must then look its effect up by the idempotency key and tolerate finding none. Retried
   * until it succeeds within the compensation policy, so it must be idempotent.
   */
  compensate?(input: TInput, context: StepContext, executeResult: TResult | undefined): Promise<void>;
  /** Compensation mode only (a transaction is retried whole by the driver); default: the engine's `stepRetry`. */
  retry?: Partial<RetryConfig>;
  /** Default: the engine's `compensationRetry`. */
  compensationRetry?: Partial<RetryConfig>;
  /** Default: the engine's `stepTimeoutMs`. */
  timeoutMs?: number;
  /**
   * Whether `execute` may run again when a crash left its outcome unknown (default true: the
   * idempotency key makes a repeat harmless). A step that cannot be repeated safely is
   * compensated instead of resumed.
   */
  retrySafe?: boolean;
}

export interface SagaStep<TInput = unknown, TResult = unknown> extends StepDefinition<TInput, TResult> {
  readonly name: string;
}

export interface SagaOptions {
  /**
   * true (for money): every step runs in one MongoDB transaction, a failure rolls every write
   * back and nothing is compensated by hand; steps must write only through `context.session`.
   * false: steps may call the outside world; each step's result is persisted before the next
   * starts and completed steps are compensated in reverse order on failure.
   * Required, so that choosing compensation for a money movement is a visible decision.
   */
  useTransaction: boolean;
}

export interface Saga<TInput = unknown> {
  readonly name: string;
  readonly steps: ReadonlyArray<SagaStep<TInput, any>>;
  readonly options: Readonly<SagaOptions>;
}

/** A named step: `step('hold', { execute, compensate })`. */
export function step<TInput, TResult>(name: string, definition: StepDefinition<TInput, TResult>): SagaStep<TInput, TResult> {
  if (name.length === 0) throw new TypeError('a saga step needs a name');
  return Object.freeze({ ...definition, name });
}

/**
 * `defineSaga('withdraw', [step('hold', ...), step('payout', ...), step('capture', ...)], { useTransaction: false })`.
 * Steps run in the order given; names must be unique (they key the persisted results).
 */
export function defineSaga<TInput>(name: string, steps: ReadonlyArray<SagaStep<TInput, any>>, options: SagaOptions): Saga<TInput> {
  if (name.length === 0) throw new TypeError('a saga needs a name');
  if (steps.length === 0) throw new TypeError(`saga '${name}' has no steps`);
  const seen = new Set<string>();
  for (const { name: stepName } of steps) {
    if (seen.has(stepName)) throw new TypeError(`saga '${name}' has two steps named '${stepName}'`);
    seen.add(stepName);
  }
  return Object.freeze({ name, steps: Object.freeze([...steps]), options: Object.freeze({ ...options }) });
}
