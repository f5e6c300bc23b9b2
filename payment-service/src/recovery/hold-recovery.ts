import { WALLET_ERRORS, WalletError, captureHold, releaseHold, withTransaction, type RecoveryRegistry, type RecoveryResult } from 'core-service';
import { TERMINAL_SAGA_STATUSES, sagaStepKey, type SagaEngine, type SagaRunDocument } from 'core-service/saga';
import type { PaymentDeps } from '../resolvers/context.js';
import { withdrawRunId } from '../sagas/withdraw.js';

/** Operation type of the stuck-hold repair. */
export const HOLD_OPERATION = 'withdrawal-hold';

export type HoldDecision = { action: 'capture' | 'release' | 'wait' | 'ask_provider'; reason: string };

/**
 * What to do with a hold still `held` after the threshold, given its saga run. A run still
 * running or compensating belongs to the saga recovery (it resumes the run, which resolves the
 * hold itself). A finished or missing run left the hold behind: capture when the provider paid
 * (the payout step completed), otherwise release, since the money never left.
 */
export function decideStuckHold(run: Pick<SagaRunDocument, 'status' | 'steps'> | null): HoldDecision {
  if (run !== null && !TERMINAL_SAGA_STATUSES.has(run.status)) return { action: 'wait', reason: `saga run is ${run.status}` };
  const payout = run?.steps.find((step) => step.name === 'payout');
  const paid = payout?.status === 'completed' && (payout.result as { status?: string } | undefined)?.status === 'paid';
  if (paid) return { action: 'capture', reason: 'payout completed' };
  // Started but unrecorded (the process died inside the call): only the provider knows.
  if (payout !== undefined && payout.attempts > 0 && payout.status !== 'completed' && payout.inDoubt !== false) return { action: 'ask_provider', reason: 'payout in doubt' };
  return { action: 'release', reason: run === null ? 'no saga run' : `saga run ${run.status} without a payout` };
}

/**
 * Finds holds older than `maxAge` whose saga is finished or missing and resolves them. Each
 * resolution is one transaction whose first write moves the hold off `held` conditionally, so
 * running it twice (two sweeps, two instances) resolves the hold once.
 */
export function registerHoldRecovery(registry: RecoveryRegistry, deps: PaymentDeps, sagas: SagaEngine, options: { minAgeMs?: number } = {}): () => void {
  return registry.register(HOLD_OPERATION, {
    findStuck: async (maxAge) => {
      const before = new Date(Date.now() - Math.max(maxAge, options.minAgeMs ?? 0));
      const held = await deps.store.transfers
        .find({ hold: 'held', createdAt: { $lt: before } }, { projection: { _id: 1, tenantId: 1 } })
        .limit(1_000)
        .toArray();
      return held.map((transfer) => ({ id: transfer._id, meta: { tenantId: transfer.tenantId } }));
    },
    recover: async ({ id }): Promise<RecoveryResult> => {
      const transfer = await deps.store.transfers.findOne({ _id: id });
      if (transfer === null || transfer.hold !== 'held') return { success: true, action: 'none', details: { hold: transfer?.hold ?? null } };
      const runId = withdrawRunId(transfer);
      let decision = decideStuckHold(await sagas.getRun(runId));
      if (decision.action === 'wait') return { success: false, error: decision.reason };
      if (decision.action === 'ask_provider') {
        // The saga's own key for the step: a provider treats a repeated key as the same payout,
        // so asking again cannot pay twice.
        const outcome = await deps.provider.payout({
          idempotencyKey: sagaStepKey(runId, 'payout'),
          tenantId: transfer.tenantId,
          userId: transfer.fromUserId,
          amount: transfer.amount,
          currency: transfer.currency,
          transferId: transfer.id,
        });
        decision = outcome.status === 'paid' ? { action: 'capture', reason: 'provider confirmed the payout' } : { action: 'release', reason: `provider declined: ${outcome.reason}` };
      }
      const params = { db: deps.db, tenantId: transfer.tenantId, transferId: transfer.id, emit: deps.emit, reason: `recovery: ${decision.reason}` };
      try {
        await withTransaction({
          client: deps.client,
          fn: (session) => (decision.action === 'capture' ? captureHold(params, session) : releaseHold(params, session)),
        });
      } catch (error) {
        // Someone else resolved it first, the same way or the other: the hold is resolved once.
        if (error instanceof WalletError && error.code === WALLET_ERRORS.HoldAlreadyResolved) return { success: true, action: 'none', details: { reason: 'resolved concurrently' } };
        throw error;
      }
      return { success: true, action: decision.action === 'capture' ? 'captured' : 'released', details: { reason: decision.reason } };
    },
  });
}
