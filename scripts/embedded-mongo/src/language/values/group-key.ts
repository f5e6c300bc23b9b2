import type { Binary, Code, Decimal128, ObjectId, Timestamp } from 'bson';
import { NumericWidth, numericWidth, toDouble, toExactDecimal } from './numeric.js';
import { BsonType, bsonTypeCode } from './type-order.js';

/**
 * A string that is equal for two values exactly when MongoDB's `$group` puts them in the same
 * group: numbers by numeric value across types (Int32(1), Long(1), 1.0 group together),
 * documents by field names and values in order, missing and null together. Used as a Map key
 * so grouping and $lookup matching are hash lookups rather than pairwise comparisons.
 */
export function groupKeyOf(value: unknown): string {
  const code = bsonTypeCode(value);
  switch (code) {
    case BsonType.undefined:
    case BsonType.null:
      return 'n';
    case BsonType.string:
      return `s${value as string}`;
    case BsonType.symbol:
      return `s${(value as { value: string }).value}`;
    case BsonType.int:
    case BsonType.double:
    case BsonType.long:
    case BsonType.decimal:
      return `#${numericKey(value)}`;
    case BsonType.bool:
      return value ? 't' : 'f';
    case BsonType.objectId:
      return `o${(value as ObjectId).toHexString()}`;
    case BsonType.date:
      return `d${(value as Date).getTime()}`;
    case BsonType.array:
      return `[${(value as unknown[]).map(groupKeyOf).join(',')}]`;
    case BsonType.object:
      return `{${Object.entries(value as object)
        .map(([key, field]) => `${JSON.stringify(key)}:${groupKeyOf(field)}`)
        .join(',')}}`;
    case BsonType.binData: {
      const binary = value as Binary;
      return `b${binary.sub_type}:${Buffer.from(binary.buffer.subarray(0, binary.position)).toString('base64')}`;
    }
    case BsonType.timestamp:
      return `T${(value as Timestamp).toString()}`;
    case BsonType.regex:
      return value instanceof RegExp ? `r/${value.source}/${value.flags}` : `r/${(value as { pattern: string }).pattern}/${(value as { options: string }).options}`;
    case BsonType.javascript:
    case BsonType.javascriptWithScope:
      return `j${(value as Code).code}${groupKeyOf((value as Code).scope ?? null)}`;
    case BsonType.minKey:
      return 'm';
    case BsonType.maxKey:
      return 'M';
    default:
      return `?${String(value)}`;
  }
}

/**
 * Canonical numeric text: integers and doubles that hold integers print as integers; other
 * doubles print their exact decimal expansion so that a Decimal128 holding the same value
 * groups with them only when truly equal.
 */
function numericKey(value: unknown): string {
  const width = numericWidth(value);
  if (width === NumericWidth.int || width === NumericWidth.double) {
    const number = toDouble(value);
    if (Number.isNaN(number)) return 'NaN';
    if (Number.isInteger(number) && Math.abs(number) < 2 ** 53) return String(number === 0 ? 0 : number);
  }
  const decimal = toExactDecimal(value as Decimal128);
  if (decimal.kind === 'nan') return 'NaN';
  if (decimal.kind === 'infinity') return decimal.negative ? '-Inf' : 'Inf';
  // Strip trailing zeros so 1.0, 1.00 and 1 share a key.
  let coefficient = decimal.coefficient;
  let exponent = decimal.exponent;
  if (coefficient === 0n) return '0';
  while (coefficient % 10n === 0n) {
    coefficient /= 10n;
    exponent++;
  }
  const sign = decimal.negative ? '-' : '';
  // Whole numbers print as integers, matching the Int32/double branch above.
  if (exponent >= 0 && exponent <= 40) return `${sign}${coefficient * 10n ** BigInt(exponent)}`;
  return `${sign}${coefficient}e${exponent}`;
}
