import type { RecoveryRegistry, RecoveryResult } from 'core-service';
import type { PaymentStore } from '../store/payment-store.js';

/** Operation type of self-managed transfers (the tracker's and the handler's). */
export const TRANSFER_OPERATION = 'transfer';

/**
 * Repair for a transfer whose process died while it ran its own transaction. The transaction is
 * atomic, so there is nothing to undo or redo: either the transfer document (and with it both
 * ledger entries, both balance changes and the outbox events) committed, or none of it did.
 * Recovery only establishes which, so the operation is closed with a true audit record; a
 * client that retries with its idempotency key gets the committed result or a fresh attempt.
 */
export function registerTransferRecovery(registry: RecoveryRegistry, store: PaymentStore): () => void {
  return registry.register(TRANSFER_OPERATION, {
    recover: async ({ id, meta }): Promise<RecoveryResult> => {
      const tenantId = typeof meta['tenantId'] === 'string' ? meta['tenantId'] : undefined;
      const transfer = await store.transfers.findOne(tenantId !== undefined ? { _id: id, tenantId } : { _id: id });
      if (transfer !== null) {
        const entries = await store.transactions.countDocuments({ objectId: id });
        return { success: true, action: 'confirmed_committed', details: { status: transfer.status, ledgerEntries: entries } };
      }
      return { success: true, action: 'confirmed_rolled_back', details: { idempotencyKey: meta['idempotencyKey'] ?? null } };
    },
  });
}
