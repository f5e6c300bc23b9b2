/**
 * What payment-service publishes. Tenants may subscribe webhooks to the money events; the
 * per-wallet `wallet.updated` stays internal (live pushes to the user), as do recovery and
 * reconciliation events.
 */
export const PAYMENT_EVENTS = {
  transferCompleted: 'transfer.completed',
  transferFailed: 'transfer.failed',
  depositCompleted: 'deposit.completed',
  withdrawalCompleted: 'withdrawal.completed',
  walletUpdated: 'wallet.updated',
  reconciliationFinding: 'reconciliation.finding',
} as const;

const WEBHOOK_EVENTS: ReadonlySet<string> = new Set([PAYMENT_EVENTS.transferCompleted, PAYMENT_EVENTS.transferFailed, PAYMENT_EVENTS.depositCompleted, PAYMENT_EVENTS.withdrawalCompleted]);

export function isWebhookEvent(type: string): boolean {
  return WEBHOOK_EVENTS.has(type);
}
