/**
 * The permission URNs payment-service asks for, as `resource:action:*` requests checked against a
 * resource descriptor (`{ ownerId, tenantId }`): the auth-service's default roles grant `user`
 * the `own` targets, `support` the `tenant` reads, `admin` deposits and reconciliation in its
 * tenant, and `system` everything.
 */
export const PAYMENT_PERMISSIONS = {
  readWallet: 'wallet:read:*',
  createTransfer: 'transfer:create:*',
  readTransfer: 'transfer:read:*',
  readTransaction: 'transaction:read:*',
  createDeposit: 'deposit:create:*',
  createWithdrawal: 'withdrawal:create:*',
  readReconciliation: 'reconciliation:read:*',
  manageWebhooks: 'webhook:manage:*',
  rebuildUserProjection: 'user-projection:rebuild:*',
} as const;
