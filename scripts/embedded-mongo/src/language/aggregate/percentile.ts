import { Double } from 'bson';
import { ErrorCode, MongoCommandError } from '../../errors.js';
import { isNumeric, toDouble } from '../values/numeric.js';
import { isPlainDocument } from '../values/type-order.js';

/**
 * $percentile and $median (as accumulators and as expressions). MongoDB's 'approximate' method
 * is a t-digest whose answers are documented as approximate; computing the exact nearest-rank
 * percentile is always within that contract. 'discrete' is nearest rank, 'continuous' linear
 * interpolation between the neighbouring ranks. Non-numeric inputs are ignored.
 */
export interface PercentileSpec {
  input: unknown;
  percentiles: number[];
  method: 'approximate' | 'discrete' | 'continuous';
  isMedian: boolean;
}

export function parsePercentileSpec(name: string, operand: unknown): PercentileSpec {
  if (!isPlainDocument(operand) || !('input' in operand) || !('method' in operand)) {
    throw new MongoCommandError(ErrorCode.FailedToParse, `${name} requires 'input' and 'method'`);
  }
  const method = operand.method;
  if (method !== 'approximate' && method !== 'discrete' && method !== 'continuous') {
    throw new MongoCommandError(ErrorCode.BadValue, `Currently only 'approximate', 'discrete' and 'continuous' can be used as percentile 'method'`);
  }
  const isMedian = name === '$median';
  let percentiles = [0.5];
  if (!isMedian) {
    if (!Array.isArray(operand.p) || operand.p.length === 0 || !operand.p.every((p) => isNumeric(p) && toDouble(p) >= 0 && toDouble(p) <= 1)) {
      throw new MongoCommandError(7750301, "$percentile 'p' must be a non-empty array of numbers between 0.0 and 1.0");
    }
    percentiles = operand.p.map(toDouble);
  }
  return { input: operand.input, percentiles, method, isMedian };
}

export function computePercentiles(values: unknown[], spec: PercentileSpec): unknown {
  const numbers = values
    .filter(isNumeric)
    .map(toDouble)
    .filter((n) => !Number.isNaN(n))
    .sort((a, b) => a - b);
  const results = spec.percentiles.map((p) => {
    if (numbers.length === 0) return null;
    if (spec.method === 'continuous') {
      const rank = p * (numbers.length - 1);
      const low = Math.floor(rank);
      const high = Math.ceil(rank);
      return new Double(numbers[low]! + (numbers[high]! - numbers[low]!) * (rank - low));
    }
    return new Double(numbers[Math.max(0, Math.ceil(p * numbers.length) - 1)]!);
  });
  return spec.isMedian ? results[0] : results;
}
