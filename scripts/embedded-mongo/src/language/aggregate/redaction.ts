/**
 * The three values a `$redact` expression decides with. Symbols, so no document value can be
 * mistaken for one.
 */
export const REDACT_DESCEND: unique symbol = Symbol('$$DESCEND');
export const REDACT_PRUNE: unique symbol = Symbol('$$PRUNE');
export const REDACT_KEEP: unique symbol = Symbol('$$KEEP');

export const REDACTION_VARIABLES: Record<string, symbol> = {
  DESCEND: REDACT_DESCEND,
  PRUNE: REDACT_PRUNE,
  KEEP: REDACT_KEEP,
};
