import { ErrorCode, MongoCommandError } from '../../errors.js';

/**
 * BSON type identification: the numeric type codes `$type` uses, their aliases, and the
 * canonical rank MongoDB orders values of different types by.
 */

/** BSON type codes as MongoDB numbers them (the values `$type` accepts). */
export const BsonType = {
  double: 1,
  string: 2,
  object: 3,
  array: 4,
  binData: 5,
  undefined: 6,
  objectId: 7,
  bool: 8,
  date: 9,
  null: 10,
  regex: 11,
  dbPointer: 12,
  javascript: 13,
  symbol: 14,
  javascriptWithScope: 15,
  int: 16,
  timestamp: 17,
  long: 18,
  decimal: 19,
  minKey: -1,
  maxKey: 127,
} as const;

const aliasByCode = new Map<number, string>(Object.entries(BsonType).map(([alias, code]) => [code, alias]));

/** Type code of a JS value as decoded by bson with `promoteValues: false`. A plain JS number is a double. */
export function bsonTypeCode(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return BsonType.string;
    case 'number':
      return BsonType.double;
    case 'boolean':
      return BsonType.bool;
    case 'undefined':
      return BsonType.undefined;
    case 'bigint':
      // Only bson's Long is supported (decode with useBigInt64: false); a bigint would otherwise be compared as NaN.
      throw new MongoCommandError(ErrorCode.InternalError, 'bigint values are not supported by the document language; decode with useBigInt64: false');
    case 'object':
      break;
    default:
      return BsonType.undefined;
  }
  if (value === null) return BsonType.null;
  if (Array.isArray(value)) return BsonType.array;
  if (value instanceof Date) return BsonType.date;
  if (value instanceof RegExp) return BsonType.regex;
  switch ((value as { _bsontype?: string })._bsontype) {
    case undefined:
      return BsonType.object;
    case 'Int32':
      return BsonType.int;
    case 'Double':
      return BsonType.double;
    case 'Long':
      return BsonType.long;
    case 'Decimal128':
      return BsonType.decimal;
    case 'ObjectId':
      return BsonType.objectId;
    case 'Binary':
      return BsonType.binData;
    case 'Timestamp':
      return BsonType.timestamp;
    case 'BSONRegExp':
      return BsonType.regex;
    case 'MinKey':
      return BsonType.minKey;
    case 'MaxKey':
      return BsonType.maxKey;
    case 'BSONSymbol':
      return BsonType.symbol;
    case 'Code':
      return (value as { scope?: unknown }).scope ? BsonType.javascriptWithScope : BsonType.javascript;
    case 'DBRef':
      return BsonType.object;
    default:
      return BsonType.object;
  }
}

/** The `$type` alias of a value ('int', 'long', 'objectId', ...). */
export function bsonTypeAlias(value: unknown): string {
  return aliasByCode.get(bsonTypeCode(value)) ?? 'object';
}

/** The type code for a `$type` alias, or undefined when the alias does not exist. */
export function bsonTypeCodeForAlias(alias: string): number | undefined {
  return (BsonType as Record<string, number>)[alias];
}

export function isKnownBsonTypeCode(code: number): boolean {
  return aliasByCode.has(code);
}

export function isNumericTypeCode(code: number): boolean {
  return code === BsonType.double || code === BsonType.int || code === BsonType.long || code === BsonType.decimal;
}

/**
 * Canonical rank: values of different types order by this rank (MongoDB's
 * canonicalizeBSONType). Numbers share one rank, as do string and symbol, so they compare by
 * value across types. Missing (JS undefined) ranks with null, as in sorts and `{a: null}`.
 */
export const CanonicalRank = {
  minKey: -1,
  /** Sort key of an empty array: below null, above MinKey (MongoDB sorts [] before null). */
  emptyArraySortKey: 0,
  null: 5,
  number: 10,
  string: 15,
  object: 20,
  array: 25,
  binData: 30,
  objectId: 35,
  bool: 40,
  date: 45,
  timestamp: 47,
  regex: 50,
  dbPointer: 55,
  javascript: 60,
  javascriptWithScope: 65,
  maxKey: 127,
} as const;

export function canonicalRankOfCode(code: number): number {
  switch (code) {
    case BsonType.minKey:
      return CanonicalRank.minKey;
    case BsonType.undefined:
    case BsonType.null:
      return CanonicalRank.null;
    case BsonType.double:
    case BsonType.int:
    case BsonType.long:
    case BsonType.decimal:
      return CanonicalRank.number;
    case BsonType.string:
    case BsonType.symbol:
      return CanonicalRank.string;
    case BsonType.object:
      return CanonicalRank.object;
    case BsonType.array:
      return CanonicalRank.array;
    case BsonType.binData:
      return CanonicalRank.binData;
    case BsonType.objectId:
      return CanonicalRank.objectId;
    case BsonType.bool:
      return CanonicalRank.bool;
    case BsonType.date:
      return CanonicalRank.date;
    case BsonType.timestamp:
      return CanonicalRank.timestamp;
    case BsonType.regex:
      return CanonicalRank.regex;
    case BsonType.dbPointer:
      return CanonicalRank.dbPointer;
    case BsonType.javascript:
      return CanonicalRank.javascript;
    case BsonType.javascriptWithScope:
      return CanonicalRank.javascriptWithScope;
    case BsonType.maxKey:
      return CanonicalRank.maxKey;
    default:
      return CanonicalRank.object;
  }
}

export function canonicalRank(value: unknown): number {
  return canonicalRankOfCode(bsonTypeCode(value));
}

/** A plain (sub)document: not an array, not a bson value object, not a Date/RegExp. */
export function isPlainDocument(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as { _bsontype?: string })._bsontype === undefined && !(value instanceof Date) && !(value instanceof RegExp);
}
