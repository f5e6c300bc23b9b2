import { isNumeric, toDouble } from '../values/numeric.js';

/** Aggregation truthiness: false, null, missing and numeric zero are false; '' and [] are true. */
export function isTruthyValue(value: unknown): boolean {
  if (value === false || value === null || value === undefined) return false;
  // NaN is truthy: it is not zero.
  if (isNumeric(value)) return toDouble(value) !== 0;
  return true;
}
