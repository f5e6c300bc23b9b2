import { WALLET_ERRORS, registerServiceErrorCodes } from 'core-service';

/** Every code payment-service answers with: the wallet helpers' codes plus its own. */
export const PAYMENT_ERRORS = {
  ...WALLET_ERRORS,
  TransferNotFound: 'MSPaymentTransferNotFound',
  PayoutFailed: 'MSPaymentPayoutFailed',
  /** No such user in the caller's tenant, as far as payment-service knows yet (`extensions.retryable`: a registration may still be on its way). */
  RecipientNotFound: 'MSPaymentRecipientNotFound',
  /** The recipient is suspended or locked. */
  RecipientInactive: 'MSPaymentRecipientInactive',
  /** The sender is suspended or locked, or not (yet) known to payment-service. */
  SenderInactive: 'MSPaymentSenderInactive',
} as const;

registerServiceErrorCodes(PAYMENT_ERRORS);
