/**
 * The tenant's bonus pool: the system account every award is paid from and every forfeit goes
 * back to. It is a wallet like any other (payment `wallets`), allowed to go negative, so each
 * movement is an ordinary two-entry transfer and each balance type still sums to zero. One
 * wallet per tenant and currency, not sharded like the funding account: awards are orders of
 * magnitude rarer than deposits.
 */
export const BONUS_POOL_USER_ID = 'system:bonus-pool';
