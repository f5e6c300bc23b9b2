import { CORE_ERRORS, WalletError, checkCurrency, createServiceError } from 'core-service';

export interface LedgerFilterInput {
  type?: string | null;
  status?: string | null;
  currency?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/**
 * The MongoDB filter for a page of a user's ledger or transfers. Only equality on tenant and
 * user plus a createdAt range, so the (tenantId, userId, createdAt, _id) index serves it.
 */
export function buildLedgerFilter(base: Record<string, unknown>, input: LedgerFilterInput | null | undefined): Record<string, unknown> {
  const filter: Record<string, unknown> = { ...base };
  if (input?.type) filter['type'] = input.type;
  if (input?.status) filter['status'] = input.status;
  if (input?.currency) {
    const error = checkCurrency(input.currency);
    if (error !== null) throw new WalletError(error, `Unsupported currency ${input.currency}`);
    filter['currency'] = input.currency;
  }
  const range: Record<string, Date> = {};
  if (input?.from) range['$gte'] = input.from;
  if (input?.to) range['$lt'] = input.to;
  if (input?.from && input?.to && input.from >= input.to) {
    throw createServiceError(CORE_ERRORS.BadUserInput, '`from` must be before `to`', { fields: ['from', 'to'] });
  }
  if (Object.keys(range).length > 0) filter['createdAt'] = range;
  return filter;
}
