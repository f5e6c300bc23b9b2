import { GraphQLError } from '../errors/graphql-error.js';
import { registerServiceErrorCodes } from '../errors/registry.js';

/**
 * Error codes of the money-moving helpers. They carry the payment prefix because the wallet
 * module is the payment domain, shared with bonus-service so that both move money one way.
 */
export const WALLET_ERRORS = {
  InsufficientBalance: 'MSPaymentInsufficientBalance',
  WalletNotFound: 'MSPaymentWalletNotFound',
  InvalidAmount: 'MSPaymentInvalidAmount',
  /** The movement would take a balance past what can be counted exactly (±2^53 − 1 minor units). */
  BalanceLimitExceeded: 'MSPaymentBalanceLimitExceeded',
  UnsupportedCurrency: 'MSPaymentUnsupportedCurrency',
  CurrencyMismatch: 'MSPaymentCurrencyMismatch',
  SelfTransfer: 'MSPaymentSelfTransfer',
  IdempotencyKeyReused: 'MSPaymentIdempotencyKeyReused',
  InvalidIdempotencyKey: 'MSPaymentInvalidIdempotencyKey',
  HoldAlreadyResolved: 'MSPaymentHoldAlreadyResolved',
  HoldNotFound: 'MSPaymentHoldNotFound',
} as const;

// Registered where they are defined: any service that moves money through these helpers can
// throw them, and an unregistered code would be masked as an internal error.
registerServiceErrorCodes(WALLET_ERRORS);

export type WalletErrorCode = (typeof WALLET_ERRORS)[keyof typeof WALLET_ERRORS];

/**
 * A money rule said no. Thrown by the wallet helpers before anything is written (or inside the
 * transaction, which then aborts), so a caller never sees a partial movement. It is the SDK's
 * GraphQLError, so a resolver can let it through and the client reads `extensions.code`.
 */
export class WalletError extends GraphQLError {
  override readonly code: WalletErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: WalletErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, details, { message });
    this.name = 'WalletError';
    this.code = code;
    this.details = details;
  }
}
