export type RecoveryTrigger = 'check' | 'sweep' | 'manual';

/** What a recovery handler is given: the tracked state of the stuck operation. */
export interface RecoverableOperation {
  type: string;
  id: string;
  /** What `setInProgress` recorded, or what `findStuck` returned; `{}` when untracked. */
  meta: Record<string, unknown>;
  startedAt: Date | null;
  lastHeartbeat: Date | null;
  /** 1 on the first recovery attempt of this operation. */
  attempt: number;
  trigger: RecoveryTrigger;
  correlationId: string;
}

export interface RecoveryResult {
  success: boolean;
  /** What was done (`reversed`, `resumed`, `compensated`), for the audit trail; `none` when there was nothing to repair. */
  action?: string;
  details?: Record<string, unknown>;
  error?: string;
}

export interface StuckOperation {
  id: string;
  meta?: Record<string, unknown>;
}

export interface RecoveryHandler {
  /**
   * The backstop sweep's query: operations stuck for longer than `maxAge` ms according to the
   * handler's own source of truth. Absent: the tracker's index of in-progress operations.
   */
  findStuck?(maxAge: number): Promise<Array<string | StuckOperation>>;
  /**
   * Repairs one stuck operation. Must be idempotent: a recovery worker that dies mid-way is
   * followed by another attempt on the same operation. Throwing counts as `success: false`.
   */
  recover(operation: RecoverableOperation): Promise<RecoveryResult | void>;
}

/**
 * Which handler repairs which operation type. A class as well as the process-wide instance
 * behind `registerRecoveryHandler`: tests and tools give a `RecoveryJob` its own registry.
 */
export class RecoveryRegistry {
  readonly #handlers = new Map<string, RecoveryHandler>();

  /** Registers (or replaces) the handler of `type`; returns a function that unregisters it. */
  register(type: string, handler: RecoveryHandler): () => void {
    this.#handlers.set(type, handler);
    return () => {
      if (this.#handlers.get(type) === handler) this.#handlers.delete(type);
    };
  }

  get(type: string): RecoveryHandler | undefined {
    return this.#handlers.get(type);
  }

  types(): string[] {
    return [...this.#handlers.keys()];
  }
}

export const defaultRecoveryRegistry = new RecoveryRegistry();

/** The brief's `registerRecoveryHandler('transfer', { findStuck, recover })`, on the process registry. */
export function registerRecoveryHandler(type: string, handler: RecoveryHandler): () => void {
  return defaultRecoveryRegistry.register(type, handler);
}
