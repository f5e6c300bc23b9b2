/**
 * A failure that no retry can fix (card declined, account closed, validation): the step is not
 * retried and the saga goes straight to compensation. Throw it, or wrap a caught error with
 * `nonRetryable(error)`.
 */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

/** Marks `error` as terminal: `throw nonRetryable(providerError)`. */
export function nonRetryable(error: unknown): TerminalError {
  if (error instanceof TerminalError) return error;
  return new TerminalError(error instanceof Error ? error.message : String(error), { cause: error });
}

export function isTerminalError(error: unknown): boolean {
  return error instanceof TerminalError;
}

/** A step's `execute` (or `compensate`) outlived its timeout; the step may still have taken effect. */
export class StepTimeoutError extends Error {
  constructor(
    readonly stepName: string,
    readonly timeoutMs: number,
  ) {
    super(`saga step '${stepName}' timed out after ${timeoutMs} ms`);
    this.name = 'StepTimeoutError';
  }
}

/** Another engine instance took over the run (this one's lease expired); this instance stops driving it. */
export class SagaLeaseLostError extends Error {
  constructor(readonly runId: string) {
    super(`lease on saga run ${runId} was lost to another owner`);
    this.name = 'SagaLeaseLostError';
  }
}
