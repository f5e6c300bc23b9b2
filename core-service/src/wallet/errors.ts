/**
 * Error codes of the money-moving helpers. They carry the payment prefix because the wallet
 * module is the payment domain, shared with bonus-service so that both move money one way.
 */
export const WALLET_ERRORS = {
  InsufficientBalance: 'MSPaymentInsufficientBalance',
  WalletNotFound: 'MSPaymentWalletNotFound',
  InvalidAmount: 'MSPaymentInvalidAmount',
  UnsupportedCurrency: 'MSPaymentUnsupportedCurrency',
  CurrencyMismatch: 'MSPaymentCurrencyMismatch',
  SelfTransfer: 'MSPaymentSelfTransfer',
  IdempotencyKeyReused: 'MSPaymentIdempotencyKeyReused',
  InvalidIdempotencyKey: 'MSPaymentInvalidIdempotencyKey',
  HoldAlreadyResolved: 'MSPaymentHoldAlreadyResolved',
} as const;

export type WalletErrorCode = (typeof WALLET_ERRORS)[keyof typeof WALLET_ERRORS];

/**
 * A money rule said no. Thrown by the wallet helpers before anything is written (or inside the
 * transaction, which then aborts), so a caller never sees a partial movement. The GraphQL layer
 * turns it into an error whose `extensions.code` is `code`.
 */
export class WalletError extends Error {
  readonly code: WalletErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: WalletErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'WalletError';
    this.code = code;
    this.details = details;
  }
}
