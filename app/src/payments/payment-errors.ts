/**
 * What to tell people for each MSPayment* code (shared/API.md: codes are stable data). The
 * browser test checks that every MSPayment* code the platform lists in `errorCodes` has one.
 */
export const PAYMENT_ERROR_MESSAGES: Readonly<Record<string, string>> = {
  MSPaymentInsufficientBalance: 'Your available balance is too low for this payment. Bonus money cannot be sent.',
  MSPaymentWalletNotFound: 'You have no wallet in this currency yet. Receive or deposit money in it first.',
  MSPaymentInvalidAmount: 'That amount is not valid. Enter a positive amount.',
  MSPaymentBalanceLimitExceeded: 'That amount is too large: it would take a balance past what the platform can hold.',
  MSPaymentUnsupportedCurrency: 'That currency is not supported.',
  MSPaymentCurrencyMismatch: 'The currency does not match the wallet.',
  MSPaymentSelfTransfer: 'You cannot send money to yourself.',
  MSPaymentIdempotencyKeyReused: 'This payment was already submitted with different details. Start a new payment.',
  MSPaymentInvalidIdempotencyKey: 'The payment could not be identified. Reload the page and try again.',
  MSPaymentHoldAlreadyResolved: 'This withdrawal has already been settled or released.',
  MSPaymentHoldNotFound: 'This withdrawal could not be found.',
  MSPaymentTransferNotFound: 'That transfer could not be found.',
  MSPaymentPayoutFailed: 'The payout provider refused the withdrawal. The money is back in your available balance.',
  MSPaymentRecipientNotFound: 'No account with that email yet. If they registered just now, try again in a moment.',
  MSPaymentRecipientInactive: 'That account cannot receive money right now.',
  MSPaymentSenderInactive: 'Your account cannot send money right now. Contact support.',
};
