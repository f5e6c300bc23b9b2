import { WALLET_ERRORS, registerServiceErrorCodes } from 'core-service';

/** Every code payment-service answers with: the wallet helpers' codes plus its own. */
export const PAYMENT_ERRORS = {
  ...WALLET_ERRORS,
  TransferNotFound: 'MSPaymentTransferNotFound',
  PayoutFailed: 'MSPaymentPayoutFailed',
} as const;

registerServiceErrorCodes(PAYMENT_ERRORS);
