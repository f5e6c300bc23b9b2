import { GraphQLError, WALLET_ERRORS, registerServiceErrorCodes } from 'core-service';

/**
 * Every code bonus-service answers with: its own refusals plus the wallet helpers' codes (an
 * award is a transfer, so an invalid amount or currency is refused by the same rules).
 */
export const BONUS_ERRORS = {
  ...WALLET_ERRORS,
  TemplateNotFound: 'MSBonusTemplateNotFound',
  TemplateInactive: 'MSBonusTemplateInactive',
  InvalidTemplate: 'MSBonusInvalidTemplate',
  OutsideWindow: 'MSBonusOutsideWindow',
  NotClaimable: 'MSBonusNotClaimable',
  ClaimLimitReached: 'MSBonusClaimLimitReached',
  BudgetExhausted: 'MSBonusBudgetExhausted',
  IneligibleUser: 'MSBonusIneligibleUser',
  UserNotFound: 'MSBonusUserNotFound',
  CurrencyMismatch: 'MSBonusCurrencyMismatch',
  IdempotencyKeyReused: 'MSBonusIdempotencyKeyReused',
  BonusNotFound: 'MSBonusNotFound',
  BonusNotActive: 'MSBonusNotActive',
} as const;

registerServiceErrorCodes(BONUS_ERRORS);

export type BonusErrorCode = (typeof BONUS_ERRORS)[keyof typeof BONUS_ERRORS];

/** A bonus rule said no: thrown before anything is written, or inside the transaction (which aborts). */
export class BonusError extends GraphQLError {
  override readonly code: BonusErrorCode;

  constructor(refusal: { code: BonusErrorCode; message: string }, details: Record<string, unknown> = {}) {
    super(refusal.code, details, { message: refusal.message });
    this.name = 'BonusError';
    this.code = refusal.code;
  }
}
