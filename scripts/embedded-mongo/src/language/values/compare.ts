import type { Binary, Code, Decimal128, Long, ObjectId, Timestamp } from 'bson';
import { compareDecimals } from './decimal.js';
import { NumericWidth, numericWidth, toDouble, toExactDecimal, longToBigInt, compareLongs, longToSafeNumber } from './numeric.js';
import { BsonType, CanonicalRank, bsonTypeCode, canonicalRankOfCode } from './type-order.js';

/**
 * MongoDB's total order over BSON values. Written here rather than taken from mingo because
 * mingo orders Long, Decimal128 and Binary by their text form (Long(5) > Long(10)).
 */
export function compareValues(a: unknown, b: unknown): number {
  // Fast paths for the pairs index and sort comparisons see most: same string, same BSON class.
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const aType = (a as { _bsontype?: string })._bsontype;
    if (aType !== undefined && aType === (b as { _bsontype?: string })._bsontype) {
      switch (aType) {
        case 'ObjectId':
          return compareBytes((a as ObjectId).id, (b as ObjectId).id);
        case 'Int32':
        case 'Double':
          return compareDoubles((a as { value: number }).value, (b as { value: number }).value);
        case 'Long':
          return compareLongs(a as Long, b as Long);
      }
    }
  }
  const aCode = bsonTypeCode(a);
  const bCode = bsonTypeCode(b);
  const aRank = canonicalRankOfCode(aCode);
  const bRank = canonicalRankOfCode(bCode);
  if (aRank !== bRank) return aRank < bRank ? -1 : 1;
  switch (aRank) {
    case CanonicalRank.minKey:
    case CanonicalRank.null:
    case CanonicalRank.maxKey:
      return 0;
    case CanonicalRank.number:
      return compareNumbers(a, b);
    case CanonicalRank.string:
      return compareStrings(stringOf(a), stringOf(b));
    case CanonicalRank.object:
      return compareDocuments(a as Record<string, unknown>, b as Record<string, unknown>);
    case CanonicalRank.array:
      return compareArrays(a as unknown[], b as unknown[]);
    case CanonicalRank.binData:
      return compareBinaries(a as Binary, b as Binary);
    case CanonicalRank.objectId:
      return compareBytes((a as ObjectId).id, (b as ObjectId).id);
    case CanonicalRank.bool:
      return a === b ? 0 : a ? 1 : -1;
    case CanonicalRank.date:
      return sign((a as Date).getTime() - (b as Date).getTime());
    case CanonicalRank.timestamp:
      return compareTimestamps(a as Timestamp, b as Timestamp);
    case CanonicalRank.regex:
      return compareRegexes(a, b);
    case CanonicalRank.javascript:
      return compareStrings((a as Code).code, (b as Code).code);
    case CanonicalRank.javascriptWithScope: {
      const byCode = compareStrings((a as Code).code, (b as Code).code);
      return byCode !== 0 ? byCode : compareValues((a as Code).scope ?? {}, (b as Code).scope ?? {});
    }
    default:
      return 0;
  }
}

/** MongoDB equality: numbers equal across types, NaN equals NaN, documents field by field in order. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'string' || typeof b === 'string') {
    // A string equals only a string or a symbol with the same text.
    if (typeof a === 'string' && typeof b === 'string') return false;
    return bsonTypeCode(a) === BsonType.symbol || bsonTypeCode(b) === BsonType.symbol ? compareValues(a, b) === 0 : false;
  }
  return compareValues(a, b) === 0;
}

/**
 * Byte-identity of two values: same BSON types all the way down (Int32(1) is not Double(1),
 * Decimal128 1.0 is not 1.00). Decides `modified` for updates and _id immutability.
 */
export function valuesIdentical(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const aCode = bsonTypeCode(a);
  if (aCode !== bsonTypeCode(b)) return false;
  switch (aCode) {
    case BsonType.double:
      return Object.is(toDouble(a), toDouble(b));
    case BsonType.decimal:
      return (a as Decimal128).toString() === (b as Decimal128).toString();
    case BsonType.long:
      return compareLongs(a as Long, b as Long) === 0;
    case BsonType.array: {
      const left = a as unknown[];
      const right = b as unknown[];
      if (left.length !== right.length) return false;
      for (let i = 0; i < left.length; i++) if (!valuesIdentical(left[i], right[i])) return false;
      return true;
    }
    case BsonType.object: {
      const leftKeys = Object.keys(a as object);
      const rightKeys = Object.keys(b as object);
      if (leftKeys.length !== rightKeys.length) return false;
      for (let i = 0; i < leftKeys.length; i++) {
        const key = leftKeys[i]!;
        if (key !== rightKeys[i]) return false;
        if (!valuesIdentical((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
      }
      return true;
    }
    case BsonType.regex:
      return compareRegexes(a, b) === 0;
    default:
      return compareValues(a, b) === 0;
  }
}

function sign(value: number): number {
  return value < 0 ? -1 : value > 0 ? 1 : 0;
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : String((value as { value: unknown }).value);
}

/**
 * Orders strings by their UTF-8 bytes, as MongoDB does without a collation. JS compares UTF-16
 * code units, which disagrees with UTF-8 order only between surrogate pairs (astral
 * characters) and U+E000..U+FFFF, so only that case is remapped.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) return utf8OrderOfCodeUnit(x) < utf8OrderOfCodeUnit(y) ? -1 : 1;
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function utf8OrderOfCodeUnit(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}

/** Exact numeric comparison across Int32, Long, Double and Decimal128; NaN is lowest and equals NaN. */
export function compareNumbers(a: unknown, b: unknown): number {
  const aWidth = numericWidth(a);
  const bWidth = numericWidth(b);
  if (aWidth === NumericWidth.decimal || bWidth === NumericWidth.decimal) {
    return compareDecimals(toExactDecimal(a), toExactDecimal(b));
  }
  if (aWidth === NumericWidth.long || bWidth === NumericWidth.long) {
    if (aWidth === NumericWidth.long && bWidth === NumericWidth.long) return compareLongs(a as Long, b as Long);
    if (aWidth === NumericWidth.long) return compareLongToDouble(a as Long, toDouble(b));
    return compareLongToDouble(b as Long, toDouble(a)) * -1 || 0;
  }
  return compareDoubles(toDouble(a), toDouble(b));
}

function compareDoubles(x: number, y: number): number {
  if (x < y) return -1;
  if (x > y) return 1;
  if (x === y) return 0;
  // At least one NaN: NaN sorts below every number and equals itself.
  const xIsNaN = Number.isNaN(x);
  const yIsNaN = Number.isNaN(y);
  return xIsNaN === yIsNaN ? 0 : xIsNaN ? -1 : 1;
}

/** Exact, even beyond 2^53 where converting the Long to a double would round. */
function compareLongToDouble(long: Long, double: number): number {
  if (Number.isNaN(double)) return 1;
  if (double === Infinity) return -1;
  if (double === -Infinity) return 1;
  const exact = longToSafeNumber(long);
  if (exact !== undefined) return exact < double ? -1 : exact > double ? 1 : 0;
  const longValue = longToBigInt(long);
  const floor = Math.floor(double);
  // |double| >= 2^63 lies outside every Long; BigInt(floor) is exact for any integral double.
  const floorBig = BigInt(floor);
  if (longValue < floorBig) return -1;
  if (longValue > floorBig) return 1;
  return double > floor ? -1 : 0;
}

function compareDocuments(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  const length = Math.min(aKeys.length, bKeys.length);
  for (let i = 0; i < length; i++) {
    const aKey = aKeys[i]!;
    const bKey = bKeys[i]!;
    const aValue = a[aKey];
    const bValue = b[bKey];
    const byType = canonicalRankOfCode(bsonTypeCode(aValue)) - canonicalRankOfCode(bsonTypeCode(bValue));
    if (byType !== 0) return byType < 0 ? -1 : 1;
    const byName = compareStrings(aKey, bKey);
    if (byName !== 0) return byName;
    const byValue = compareValues(aValue, bValue);
    if (byValue !== 0) return byValue;
  }
  return sign(aKeys.length - bKeys.length);
}

function compareArrays(a: unknown[], b: unknown[]): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const byValue = compareValues(a[i], b[i]);
    if (byValue !== 0) return byValue;
  }
  return sign(a.length - b.length);
}

/** MongoDB orders binData by length, then subtype, then bytes. */
function compareBinaries(a: Binary, b: Binary): number {
  const byLength = a.position - b.position;
  if (byLength !== 0) return sign(byLength);
  const bySubtype = a.sub_type - b.sub_type;
  if (bySubtype !== 0) return sign(bySubtype);
  return compareBytes(a.buffer.subarray(0, a.position), b.buffer.subarray(0, b.position));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return sign(a.length - b.length);
}

function compareTimestamps(a: Timestamp, b: Timestamp): number {
  const byTime = (a.high >>> 0) - (b.high >>> 0);
  if (byTime !== 0) return sign(byTime);
  return sign((a.low >>> 0) - (b.low >>> 0));
}

function regexParts(value: unknown): [string, string] {
  if (value instanceof RegExp) return [value.source, value.flags];
  const regex = value as { pattern: string; options: string };
  return [regex.pattern, regex.options];
}

function compareRegexes(a: unknown, b: unknown): number {
  const [aPattern, aFlags] = regexParts(a);
  const [bPattern, bFlags] = regexParts(b);
  const byPattern = compareStrings(aPattern, bPattern);
  return byPattern !== 0 ? byPattern : compareStrings(aFlags, bFlags);
}
