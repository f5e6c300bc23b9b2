import { ErrorCode, MongoCommandError } from '../errors.js';
import { isPlainDocument } from './values/type-order.js';

/**
 * Collations with strength 1 (case and diacritics ignored) or 2 (case ignored): strings are
 * compared through a folded form, for any locale. What folding cannot express truthfully is
 * refused (a MongoCommandError naming it): strength 3 and above (locale-specific ordering of
 * case variants), the options `caseLevel`, `caseFirst`, `numericOrdering`, `alternate`,
 * `backwards`, and `$regex`, `$expr`, `$where` or `$jsonSchema` in a filter with a collation.
 */
export interface Collation {
  fold(value: string): string;
}

function refuse(what: string): never {
  throw new MongoCommandError(ErrorCode.BadValue, `embedded-mongo supports only the simple collation and strength 1 or 2 collations, not ${what}`);
}

/** undefined for the simple (binary) collation. */
export function parseCollation(spec: unknown): Collation | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (!isPlainDocument(spec)) throw new MongoCommandError(ErrorCode.TypeMismatch, "BSON field 'collation' is the wrong type, expected type 'object'");
  if (typeof spec.locale !== 'string') throw new MongoCommandError(ErrorCode.BadValue, 'Missing expected field "locale"');
  if (spec.locale === 'simple') return undefined;
  for (const [key, value] of Object.entries(spec)) {
    if (key === 'locale' || key === 'strength' || key === 'normalization' || key === 'version') continue;
    if (value === false || (key === 'caseFirst' && value === 'off') || (key === 'alternate' && value === 'non-ignorable') || (key === 'maxVariable' && value === 'punct')) continue;
    refuse(`the collation option ${key}: ${JSON.stringify(value)}`);
  }
  const strength = spec.strength === undefined ? 3 : Number(spec.strength);
  if (strength === 1) return { fold: (s) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase() };
  if (strength === 2) return { fold: (s) => s.normalize('NFC').toLowerCase() };
  return refuse(`strength ${strength} (${JSON.stringify(spec)})`);
}

/** A value with every string folded (documents and arrays recursively; field names unchanged). */
export function foldValue(value: unknown, collation: Collation): unknown {
  if (typeof value === 'string') return collation.fold(value);
  if (Array.isArray(value)) return value.map((v) => foldValue(v, collation));
  if (isPlainDocument(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = foldValue(v, collation);
    return out;
  }
  if (value instanceof RegExp || (value as { _bsontype?: string } | null)?._bsontype === 'BSONRegExp') refuse('a regular expression in a filter with a collation');
  return value;
}

const VALUE_OPERATORS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$all']);
const UNCHANGED_OPERATORS = new Set(['$exists', '$type', '$size', '$mod', '$bitsAllSet', '$bitsAnySet', '$bitsAllClear', '$bitsAnyClear', '$comment']);

/** The filter with the string operands its comparisons use folded (matched against folded documents). */
export function foldFilter(filter: Record<string, unknown>, collation: Collation): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      out[key] = Array.isArray(value) ? value.map((branch) => (isPlainDocument(branch) ? foldFilter(branch, collation) : branch)) : value;
    } else if (key === '$comment') out[key] = value;
    else if (key.startsWith('$')) refuse(`${key} in a filter with a collation`);
    else out[key] = foldCondition(value, collation);
  }
  return out;
}

function foldCondition(condition: unknown, collation: Collation): unknown {
  if (!isPlainDocument(condition) || !Object.keys(condition)[0]?.startsWith('$')) return foldValue(condition, collation);
  const out: Record<string, unknown> = {};
  for (const [op, operand] of Object.entries(condition)) {
    if (VALUE_OPERATORS.has(op)) out[op] = foldValue(operand, collation);
    else if (UNCHANGED_OPERATORS.has(op)) out[op] = operand;
    else if (op === '$not') out[op] = foldCondition(operand, collation);
    else if (op === '$elemMatch' && isPlainDocument(operand)) {
      out[op] = Object.keys(operand)[0]?.startsWith('$') ? foldCondition(operand, collation) : foldFilter(operand, collation);
    } else refuse(`${op} in a filter with a collation`);
  }
  return out;
}
