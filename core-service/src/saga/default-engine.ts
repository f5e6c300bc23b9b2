import type { Saga } from './define.js';
import { SagaEngine, type RunSagaOptions, type SagaEngineOptions, type SagaOutcome } from './engine.js';
import type { SagaRunDocument } from './store.js';

/**
 * The process's saga engine behind free functions, like the event bus: a service has one
 * database for `saga_runs` and one identity as an owner. Tests and tools create engines directly.
 */
let defaultEngine: SagaEngine | undefined;

export function initializeSagas(options: SagaEngineOptions): SagaEngine {
  if (defaultEngine !== undefined) throw new Error('sagas are already initialised in this process');
  defaultEngine = new SagaEngine(options);
  return defaultEngine;
}

export function getSagaEngine(): SagaEngine {
  if (defaultEngine === undefined) throw new Error('sagas are not initialised: call initializeSagas({ db, client }) at start-up');
  return defaultEngine;
}

/** Forgets the process engine (shutdown, tests). */
export function shutdownSagas(): void {
  defaultEngine = undefined;
}

export function runSaga<TInput>(saga: Saga<TInput>, input: TInput, options?: RunSagaOptions): Promise<SagaOutcome> {
  return getSagaEngine().run(saga, input, options);
}

export function getSagaRun(runId: string): Promise<SagaRunDocument | null> {
  return getSagaEngine().getRun(runId);
}

export function resumeStaleRuns(limit?: number): Promise<number> {
  return getSagaEngine().resumeStaleRuns(limit);
}
