import { defaultRecoveryRegistry, type RecoveryRegistry } from '../recovery/recovery-registry.js';
import type { SagaEngine } from './engine.js';

export interface RegisterSagaRecoveryOptions {
  /** Default: the process registry (`registerRecoveryHandler`). */
  registry?: RecoveryRegistry;
  /** Operation type; must match the engine tracker's type. Default `saga`. */
  type?: string;
}

/**
 * Lets the recovery system repair saga runs whose owner died: the run's own delayed check (when
 * the engine has a tracker) or the sweep (`findStuck`: runs whose lease expired, read from
 * `saga_runs`, the source of truth) hands the run id to `engine.resumeRun`, which claims the
 * run only if it is still unfinished with an expired lease. A run that completed, was
 * compensated or is parked as needs_attention is never touched.
 */
export function registerSagaRecovery(engine: SagaEngine, options: RegisterSagaRecoveryOptions = {}): () => void {
  const registry = options.registry ?? defaultRecoveryRegistry;
  return registry.register(options.type ?? 'saga', {
    // A run is stuck once its lease expired: the lease length plays the part of maxAge.
    findStuck: async () => engine.store.findStale(),
    recover: async ({ id }) => {
      const outcome = await engine.resumeRun(id);
      if (outcome === null) return { success: true, action: 'none', details: { reason: 'no such run' } };
      if (!outcome.resumed) {
        // Finished: nothing to repair. Still running under a live lease: not stuck yet, try later.
        const isFinished = outcome.status !== 'running' && outcome.status !== 'compensating';
        return isFinished ? { success: true, action: 'none', details: { status: outcome.status } } : { success: false, error: `run ${id} is still owned by a live instance` };
      }
      const action = outcome.status === 'completed' ? 'resumed' : outcome.status === 'needs_attention' ? 'parked' : 'compensated';
      return { success: true, action, details: { status: outcome.status, ...(outcome.failedStep !== undefined ? { failedStep: outcome.failedStep } : {}) } };
    },
  });
}
